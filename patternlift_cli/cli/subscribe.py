"""`subscribe`: the 14-day trial to a paid plan through Stripe Checkout, and the plan's status."""

from __future__ import annotations

import time

import typer

from patternlift_cli.cli.common import JSON_OPTION

subscribe_app = typer.Typer(invoke_without_command=True)


@subscribe_app.callback()
def subscribe(
    ctx: typer.Context,
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the checkout URL without opening a browser."),
    timeout: int = typer.Option(None, "--timeout", min=1, help="Seconds to wait for checkout (default: setting)."),
) -> None:
    """Subscribe: opens Stripe Checkout for the plan and waits until it completes.

    Needs a Stripe secret key (`patternlift config set-key stripe` or STRIPE_API_KEY) and
    PATTERNLIFT_STRIPE_PRICE_ID. Ctrl-C while waiting loses nothing: run
    `patternlift subscribe sync` once you have paid.

    Examples:

        patternlift subscribe

        patternlift subscribe --no-browser

        patternlift subscribe status --json
    """
    if ctx.invoked_subcommand is not None:
        return
    import webbrowser

    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.config import get_settings
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.errors import BillingError
    from patternlift_cli.services import billing
    from patternlift_cli.ui.console import console

    ensure_signed_in()
    engine = ready_engine()
    settings = get_settings()
    start = billing.start_checkout(engine)
    console.print(f"Complete your subscription here:\n[bold]{start.url}[/]", highlight=False, soft_wrap=True)
    if not no_browser:
        webbrowser.open(start.url)
    deadline = time.monotonic() + (timeout or settings.checkout_timeout_seconds)
    state = "open"
    try:
        with console.status("Waiting for checkout to complete (Ctrl-C to stop waiting)...") as spinner:
            while time.monotonic() < deadline:
                try:
                    state = billing.checkout_state(engine, start.session_id)
                except BillingError as error:  # a network blip must not end a payment in progress
                    spinner.update(f"Waiting for checkout (Stripe did not answer: {error.message}; retrying)...")
                    state = "open"
                if state != "open":
                    break
                time.sleep(settings.checkout_poll_seconds)
    except KeyboardInterrupt:
        console.print("Stopped waiting. Nothing is lost: after paying, run `patternlift subscribe sync`.")
        raise typer.Exit(130) from None
    if state == "complete":
        _print_status(billing.status(engine))
        console.print("[green]Subscribed. Thank you![/]")
    elif state == "expired":
        console.print("The checkout session expired before it was completed; run `patternlift subscribe` again.")
        raise typer.Exit(1)
    else:
        console.print("Still waiting on checkout. Once you have paid, run `patternlift subscribe sync`.")
        raise typer.Exit(1)


def _print_status(status) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from patternlift_cli.ui.console import console

    table = Table(show_header=False, box=None)
    table.add_row("Plan", status.plan)
    table.add_row("Status", status.status + (f" (Stripe: {status.stripe_status})" if status.stripe_status else ""))
    if status.trial_days_left is not None:
        table.add_row("Trial", f"{status.trial_days_left} day(s) left, ends {status.trial_ends_at:%Y-%m-%d}")
    if status.current_period_end:
        label = "Access until" if status.cancel_at_period_end or status.status == "canceled" else "Renews"
        table.add_row(label, f"{status.current_period_end:%Y-%m-%d}")
    table.add_row("AI tutor", ("on: " if status.ai_allowed else "off: ") + status.ai_reason)
    table.add_row("AI limit", f"${status.ai_limit_usd:.2f} / month")
    console.print(table)


@subscribe_app.command("status")
def status_command(as_json: bool = JSON_OPTION) -> None:
    """Plan, status, trial days left, renewal or end date, and the AI limit.

    Example: `patternlift subscribe status --json`
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.services import billing
    from patternlift_cli.ui.console import print_json

    ensure_signed_in()
    status = billing.status(ready_engine())
    if as_json:
        print_json(status.to_dict())
    else:
        _print_status(status)


@subscribe_app.command("cancel")
def cancel(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Cancel at the end of the period already paid for (access lasts until then).

    Example: `patternlift subscribe cancel`
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.services import billing
    from patternlift_cli.ui.console import console

    ensure_signed_in()
    engine = ready_engine()
    current = billing.status(engine)
    if not yes:
        until = f" on {current.current_period_end:%Y-%m-%d}" if current.current_period_end else ""
        if not typer.confirm(f"Cancel your subscription? It ends{until}, at the end of the paid period."):
            console.print("Nothing changed.")
            return
    status = billing.cancel_at_period_end(engine)
    until = f"{status.current_period_end:%Y-%m-%d}" if status.current_period_end else "the end of the period"
    console.print(f"Canceled. You keep the plan and the AI tutor until {until}.")


@subscribe_app.command("sync")
def sync() -> None:
    """Fetch your subscription and invoices from Stripe again and store them.

    Example: `patternlift subscribe sync`
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.services import billing

    ensure_signed_in()
    _print_status(billing.sync(ready_engine()))


@subscribe_app.command("history")
def history(as_json: bool = JSON_OPTION) -> None:
    """Your payments, one row per invoice.

    Example: `patternlift subscribe history --json`
    """
    from patternlift_cli.cli.common import ensure_signed_in
    from patternlift_cli.db.database import ready_engine
    from patternlift_cli.domain.billing import format_minor
    from patternlift_cli.services import billing
    from patternlift_cli.ui.console import console, print_json

    ensure_signed_in()
    rows = billing.history(ready_engine())
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("No payments yet.")
        return
    from rich.table import Table

    table = Table()
    for column in ("Date", "Invoice", "Amount", "Status", "Link"):
        table.add_column(column)
    for row in rows:
        amount = format_minor(row["amount_minor"], row["currency"])
        table.add_row((row["paid_at"] or row["created_at"] or "")[:10], row["invoice"], amount, row["status"],
                      row["hosted_invoice_url"] or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(subscribe_app, name="subscribe", rich_help_panel="Account")
