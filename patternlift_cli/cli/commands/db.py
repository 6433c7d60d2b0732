"""`patternlift db ...`: migrate, inspect and export the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from patternlift_cli.cli.options import JSON_OPTION

db_app = typer.Typer(
    help="Database schema: migrate, check against the models, export TypeScript types.",
    no_args_is_help=True,
)


@db_app.command()
def upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Migrate the database to the newest schema (PostgreSQL needs this after each update).

    Two upgrades at once are safe: the second waits for the first, then finds it done.

    Example: `PATTERNLIFT_DATABASE_URL=postgresql+psycopg://... patternlift db upgrade`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services import schema

    result = schema.upgrade(revision)
    if result.before == result.after:
        ui().text(f"{result.where} is already at revision {result.after}.")
    else:
        ui().text(f"Migrated {result.where}: {result.before or 'empty'} -> {result.after}.")


# `-1` is a relative step, not an option: let it through to the argument.
@db_app.command(context_settings={"ignore_unknown_options": True})
def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Roll the schema back (drops what later revisions added; data in it is lost).

    Example: `patternlift db downgrade -1 --yes`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services import schema

    if not yes and not ui().confirm(f"Downgrade the database to {revision}? Data may be lost."):
        raise typer.Exit(1)
    result = schema.downgrade(revision)
    ui().text(f"Database now at revision {result.after or 'base (empty)'}.")


@db_app.command()
def status(as_json: bool = JSON_OPTION) -> None:
    """Show where the database is and whether its schema is current.

    Example: `patternlift db status --json`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services import schema

    data = schema.status()
    if as_json:
        ui().print_json(data)
        return
    if data["up_to_date"]:
        state = "[green]up to date[/]"
    elif data["newer_than_code"]:
        state = "[red]newer than this PatternLift[/] (upgrade PatternLift)"
    else:
        state = "[yellow]out of date[/] (run `patternlift db upgrade`)"
    ui().say(f"{data['database']}: revision {data['current_revision'] or 'none'} of {data['head_revision']} — {state}")


@db_app.command()
def check(as_json: bool = JSON_OPTION) -> None:
    """Compare the models with the migrated database; exit 1 listing every difference.

    Example: `patternlift db check || echo "schema drift"`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services import schema

    report = schema.check()
    terminal = ui()
    if as_json:
        terminal.print_json(report)
    else:
        current, head = report["current_revision"], report["head_revision"]
        if current != head:
            terminal.text(f"Database at revision {current or 'none'}, migrations at {head}.")
        for difference in report["differences"]:
            terminal.text(f"  - {difference['kind']}: {difference['detail']}")
        if report["in_sync"]:
            terminal.text("Schema in sync with the models.")
        else:
            terminal.text(f"{len(report['differences'])} difference(s) between the models and the database.")
    if not report["in_sync"]:
        raise typer.Exit(1)


@db_app.command()
def types(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Write TypeScript types (Supabase `database.ts` shape) generated from the migrated schema.

    Example: `patternlift db types --out supabase/types/database.ts`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.errors import UsageError
    from patternlift_cli.services import schema

    text = schema.typescript()
    if out is None:
        ui().write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"Cannot write {out}: {error.strerror}") from error
    ui().status_line(f"Wrote {out}")


@db_app.command("refresh-usage")
def refresh_usage() -> None:
    """Refresh the monthly_ai_usage view (CONCURRENTLY on PostgreSQL; live on SQLite).

    `patternlift usage` reads its monthly history from this view; readers are not blocked
    while it refreshes. Run it from cron on a shared PostgreSQL, for example nightly.

    Example: `patternlift db refresh-usage`
    """
    from patternlift_cli.cli.context import ui
    from patternlift_cli.services import schema

    ui().text(schema.refresh_usage())


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db", rich_help_panel="Administration")
