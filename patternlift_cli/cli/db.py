"""`patternlift db ...`: migrate, inspect and export the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from patternlift_cli.cli.common import JSON_OPTION

db_app = typer.Typer(
    help="Database schema: migrate, check against the models, export TypeScript types.",
    no_args_is_help=True,
)


def _engine():
    from patternlift_cli.db.engine import get_engine

    return get_engine()


@db_app.command(context_settings={"ignore_unknown_options": True})
def upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Migrate the database to the newest schema (PostgreSQL needs this after each update).

    Example: `PATTERNLIFT_DATABASE_URL=postgresql+psycopg://... patternlift db upgrade`
    """
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import describe_location
    from patternlift_cli.ui.console import console

    engine = _engine()
    migration = migrate.upgrade(engine, revision)
    where = describe_location(engine.url)
    if migration.before == migration.after:
        console.print(f"{where} is already at revision {migration.after}.")
    else:
        console.print(f"Migrated {where}: {migration.before or 'empty'} -> {migration.after}.")


# `-1` is a relative step, not an option: let it through to the argument.
@db_app.command(context_settings={"ignore_unknown_options": True})
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Roll the schema back (drops what later revisions added; data in it is lost).

    Example: `patternlift db downgrade -1 --yes`
    """
    from patternlift_cli.db import migrate
    from patternlift_cli.ui.console import console

    if not yes and not typer.confirm(f"Downgrade the database to {revision}? Data may be lost"):
        raise typer.Exit(1)
    migration = migrate.downgrade(_engine(), revision)
    console.print(f"Database now at revision {migration.after or 'base (empty)'}.")


@db_app.command()
def status(as_json: bool = JSON_OPTION) -> None:
    """Show where the database is and whether its schema is current."""
    from patternlift_cli.db import migrate
    from patternlift_cli.db.engine import describe_location
    from patternlift_cli.ui.console import console, print_json

    engine = _engine()
    current, head = migrate.current_revision(engine), migrate.head_revision()
    data = {
        "database": describe_location(engine.url),
        "current_revision": current,
        "head_revision": head,
        "up_to_date": current == head,
    }
    if as_json:
        print_json(data)
        return
    if current == head:
        state = "[green]up to date[/]"
    elif current is not None and not migrate.is_known_revision(current):
        state = "[red]newer than this PatternLift[/] (upgrade PatternLift)"
    else:
        state = "[yellow]out of date[/] (run `patternlift db upgrade`)"
    console.print(f"{data['database']}: revision {current or 'none'} of {head} — {state}")


@db_app.command()
def check(as_json: bool = JSON_OPTION) -> None:
    """Compare the models with the migrated database; exit 1 listing every difference.

    Example: `patternlift db check || echo "schema drift"`
    """
    from patternlift_cli.db import migrate
    from patternlift_cli.ui.console import console, print_json

    engine = _engine()
    differences = migrate.compare_schema(engine)
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if as_json:
        print_json(
            {
                "in_sync": not differences and current == head,
                "current_revision": current,
                "head_revision": head,
                "differences": [{"kind": d.kind, "detail": d.detail} for d in differences],
            }
        )
    else:
        if current != head:
            console.print(f"Database at revision {current or 'none'}, migrations at {head}.")
        for difference in differences:
            console.print(f"  - {difference}")
        if not differences and current == head:
            console.print("Schema in sync with the models.")
        else:
            console.print(f"{len(differences)} difference(s) between the models and the database.")
    if differences or current != head:
        raise typer.Exit(1)


@db_app.command()
def types(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Write TypeScript types (Supabase `database.ts` shape) generated from the migrated schema.

    Example: `patternlift db types --out supabase/types/database.ts`
    """
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.db.typescript import generate_typescript
    from patternlift_cli.ui.console import console, err_console

    text = generate_typescript(ready_engine())
    if out is None:
        console.file.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        from patternlift_cli.errors import UsageError

        raise UsageError(f"Cannot write {out}: {error.strerror}") from error
    err_console.print(f"Wrote {out}")


@db_app.command("refresh-usage")
def refresh_usage() -> None:
    """Refresh the monthly_ai_usage view (CONCURRENTLY on PostgreSQL; live on SQLite).

    `patternlift usage` reads its monthly history from this view; readers are not blocked
    while it refreshes. Run it from cron on a shared PostgreSQL, for example nightly.

    Examples:

        patternlift db refresh-usage
    """
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.services.ai_usage import refresh_monthly_usage
    from patternlift_cli.ui.console import console

    console.print(refresh_monthly_usage(ready_engine()))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db", rich_help_panel="Administration")
