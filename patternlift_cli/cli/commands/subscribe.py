"""`patternlift subscribe`: the 14-day trial to a paid plan through Stripe Checkout, and the plan."""

from __future__ import annotations

import time

import typer

from patternlift_cli.cli.options import JSON_OPTION

subscribe_app = typer.Typer(invoke_without_command=True)


@subscribe_app.callback()
def subscribe(
    ctx: typer.Context,
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the checkout URL without opening a browser."),
    timeout: int = typer.Option(None, "--timeout", min=1, help="Seconds to wait for checkout (default: setting)."),
) -> None:
    """Subscribe: opens Stripe Checkout for the plan and waits until it completes.

    Connected to a PatternLift server, the server holds the Stripe key and the plan: nothing
    to set here. Otherwise it needs a Stripe secret key (`patternlift config set-key stripe` or
    STRIPE_API_KEY) and PATTERNLIFT_STRIPE_PRICE_ID. Ctrl-C while waiting loses nothing: run
    `patternlift subscribe sync` once you have paid.

    Examples:

        patternlift subscribe

        patternlift subscribe --no-browser

        patternlift subscribe status --json
    """
    if ctx.invoked_subcommand is not None:
        return
    import webbrowser

    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.config import get_settings
    from patternlift_cli.errors import BillingError, ServerUnreachableError
    from patternlift_cli.ui import account_view

    billing = current_learner().billing
    settings = get_settings()
    terminal = ui()
    start = billing.start_checkout()
    terminal.say("Complete your subscription here:")
    terminal.text(start.url, style="bold")
    if not no_browser:
        webbrowser.open(start.url)
    deadline = time.monotonic() + (timeout or settings.checkout_timeout_seconds)
    state = "open"
    try:
        with terminal.spinner("Waiting for checkout to complete (Ctrl-C to stop waiting)...") as spinner:
            while time.monotonic() < deadline:
                try:
                    state = billing.checkout_state(start.session_id)
                # A network blip (to Stripe, or to the server in connected mode) must not end a
                # payment in progress.
                except (BillingError, ServerUnreachableError) as error:
                    spinner.update(f"Waiting for checkout (no answer: {error.message}; retrying)...")
                    state = "open"
                if state != "open":
                    break
                time.sleep(settings.checkout_poll_seconds)
    except KeyboardInterrupt:
        terminal.say("Stopped waiting. Nothing is lost: after paying, run `patternlift subscribe sync`.")
        raise typer.Exit(130) from None
    if state == "complete":
        terminal.show(account_view.billing_status(billing.status()))
        terminal.say("[green]Subscribed. Thank you![/]")
    elif state == "expired":
        terminal.say("The checkout session expired before it was completed; run `patternlift subscribe` again.")
        raise typer.Exit(1)
    else:
        terminal.say("Still waiting on checkout. Once you have paid, run `patternlift subscribe sync`.")
        raise typer.Exit(1)


@subscribe_app.command("status")
def status_command(as_json: bool = JSON_OPTION) -> None:
    """Plan, status, trial days left, renewal or end date, and the AI limit.

    Example: `patternlift subscribe status --json`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import account_view

    status = current_learner().billing.status()
    if as_json:
        ui().print_json(status)
    else:
        ui().show(account_view.billing_status(status))


@subscribe_app.command("cancel")
def cancel(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Cancel at the end of the period already paid for (access lasts until then).

    Example: `patternlift subscribe cancel`
    """
    from patternlift_cli.cli.context import current_learner, ui

    billing = current_learner().billing
    terminal = ui()
    if not yes:
        current = billing.status()
        until = f" on {current.current_period_end:%Y-%m-%d}" if current.current_period_end else ""
        if not terminal.confirm(f"Cancel your subscription? It ends{until}, at the end of the paid period."):
            terminal.say("Nothing changed.")
            return
    status = billing.cancel()
    until = f"{status.current_period_end:%Y-%m-%d}" if status.current_period_end else "the end of the period"
    terminal.say(f"Canceled. You keep the plan and the AI tutor until {until}.")


@subscribe_app.command("sync")
def sync() -> None:
    """Fetch your subscription and invoices from Stripe again and store them.

    With nothing stored here (a checkout paid on another machine), your customer record is
    looked up at Stripe by your email and profile id first.

    Example: `patternlift subscribe sync`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import account_view

    status = current_learner().billing.sync()
    terminal = ui()
    if status.sync_detail:
        terminal.text(status.sync_detail)
    terminal.show(account_view.billing_status(status))


@subscribe_app.command("history")
def history(as_json: bool = JSON_OPTION) -> None:
    """Your payments, one row per invoice.

    Example: `patternlift subscribe history --json`
    """
    from patternlift_cli.cli.context import current_learner, ui
    from patternlift_cli.ui import account_view

    rows = current_learner().billing.history()
    if as_json:
        ui().print_json(rows)
    else:
        ui().show(account_view.payments(rows))


def register(app: typer.Typer) -> None:
    app.add_typer(subscribe_app, name="subscribe", rich_help_panel="Account")
