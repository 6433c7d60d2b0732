"""Where learner code runs: a bubblewrap sandbox on Linux, else a scrubbed, limited fallback.

The sandbox (`bwrap`, the tool Flatpak uses) gets new user, PID, network, IPC, mount, UTS and
cgroup namespaces; a read-only root holding only the interpreter, its standard library (its
site-packages hidden), the system's shared libraries and the judge's own code and
sortedcontainers; an empty private /tmp; no network; no environment but LANG; an unprivileged
uid; and it dies with the CLI. When the CLI runs as root, bwrap runs as root too (it must reach
the interpreter wherever it lives) and this module maps the sandbox's uid to a fresh uid of
this run, so that RLIMIT_NPROC applies (the kernel exempts uid 0 from it).

`launch()` builds the command for the isolation in effect; `Launch.start()` starts it. The
first run in a process is the probe: if bubblewrap cannot start here, `auto` falls back for the
rest of the process and says so once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from functools import cache
from pathlib import Path
from typing import NamedTuple

INSIDE_DIR = Path(__file__).with_name("inside")
SANDBOX_DRIVER_DIR = "/judge/driver"
SANDBOX_LIB_DIR = "/judge/lib"
TMP_BYTES = 16 * 1024 * 1024
MAX_SANDBOX_PROCESSES = 32
# Uids nobody has: one per root-run judge, so its processes are countable and findable.
RUN_UID_RANGE = (2_000_000_000, 2_100_000_000)

FALLBACK_NOTICE = (
    "Learner code is NOT isolated from your files here: {reason}. The judge still keeps the "
    "answers out of your program's reach, clears its environment and limits it, but code you "
    "run can read and change what your user can. `patternlift doctor` explains."
)

_state: dict[str, object] = {"broken": None, "notice_given": False}


class Isolation(NamedTuple):
    mode: str  # "bwrap" or "none"
    reason: str  # why this one: "bubblewrap works", "bwrap not found", "PATTERNLIFT_JUDGE_SANDBOX=none"...
    runs_as_root: bool

    @property
    def sandboxed(self) -> bool:
        return self.mode == "bwrap"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def unisolated(reason: str) -> Isolation:
    return Isolation("none", reason, _is_root())


def requested_mode() -> str:
    from patternlift_cli.config import get_settings

    return get_settings().judge_sandbox


@cache
def bwrap_path() -> str | None:
    """bwrap on PATH, as `shutil.which` finds it; found here because importing shutil (with
    its compression modules) was ~2 ms of a lean `check`, whose whole budget is ~60 ms."""
    if not sys.platform.startswith("linux"):
        return None
    for folder in os.get_exec_path():
        candidate = os.path.join(folder, "bwrap")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def isolation(mode: str | None = None) -> Isolation:
    """The isolation the next run will use (before the probe, what it will try), for the
    PATTERNLIFT_JUDGE_SANDBOX value `mode` (default: the setting)."""
    mode = mode or requested_mode()
    if mode == "none":
        return unisolated("PATTERNLIFT_JUDGE_SANDBOX=none")
    if bwrap_path() is None:
        why = "bubblewrap (bwrap) is not installed" if sys.platform.startswith("linux") else f"no sandbox on {sys.platform}"
        return unisolated(why)  # with PATTERNLIFT_JUDGE_SANDBOX=bwrap the judge refuses to run
    if _state["broken"] and mode == "auto":
        return unisolated(f"bubblewrap cannot run here ({_state['broken']})")
    return Isolation("bwrap", "bubblewrap works" if _state["broken"] is None else str(_state["broken"]), _is_root())


def guarantees(current: Isolation) -> list[str]:
    """What holds for learner code under this isolation (docs/JUDGE.md has the full model)."""
    always = [
        "the expected answers never enter the learner's process; the judge compares outside it",
        "none of your environment variables (no API keys, no PATTERNLIFT_* settings, no HOME)",
        "CPU time, wall-clock time and memory are limited and watched from outside",
        "everything the run started is killed when the verdict is in, on Ctrl-C and when the CLI dies",
    ]
    if current.sandboxed:
        return [
            *always,
            "its own user, PID, network, IPC, mount, UTS and cgroup namespaces (bubblewrap)",
            "a read-only file system with only Python, its standard library and the judge's code: "
            "no home folder, no workspace, no database, no curriculum",
            "no network at all, not even 127.0.0.1",
            f"at most {MAX_SANDBOX_PROCESSES} processes and threads, as an unprivileged uid",
        ]
    caveats = [
        "NOT isolated: it can read and change the files your user can, and use the network",
        "runs in an empty temporary folder, deleted afterwards",
    ]
    if current.runs_as_root and fallback_can_drop_root():
        caveats.append("runs as a uid of its own (not root), so root's files are out of its reach")
    return [*always[:3], "its process group is killed when the verdict is in (a detached process may survive)", *caveats]


def mark_broken(reason: str) -> None:
    _state["broken"] = reason


def take_notice(current: Isolation) -> str | None:
    """The plain warning about the fallback, the first time it is used in this process."""
    if current.sandboxed or _state["notice_given"]:
        return None
    _state["notice_given"] = True
    return FALLBACK_NOTICE.format(reason=current.reason)


@cache
def sortedcontainers_dir() -> Path | None:
    from importlib.util import find_spec

    spec = find_spec("sortedcontainers")
    return Path(spec.origin).parent if spec and spec.origin else None


def base_interpreter() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


@cache
def _runtime_binds() -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """(ro binds, symlinks as 'target:link', dirs to hide with an empty tmpfs)."""
    binds: list[tuple[str, str]] = []
    links: list[str] = []
    for system_dir in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
        if os.path.isdir(system_dir):
            binds.append((system_dir, system_dir))
    for top in ("/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            links.append(f"{os.readlink(top)}:{top}")
        elif os.path.isdir(top):
            binds.append((top, top))
    if os.path.exists("/etc/ld.so.cache"):
        binds.append(("/etc/ld.so.cache", "/etc/ld.so.cache"))
    interpreter = base_interpreter()
    binds.append((interpreter, interpreter))
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix, "installed_base": sys.base_prefix, "installed_platbase": sys.base_exec_prefix}
    paths = sysconfig.get_paths(vars=base)
    for key in ("stdlib", "platstdlib"):
        stdlib = os.path.realpath(paths[key])
        if not any(stdlib.startswith(source + "/") or stdlib == source for source, _ in binds):
            binds.append((stdlib, stdlib))
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir, soname = sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("INSTSONAME") or ""
        library = os.path.realpath(os.path.join(libdir, soname))
        if soname and os.path.exists(library) and not library.startswith("/usr/lib/"):
            binds.append((library, library))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    hidden = []
    for candidate in (
        os.path.join(os.path.realpath(paths["stdlib"]), "site-packages"),
        os.path.join(os.path.realpath(paths["stdlib"]), "dist-packages"),
        "/usr/lib/python3/dist-packages", f"/usr/lib/{version}/site-packages", f"/usr/lib/{version}/dist-packages",
    ):
        if os.path.isdir(candidate) and candidate not in hidden:
            hidden.append(candidate)
    return tuple(binds), tuple(links), tuple(hidden)


@cache
def bwrap_supports_disable_userns() -> bool:
    try:
        version = subprocess.run([bwrap_path() or "bwrap", "--version"], capture_output=True, text=True, timeout=5).stdout
        major, minor, *_ = (int(part) for part in version.split()[-1].split("."))
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return (major, minor) >= (0, 8)


class Launch:
    """One child: the command, how to start it, and what to clean up after it."""

    def __init__(self, argv: list[str], isolation: Isolation, workdir: str | None = None) -> None:
        self.argv = argv
        self.isolation = isolation
        self.run_uid: int | None = None  # root runs: the uid the learner's code runs as, outside any namespace
        self.workdir = workdir
        self.info_fds: tuple[int, int] | None = None  # bwrap --info-fd pipe (read, write)
        self.block_fds: tuple[int, int] | None = None  # bwrap --userns-block-fd pipe (read, write)
        self.popen_options: dict = {}

    @property
    def extra_fds(self) -> tuple[int, ...]:
        """The ends of the bwrap pipes the child keeps."""
        return tuple(fd for fd in (self.info_fds and self.info_fds[1], self.block_fds and self.block_fds[0]) if fd)

    def close_extra_fds(self) -> None:
        for pair in (self.info_fds, self.block_fds):
            for fd in pair or ():
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.info_fds = self.block_fds = None

    def after_start(self, process: subprocess.Popen) -> None:
        """Root-run bwrap waits for its uid map: the sandbox's 65534 is this run's own uid."""
        if self.info_fds is None or self.block_fds is None:
            return
        import json
        import select

        info_read, info_write = self.info_fds
        block_read, block_write = self.block_fds
        os.close(info_write)
        os.close(block_read)
        data = b""
        try:
            while True:
                ready, _, _ = select.select([info_read], [], [], 5.0)
                if not ready:
                    break
                chunk = os.read(info_read, 4096)
                if not chunk:
                    break
                data += chunk
            child = json.loads(data.decode() or "{}").get("child-pid")
            if child:
                mapping = f"0 0 1\n65534 {self.run_uid} 1\n"
                for name in ("uid_map", "gid_map"):
                    with open(f"/proc/{child}/{name}", "w") as map_file:
                        map_file.write(mapping)
            os.write(block_write, b"1")
        except (OSError, ValueError):
            pass  # bwrap failed early; its stderr says why and the probe falls back
        finally:
            os.close(info_read)
            os.close(block_write)
            self.info_fds = self.block_fds = None

    def cleanup(self) -> None:
        if self.run_uid is not None and not self.isolation.sandboxed:
            from patternlift_cli.practice import procfs

            # Without a PID namespace, a detached process (double fork + setsid) is found by uid.
            for pid in procfs.processes_of_uid(self.run_uid):
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
        if self.workdir:
            import shutil  # only the unsandboxed fallback has a folder of its own to remove

            shutil.rmtree(self.workdir, ignore_errors=True)


def _run_uid() -> int:
    # From os.urandom, as random.SystemRandom draws it, without importing `random` (~1 ms of a
    # lean `check`); 64 random bits over a range of 10^8 leave no bias worth the name.
    low, high = RUN_UID_RANGE
    return low + int.from_bytes(os.urandom(8), "big") % (high - low)


def launch(cases_fd: str, answers_fd: str, current: Isolation | None = None) -> Launch:
    current = current or isolation()
    if current.sandboxed:
        return _bwrap_launch(cases_fd, answers_fd, current)
    return _fallback_launch(cases_fd, answers_fd, current)


def _bwrap_launch(cases_fd: str, answers_fd: str, current: Isolation) -> Launch:
    binds, links, hidden = _runtime_binds()
    argv = [
        bwrap_path() or "bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
        "--clearenv", "--setenv", "LANG", "C.UTF-8", "--setenv", "MALLOC_ARENA_MAX", "2",
        "--hostname", "judge",
    ]
    library = sortedcontainers_dir()
    binds = (*binds, (str(INSIDE_DIR), SANDBOX_DRIVER_DIR))
    if library is not None:
        binds = (*binds, (str(library), f"{SANDBOX_LIB_DIR}/{library.name}"))
    # bwrap 0.8 makes the parents of a bind's destination 0700, unreadable by the sandbox's
    # uid: make them first, 0755.
    parents = sorted({str(parent) for _, dest in binds for parent in Path(dest).parents if str(parent) != "/"}, key=len)
    for parent in parents:
        argv += ["--dir", parent]
    for source, dest in binds:
        argv += ["--ro-bind", source, dest]
    for link in links:
        target, name = link.split(":", 1)
        argv += ["--symlink", target, name]
    for directory in hidden:
        argv += ["--tmpfs", directory]
    argv += [
        "--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
        "--remount-ro", "/", "--chdir", "/tmp",
    ]
    result = Launch(argv=argv, isolation=current)
    tail = [base_interpreter(), "-I", "-S", "-B", f"{SANDBOX_DRIVER_DIR}/driver.py", str(cases_fd), str(answers_fd)]
    if _is_root():
        result.run_uid = _run_uid()
        result.info_fds = os.pipe()
        result.block_fds = os.pipe()
        argv += [
            "--info-fd", str(result.info_fds[1]), "--userns-block-fd", str(result.block_fds[0]),
            "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SYS_RESOURCE",
        ]
        tail.append("--drop")
    else:
        argv += ["--uid", "65534", "--gid", "65534"]
        if bwrap_supports_disable_userns():
            argv.append("--disable-userns")
    argv += ["--", *tail]
    result.popen_options = {"env": {}, "cwd": "/"}
    return result


def _world_reachable(path: str) -> bool:
    import stat

    target = Path(path)
    for directory in [*reversed(target.parents)][1:]:
        try:
            if not os.stat(directory).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


@cache
def fallback_can_drop_root() -> bool:
    """Can an unprivileged uid run the interpreter and the driver (no 0700 folder on the way)?"""
    binds, _, _ = _runtime_binds()
    needed = [source for source, _ in binds if not source.startswith(("/usr/", "/lib", "/etc/"))]
    needed.append(str(INSIDE_DIR))
    library = sortedcontainers_dir()
    if library is not None:
        needed.append(str(library))
    return all(_world_reachable(path) for path in needed)


def _fallback_launch(cases_fd: str, answers_fd: str, current: Isolation) -> Launch:
    import tempfile

    workdir = tempfile.mkdtemp(prefix="patternlift-judge-")
    argv = [base_interpreter(), "-I", "-S", "-B", str(INSIDE_DIR / "driver.py"), str(cases_fd), str(answers_fd), "--orphan-guard"]
    result = Launch(argv=argv, isolation=current, workdir=workdir)
    options: dict = {"env": {"LANG": "C.UTF-8"}, "cwd": workdir}
    if _is_root() and fallback_can_drop_root():
        # Not root for the learner's code: cannot touch root's files, and RLIMIT_NPROC applies.
        result.run_uid = _run_uid()
        os.chown(workdir, result.run_uid, result.run_uid)
        options.update(user=result.run_uid, group=result.run_uid, extra_groups=[])
    result.popen_options = options
    return result


def library_path(current: Isolation) -> str | None:
    """Where the child finds sortedcontainers."""
    library = sortedcontainers_dir()
    if library is None:
        return None
    return SANDBOX_LIB_DIR if current.sandboxed else str(library.parent)
