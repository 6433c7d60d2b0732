"""learning_attempts: every answer and test run, appended, never rewritten.

Until now each step decoded, re-encoded and rewrote the whole `attempt_history` JSON, so a
learner's thousandth step cost a thousand times the first. The history now lives in its own
table, one row per attempt; `learning_sessions.attempt_history` (the seed's column) keeps the
most recent attempts as a window (docs/SCHEMA.md). Existing histories are copied over.

Revision ID: 20261202000011
Revises: 20261125000009
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from patternlift_cli.db import ddl
from patternlift_cli.db.types import PlainNumeric

revision = "20261202000011"
down_revision = "20261125000009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_attempts",
        ddl.uuid_pk(),
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("learning_sessions.id", ondelete="CASCADE"), nullable=False
        ),
        ddl.user_fk(nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("item", sa.Text(), nullable=False, server_default=""),
        sa.Column("score", PlainNumeric()),
        sa.Column("passed", sa.Boolean()),
        sa.Column("hints", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("duration_seconds", PlainNumeric(), nullable=False, server_default="0"),
        sa.Column("concept", sa.Text()),
        sa.Column("question_kind", sa.Text()),
        sa.Column("cases_passed", sa.Integer()),
        sa.Column("cases_total", sa.Integer()),
        ddl.jsonb("details", "{}", nullable=False),
        ddl.timestamp("created_at", nullable=False),
        sa.CheckConstraint(
            "kind IN ('answer', 'test_run', 'knowledge_check', 'mastery_assessment')",
            name="learning_attempts_kind_check",
        ),
        sa.CheckConstraint("hints >= 0", name="learning_attempts_hints_check"),
        sa.CheckConstraint("duration_seconds >= 0", name="learning_attempts_duration_seconds_check"),
    )
    op.create_index("idx_learning_attempts_session_created", "learning_attempts", ["session_id", "created_at"])
    ddl.enable_owner_rls("learning_attempts")
    if ddl.is_postgres():
        # `learn --restart` clears the session's history, as it always cleared attempt_history.
        op.execute(
            'CREATE POLICY "learning_attempts_delete_own" ON learning_attempts FOR DELETE '
            "USING (auth.uid() = user_id)"
        )
        op.execute(f"GRANT DELETE ON learning_attempts TO {ddl.LEARNER_ROLE}")
    _copy_histories()


def _copy_histories() -> None:
    connection = op.get_bind()
    attempts = sa.table(
        "learning_attempts",
        *(sa.column(name) for name in (
            "id", "session_id", "user_id", "kind", "stage", "level", "item", "score", "passed", "hints",
            "duration_seconds", "concept", "question_kind", "cases_passed", "cases_total", "details", "created_at",
        )),
    )
    sessions = connection.execute(
        sa.text("SELECT id, user_id, attempt_history FROM learning_sessions WHERE user_id IS NOT NULL")
    ).all()
    for session_id, user_id, history in sessions:
        if isinstance(history, str):
            import json

            history = json.loads(history or "[]")
        rows = [_row(session_id, user_id, attempt) for attempt in history or () if attempt.get("kind") in (
            "answer", "test_run", "knowledge_check", "mastery_assessment")]
        if rows:
            connection.execute(sa.insert(attempts), rows)


def _row(session_id: object, user_id: object, attempt: dict) -> dict:
    def number(value: object) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    at = attempt.get("at")
    created = datetime.fromisoformat(at) if isinstance(at, str) else datetime.now(UTC)
    return {
        "id": uuid.uuid4(),
        "session_id": _uuid(session_id),
        "user_id": _uuid(user_id),
        "kind": attempt["kind"],
        "stage": attempt.get("stage") or "introduction",
        "level": int(attempt.get("level") or 1),
        "item": str(attempt.get("item") or ""),
        "score": number(attempt.get("score")),
        "passed": attempt.get("passed"),
        "hints": int(attempt.get("hints") or 0),
        "duration_seconds": number(attempt.get("duration_seconds")) or Decimal(0),
        "concept": attempt.get("concept"),
        "question_kind": attempt.get("question_kind"),
        "cases_passed": attempt.get("cases_passed"),
        "cases_total": attempt.get("cases_total"),
        "details": {"missed_concepts": attempt["missed_concepts"]} if attempt.get("missed_concepts") else {},
        "created_at": created if created.tzinfo else created.replace(tzinfo=UTC),
    }


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def downgrade() -> None:
    if ddl.is_postgres():
        op.execute('DROP POLICY IF EXISTS "learning_attempts_delete_own" ON learning_attempts')
    ddl.disable_owner_rls("learning_attempts")
    op.drop_index("idx_learning_attempts_session_created", table_name="learning_attempts")
    op.drop_table("learning_attempts")
