"""Who is signed in, and the plan: `whoami`, `subscribe status`, `subscribe history`."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from patternlift_cli.domain.billing import format_minor
from patternlift_cli.ports.account import ProfileSummary
from patternlift_cli.ports.billing import BillingStatus, Payment
from patternlift_cli.domain.money import format_usd


def whoami(summary: ProfileSummary) -> RenderableType:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_row("Email", Text(summary.email))
    if summary.full_name:
        table.add_row("Name", Text(summary.full_name))
    if summary.server:
        table.add_row("Server", Text(f"{summary.server} ({summary.mode} mode)"))
    elif summary.mode != "solo":
        table.add_row("Mode", summary.mode)
    table.add_row("Plan", f"{summary.plan} ({summary.status})")
    if summary.trial_days_left is not None:
        table.add_row("Trial", f"{summary.trial_days_left} day(s) left")
    table.add_row("AI limit", f"{format_usd(summary.ai_limit_usd)} a month (spent {format_usd(summary.ai_spent_this_month_usd)})")
    table.add_row("AI tutor", ("on: " if summary.ai_allowed else "off: ") + summary.ai_access)
    return table


def billing_status(status: BillingStatus) -> RenderableType:
    table = Table(show_header=False, box=None)
    table.add_row("Plan", status.plan)
    table.add_row("Status", status.status + (f" (Stripe: {status.stripe_status})" if status.stripe_status else ""))
    if status.trial_days_left is not None and status.trial_ends_at is not None:
        table.add_row("Trial", f"{status.trial_days_left} day(s) left, ends {status.trial_ends_at:%Y-%m-%d}")
    if status.current_period_end:
        label = "Access until" if status.cancel_at_period_end or status.status == "canceled" else "Renews"
        if status.status == "canceled" and not status.ai_allowed:
            label = "Period ends"  # an unpaid period gives no access; the AI tutor line says why
        table.add_row(label, f"{status.current_period_end:%Y-%m-%d}")
    table.add_row("AI tutor", ("on: " if status.ai_allowed else "off: ") + status.ai_reason)
    table.add_row("AI limit", f"{format_usd(status.ai_limit_usd)} / month")
    return table


def payments(rows: list[Payment]) -> RenderableType:
    if not rows:
        return Text("No payments yet.")
    table = Table()
    for column in ("Date", "Invoice", "Amount", "Status", "Link"):
        table.add_column(column)
    for row in rows:
        when = row.paid_at or row.created_at
        table.add_row(
            f"{when:%Y-%m-%d}" if when else "", row.invoice, format_minor(row.amount_minor, row.currency),
            row.status, row.hosted_invoice_url or "",
        )
    return table
