"""The common judge verdicts as the terminal shows them, without importing rich (the lean `check`).

`plain_verdict` returns exactly the bytes `UI().show(judge_view.headline(...),
judge_view.render_report(report))` writes -- the same text, and on a terminal the same escape
codes -- for the reports it is sure of: every case passed, or a syntax error, with no notice and
no panel; each line ASCII (or one of the judge's symbols) and narrower than the console rich
would open. Rich's own rules are followed for that: a terminal is TTY_COMPATIBLE, else
FORCE_COLOR, else isatty; TERM=dumb|unknown has no styles; NO_COLOR keeps bold and drops
colours; the width is COLUMNS, else the first standard stream that is a terminal, else 80. For
anything else it returns None and the caller renders with rich (tests/test_check_lean.py holds
the two to the same bytes). `plain_json` likewise: the `--json` text when the data is plain.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import IO, Any

# SGR parameters of the styles judge_view uses, with colour and with NO_COLOR.
_SGR = {"bold": "1", "bold green": "1;32", "bold red": "1;31", "green": "32", "red": "31", "dim": "2"}
_SGR_NO_COLOR = {"bold": "1", "bold green": "1", "bold red": "1", "green": "", "red": "", "dim": "2"}
_MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red"), "error": ("!", "red"), "not_run": ("·", "dim")}
_ONE_CELL = frozenset("—✓✗·")


def _is_terminal(stream: IO[str], environ: Mapping[str, str]) -> bool:
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False


def _width(terminal: bool, environ: Mapping[str, str]) -> int:
    columns, lines = environ.get("COLUMNS"), environ.get("LINES")
    fixed = int(columns) if columns is not None and columns.isdigit() else None
    if fixed is not None and lines is not None and lines.isdigit():
        return fixed
    if terminal and environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80
    measured = None
    for descriptor in (0, 1, 2):
        try:
            measured = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return fixed if fixed is not None else (measured or 80)


def _fits(text: str, width: int) -> bool:
    return len(text) < width and all(" " <= char <= "~" or char in _ONE_CELL for char in text)


def plain_verdict(title: str, path: str, report: Any, stream: IO[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> str | None:
    """The verdict's text as rich would write it to `stream`, or None when not sure."""
    stream = stream if stream is not None else sys.stdout
    environ = environ if environ is not None else os.environ
    if report.notice or not (report.all_passed or report.verdict == "syntax_error"):
        return None
    if report.output and report.first_failure is not None:
        return None  # the "Your program printed" panel
    if (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8":
        return None
    marks = [_MARKS.get(case.status) for case in report.cases]
    if None in marks:
        return None
    headline_style = "bold green" if report.all_passed else "bold red"
    counts = f"   [{report.passed_count}/{report.total}] "
    lines = [
        [(title, "bold"), (f" — {path}", None)],
        [(report.message, headline_style), (counts, None), *marks],
    ]
    terminal = _is_terminal(stream, environ)
    width = _width(terminal, environ)
    if width < 20 or not all(_fits("".join(text for text, _ in line), width) for line in lines):
        return None
    styled = terminal and environ.get("TERM", "").lower() not in ("dumb", "unknown")
    table = _SGR_NO_COLOR if environ.get("NO_COLOR", "") != "" else _SGR
    out = []
    for line in lines:
        for text, style in line:
            code = table[style] if styled and style else ""
            out.append(f"\x1b[{code}m{text}\x1b[0m" if code and text else text)
        out.append("\n")
    return "".join(out)


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float)):
        return True
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    return False


def plain_json(data: Any) -> str | None:
    """`UI.print_json`'s text for plain JSON data (what ports.base.jsonable leaves as it is)."""
    return json.dumps(data, indent=2) + "\n" if _plain(data) else None
