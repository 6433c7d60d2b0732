"""One exception family for everything a user can cause or meet.

Every member carries a user-facing ``message`` (and an optional ``hint`` saying what to do) and
a process ``exit_code``; the CLI prints message and hint on one line (the traceback only with
``--verbose``) and exits with the code. The
family lives in the domain, because pure rules refuse things too (a stage transition that does
not belong, a hint that is not there); ``patternlift_cli.errors`` re-exports it for every
other layer.

Hierarchy::

    PatternLiftError                     exit 1
    ├── UsageError                       exit 2   bad argument, unknown pattern or problem
    │   ├── UnknownPatternError          exit 2   with the closest names
    │   └── RateLimitedError             exit 2   too many sign-in attempts; says when to retry
    ├── ConfigError                      exit 3   malformed setting, .env value or URL
    ├── StorageError                     exit 4
    │   ├── DatabaseUnreachableError     exit 4   names host and port
    │   ├── DatabaseFileError            exit 4   unwritable or corrupt SQLite file
    │   └── SchemaOutOfDateError         exit 4   run `patternlift db upgrade`
    ├── NotLoggedInError                 exit 5
    │   └── SignInCodeError              exit 5   a wrong, used, expired or locked sign-in code
    ├── ContentError                     exit 6   a broken curriculum file, names file and field
    │   └── ContentVersionError          exit 6   the CLI's curriculum is not the server's; says which to upgrade
    ├── RefusedError                     exit 7   a learning rule says no (the solution unlocks
    │   └── StageTransitionError         exit 7   after 3 failed runs; no hints in the assessment)
    ├── ServerError                      exit 8   the PatternLift server is unreachable or failed
    │   ├── ServerUnreachableError       exit 8   no connection or no answer in time; names it
    │   ├── BadServerResponseError       exit 8   an answer that is not the PatternLift API (HTML...)
    │   └── TemporarilyUnavailableError  exit 8   the server cannot do it right now (mail, busy)
    ├── AIError                          exit 10
    │   ├── AINotConfiguredError         exit 11  no key: says how to set one
    │   ├── BudgetExceededError          exit 12  spent, limit, reset date
    │   ├── NotEntitledError             exit 13  trial over / unpaid: points to `subscribe`
    │   ├── UnknownModelPriceError       exit 14  names the setting to set
    │   └── ProviderError                exit 15  the endpoint failed
    ├── BillingError                     exit 20
    │   ├── BillingNotConfiguredError    exit 21  no Stripe key or price id
    │   └── WebhookVerificationError     exit 22  bad signature, stale or future timestamp
    │       └── WebhookRejectedError     exit 22  signed, but not a usable Stripe event
    └── JudgeError                       exit 30  the judge itself could not run

Exit code 1 is also what ``patternlift check`` returns when a submission fails its cases; that is a
result, not an error, and is not raised through this family. An ``OSError`` that reaches the
CLI unwrapped (disk full, permissions, a folder where a file should be) is reported the way a
``StorageError`` is: one line, exit 4.
"""

from __future__ import annotations


class PatternLiftError(Exception):
    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        # One line, as the README promises: the hint follows the message on the same line.
        if not self.hint:
            return self.message
        separator = " " if self.message.rstrip().endswith((".", "?", "!")) else ". "
        return f"{self.message.rstrip()}{separator}{self.hint}"


class UsageError(PatternLiftError):
    exit_code = 2


class UnknownPatternError(UsageError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = None
        if suggestions:
            quoted = " or ".join(f"'{s}'" for s in suggestions)
            hint = f"Did you mean {quoted}?"
        super().__init__(
            f"Unknown pattern '{name}'. Run `patternlift patterns` to list them.", hint=hint
        )
        self.name = name
        self.suggestions = suggestions


class RateLimitedError(UsageError):
    def __init__(self, message: str, *, hint: str | None = None, retry_after_seconds: int = 60) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_seconds = retry_after_seconds


class ConfigError(PatternLiftError):
    exit_code = 3


class StorageError(PatternLiftError):
    exit_code = 4


class DatabaseUnreachableError(StorageError):
    pass


class DatabaseFileError(StorageError):
    pass


class SchemaOutOfDateError(StorageError):
    pass


class NotLoggedInError(PatternLiftError):
    exit_code = 5


class SignInCodeError(NotLoggedInError):
    pass


class ContentError(PatternLiftError):
    exit_code = 6


class ContentVersionError(ContentError):
    """The curriculum on the learner's machine is not the one the server teaches."""


class RefusedError(PatternLiftError):
    """The request is well formed, but a rule of the learning loop refuses it."""

    exit_code = 7


class StageTransitionError(RefusedError):
    """An outcome that does not belong to the stage the learner is in."""


class ServerError(PatternLiftError):
    exit_code = 8


class ServerUnreachableError(ServerError):
    pass


class BadServerResponseError(ServerError):
    pass


class TemporarilyUnavailableError(ServerError):
    def __init__(self, message: str, *, hint: str | None = None, retry_after_seconds: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_seconds = retry_after_seconds


class AIError(PatternLiftError):
    exit_code = 10


class AINotConfiguredError(AIError):
    exit_code = 11


class BudgetExceededError(AIError):
    exit_code = 12


class NotEntitledError(AIError):
    exit_code = 13


class UnknownModelPriceError(AIError):
    exit_code = 14


class ProviderError(AIError):
    exit_code = 15


class BillingError(PatternLiftError):
    exit_code = 20


class BillingNotConfiguredError(BillingError):
    exit_code = 21


class WebhookVerificationError(BillingError):
    exit_code = 22


class WebhookRejectedError(WebhookVerificationError):
    """A correctly signed delivery that is not a usable event (not an object, fields missing)."""


class JudgeError(PatternLiftError):
    exit_code = 30


__all__ = [
    "PatternLiftError",
    "UsageError",
    "UnknownPatternError",
    "RateLimitedError",
    "ConfigError",
    "StorageError",
    "DatabaseUnreachableError",
    "DatabaseFileError",
    "SchemaOutOfDateError",
    "NotLoggedInError",
    "SignInCodeError",
    "ContentError",
    "ContentVersionError",
    "RefusedError",
    "StageTransitionError",
    "ServerError",
    "ServerUnreachableError",
    "BadServerResponseError",
    "TemporarilyUnavailableError",
    "AIError",
    "AINotConfiguredError",
    "BudgetExceededError",
    "NotEntitledError",
    "UnknownModelPriceError",
    "ProviderError",
    "BillingError",
    "BillingNotConfiguredError",
    "WebhookVerificationError",
    "WebhookRejectedError",
    "JudgeError",
]
