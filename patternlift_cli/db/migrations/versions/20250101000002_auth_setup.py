"""Auth configuration: user_profiles.id references auth.users(id) on PostgreSQL.

Supabase already has the `auth` schema; on plain PostgreSQL a minimal one is created (a users
table and an auth.uid() reading `request.jwt.claim.sub`, as Supabase's does) only when absent,
and marked so the downgrade removes only what it created. SQLite has no auth schema.

Revision ID: 20250101000002
Revises: 20250101000001
"""

from __future__ import annotations

from alembic import op

from patternlift_cli.db import ddl

revision = "20250101000002"
down_revision = "20250101000001"
branch_labels = None
depends_on = None

MARKER = "created by patternlift"


def upgrade() -> None:
    if not ddl.is_postgres():
        return
    op.execute(
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN
            CREATE SCHEMA auth;
            COMMENT ON SCHEMA auth IS '{MARKER}';
          END IF;
          IF to_regclass('auth.users') IS NULL THEN
            CREATE TABLE auth.users (
              id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
              email text,
              created_at timestamptz DEFAULT now()
            );
            COMMENT ON TABLE auth.users IS '{MARKER}';
          END IF;
          IF to_regprocedure('auth.uid()') IS NULL THEN
            CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $f$
              SELECT coalesce(
                nullif(current_setting('request.jwt.claim.sub', true), ''),
                (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
              )::uuid
            $f$;
            COMMENT ON FUNCTION auth.uid() IS '{MARKER}';
          END IF;
        END $$;
        """
    )
    ddl.ensure_learner_role()
    op.execute(f"GRANT EXECUTE ON FUNCTION auth.uid() TO {ddl.LEARNER_ROLE}")
    op.create_foreign_key(
        "user_profiles_id_fkey",
        "user_profiles",
        "users",
        ["id"],
        ["id"],
        referent_schema="auth",
        ondelete="CASCADE",
    )


def downgrade() -> None:
    if not ddl.is_postgres():
        return
    op.drop_constraint("user_profiles_id_fkey", "user_profiles", type_="foreignkey")
    op.execute(
        f"""
        DO $$ BEGIN
          IF obj_description('auth.uid()'::regprocedure, 'pg_proc') = '{MARKER}' THEN
            DROP FUNCTION auth.uid();
          END IF;
          IF obj_description('auth.users'::regclass, 'pg_class') = '{MARKER}' THEN
            DROP TABLE auth.users;
          END IF;
          IF obj_description((SELECT oid FROM pg_namespace WHERE nspname = 'auth'),
                             'pg_namespace') = '{MARKER}' THEN
            DROP SCHEMA auth;
          END IF;
        END $$;
        """
    )
