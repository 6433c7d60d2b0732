"""The client's curriculum must be the server's: both ship it, and answers name its ids.

Every learning and review request carries `PatternLift-Content: <release>+<digest>`
(content.version); a difference is a 409 problem that says which side to upgrade.
"""

from __future__ import annotations

from fastapi import Request

from patternlift_cli.content.version import content_version, which_side_is_older
from patternlift_cli.errors import ContentVersionError
from patternlift_cli.ports.learning_requests import CONTENT_HEADER


async def require_same_content(request: Request) -> None:
    # A coroutine (a header compared with a cached digest): no hop to the thread pool.
    sent = request.headers.get(CONTENT_HEADER)
    ours = content_version()
    if sent is None:
        raise ContentVersionError(
            f"This request does not say which curriculum it was made with ({CONTENT_HEADER} header); "
            f"the server teaches {ours}.",
            hint="Use the patternlift CLI, or send the header.",
        )
    if sent.strip() == ours:
        return
    older = which_side_is_older(sent, ours)
    if older == "client":
        hint = "Upgrade PatternLift on this machine (pip install -U patternlift), then run the command again."
    elif older == "server":
        hint = "The server runs an older release: its operator must upgrade it (or use the matching CLI)."
    else:
        hint = ("Same release, different lessons: unset PATTERNLIFT_CONTENT_DIR here, or ask the operator "
                "which curriculum the server teaches.")
    raise ContentVersionError(
        f"The curriculum here ({sent.strip()[:64]}) is not the server's ({ours}).", hint=hint
    )
