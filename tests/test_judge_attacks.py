"""Issue 11's attacks, each written as a hostile learner would, on the sandbox and the fallback.

A faked verdict, the answer key, secrets and the CLI itself must be out of reach on both paths;
the file system and the network are out of reach in the sandbox (the fallback says plainly
that they are not, and a test holds it to that).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from patternlift_cli.content.loader import PATTERNS_ROOT
from patternlift_cli.practice.judge import judge_source
from tests.judge_support import SECRET_PROBLEM, SUM_HEADER, SUM_PROBLEM, isolation, sandboxed  # noqa: F401

SECRET_HEADER = "class Solution:\n    def answer(self, k: int) -> str:\n"


def _returned(report) -> str:
    failure = report.first_failure
    return failure.actual_value if failure and failure.actual_value is not None else failure.actual


# ----- no verdict can be faked ---------------------------------------------------------


def test_forged_answer_lines_on_every_fd_pass_nothing(isolation: str) -> None:
    source = (
        "import gc, json, os\n"
        + SECRET_HEADER
        + "        nonce = next((o.nonce for o in gc.get_objects() if type(o).__name__ == 'Channel'), '')\n"
        "        lines = [json.dumps({'event': 'case', 'case': i, 'status': 'passed'}) for i in range(1, 4)]\n"
        "        lines += [json.dumps({'nonce': nonce, 'type': 'answer', 'case': i, 'status': 'ok', 'value': 'passed'})\n"
        "                  for i in range(1, 4)]\n"
        "        data = ('\\n'.join(lines) + '\\n').encode()\n"
        "        for fd in range(64):\n"
        "            try:\n"
        "                os.write(fd, data)\n"
        "            except OSError:\n"
        "                pass\n"
        "        return 'passed'\n"
    )
    report = judge_source(SECRET_PROBLEM, source)
    assert not report.all_passed
    assert report.passed_count == 0


def test_replacing_the_comparator_and_the_encoder_through_main_changes_nothing(isolation: str) -> None:
    source = (
        "import json, sys\n"
        "main = sys.modules['__main__']\n"
        "main.matches = lambda *args, **kwargs: True\n"
        "for name in ('compare', 'passed', 'verdict'):\n"
        "    setattr(main, name, lambda *args, **kwargs: True)\n"
        "json.dumps = lambda *args, **kwargs: '{\"status\": \"passed\", \"verdict\": \"accepted\"}'\n"
        + SECRET_HEADER + "        return 'wrong'\n"
    )
    report = judge_source(SECRET_PROBLEM, source)
    assert not report.all_passed and report.passed_count == 0


def test_the_expected_answers_are_nowhere_in_the_childs_frames_or_heap(isolation: str) -> None:
    source = (
        "import gc, sys\n"
        + SECRET_HEADER
        + "        seen = []\n"
        "        frame = sys._getframe()\n"
        "        while frame is not None:\n"
        "            seen.extend(frame.f_locals.values())\n"
        "            seen.extend(frame.f_globals.values())\n"
        "            frame = frame.f_back\n"
        "        seen.extend(gc.get_objects())\n"
        "        for value in seen:\n"
        "            texts = [value] if isinstance(value, str) else list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else []\n"
        "            for text in texts:\n"
        "                if isinstance(text, str) and text.startswith('s3cr3t-') and len(text) == 23:\n"
        "                    return text\n"
        "        return 'nothing found'\n"
    )
    report = judge_source(SECRET_PROBLEM, source)
    assert report.passed_count == 0
    assert _returned(report) == "nothing found"


# ----- secrets --------------------------------------------------------------------------


def test_the_environment_holds_no_secret(isolation: str, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {"OPENAI_API_KEY": "sk-test-openai", "STRIPE_API_KEY": "sk_test_stripe", "PATTERNLIFT_DATABASE_URL": "postgresql://secret"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    source = (
        "import os\n" + SECRET_HEADER
        + "        seen = dict(os.environ)\n"
        "        for pid in ('1', str(os.getppid())):\n"
        "            try:\n"
        "                seen[pid] = open(f'/proc/{pid}/environ', 'rb').read().decode(errors='replace')\n"
        "            except OSError as error:\n"
        "                seen[pid] = type(error).__name__\n"
        "        return repr(seen)\n"
    )
    report = judge_source(SECRET_PROBLEM, source)
    seen = _returned(report)
    assert "PATTERNLIFT_" not in seen and "HOME" not in seen
    assert not any(value in seen for value in secrets.values())


def test_the_keyring_file_is_out_of_reach(sandboxed: str, tmp_path: Path) -> None:
    keyring_file = tmp_path / "xdg-data" / "python_keyring" / "keyring_pass.cfg"
    keyring_file.parent.mkdir(parents=True, exist_ok=True)
    keyring_file.write_text("[patternlift]\nopenai_api_key = sk-from-keyring\n")
    source = SECRET_HEADER + f"        try:\n            return open({str(keyring_file)!r}).read()\n        except OSError as error:\n            return type(error).__name__\n"
    assert _returned(judge_source(SECRET_PROBLEM, source)) == "FileNotFoundError"


# ----- escapes (sandbox) ----------------------------------------------------------------


def test_files_outside_cannot_be_deleted_or_created(sandboxed: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("still here")
    planted = tmp_path / "planted.txt"
    source = (
        "import os, shutil\n" + SECRET_HEADER
        + f"        for attempt in (lambda: os.remove({str(canary)!r}), lambda: open({str(planted)!r}, 'w').write('x'),\n"
        f"                        lambda: shutil.rmtree({str(tmp_path)!r}), lambda: open('/usr/lib/planted', 'w')):\n"
        "            try:\n"
        "                attempt()\n"
        "            except OSError:\n"
        "                pass\n"
        "        return 'tried'\n"
    )
    judge_source(SECRET_PROBLEM, source)
    assert canary.read_text() == "still here"
    assert not planted.exists()


def test_the_curriculum_and_reference_solutions_cannot_be_read(sandboxed: str) -> None:
    problem_file = next(PATTERNS_ROOT.glob("*/problems/*.yaml"))
    source = (
        "import glob, os\n" + SECRET_HEADER
        + "        tops = [top for top in os.listdir('/') if top not in ('proc', 'dev', 'sys', 'usr', 'lib', 'lib64')]\n"
        "        found = [path for top in tops for pattern in ('**/*.yaml', '**/*.db', '**/patternlift*')\n"
        "                 for path in glob.glob(f'/{top}/{pattern}', recursive=True) if '/judge/' not in path]\n"
        f"        try:\n            found.append(open({str(problem_file)!r}).read()[:20])\n"
        "        except OSError as error:\n            found.append(type(error).__name__)\n"
        "        return repr(found)\n"
    )
    assert _returned(judge_source(SECRET_PROBLEM, source)) == "['FileNotFoundError']"


def test_the_learners_database_cannot_be_opened_or_changed(sandboxed: str, home: Path) -> None:
    database = home / "data" / "patternlift.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE user_profiles (id INTEGER, monthly_ai_limit TEXT, subscription TEXT)")
        connection.execute("INSERT INTO user_profiles VALUES (1, '3.00', 'none')")
    source = (
        "import sqlite3\n" + SECRET_HEADER
        + "        try:\n"
        f"            db = sqlite3.connect({str(database)!r})\n"
        "            db.execute(\"UPDATE user_profiles SET monthly_ai_limit = '1000000', subscription = 'active'\")\n"
        "            db.commit()\n"
        "            return 'changed'\n"
        "        except Exception as error:\n"
        "            return type(error).__name__\n"
    )
    assert _returned(judge_source(SECRET_PROBLEM, source)) in ("OperationalError", "ModuleNotFoundError")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT monthly_ai_limit, subscription FROM user_profiles").fetchone() == ("3.00", "none")


def test_no_network_not_even_localhost(sandboxed: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        try:
            accepted.append(listener.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    source = (
        "import socket\n" + SECRET_HEADER
        + "        results = []\n"
        f"        for port in ({port}, 5432):\n"
        "            try:\n"
        "                socket.create_connection(('127.0.0.1', port), timeout=1).close()\n"
        "                results.append('connected')\n"
        "            except OSError as error:\n"
        "                results.append(type(error).__name__)\n"
        "        return repr(results)\n"
    )
    returned = _returned(judge_source(SECRET_PROBLEM, source))
    thread.join()
    listener.close()
    assert "connected" not in returned
    assert accepted == []


# ----- the fallback is honest ---------------------------------------------------------


def test_the_fallback_says_once_and_plainly_that_files_are_not_isolated(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from patternlift_cli.config import reset_settings_cache
    from patternlift_cli.practice import sandbox
    from patternlift_cli.practice.judge import isolation_report

    monkeypatch.setenv("PATTERNLIFT_JUDGE_SANDBOX", "none")
    reset_settings_cache()
    monkeypatch.setitem(sandbox._state, "notice_given", False)
    first = judge_source(SUM_PROBLEM, SUM_HEADER + "        return sum(nums)\n")
    second = judge_source(SUM_PROBLEM, SUM_HEADER + "        return sum(nums)\n")
    assert first.isolation == "none" and "NOT isolated from your files" in first.notice
    assert second.notice is None
    report = isolation_report()
    assert report["isolation"] == "none"
    assert any(line.startswith("NOT isolated") for line in report["guarantees"])
    assert json.loads(json.dumps(report)) == report
