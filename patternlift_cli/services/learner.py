"""The signed-in learner on a database (solo and direct mode): every area's use cases.

Each area is built on first use, so a command pays only for what it touches.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from patternlift_cli.db.unit import Database


class LocalLearner:
    def __init__(self, db: Database, user_id: uuid.UUID, email: str, *, mode: str) -> None:
        self.db = db
        self.user_id = user_id
        self.email = email
        self.mode = mode

    @cached_property
    def account(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.accounts import LocalAccount
        from patternlift_cli.services.tutor import ai_configured

        return LocalAccount(self.db, self.user_id, mode=self.mode, ai_configured=ai_configured())

    @cached_property
    def learning(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.learning import LocalLearning

        return LocalLearning(self.db, self.user_id)

    @cached_property
    def tutor(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.tutor import LocalTutor

        return LocalTutor(self.db, self.user_id, learning=self.learning)

    @cached_property
    def usage(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.ai_usage import LocalUsage

        return LocalUsage(self.db, self.user_id)

    @cached_property
    def billing(self):  # type: ignore[no-untyped-def]
        from patternlift_cli.services.billing import LocalBilling

        return LocalBilling(self.db, self.user_id, self.email)
