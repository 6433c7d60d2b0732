"""Stripe's side of the schema: the learner's subscription, their payments, and the webhook
events already handled (exactly once by event id)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from patternlift_cli.db.columns import (
    NOW,
    TableModel,
    created_at_field,
    updated_at_field,
    user_fk,
    uuid_pk,
)
from patternlift_cli.db.types import (
    SUBSCRIPTION_STATUS,
    SubscriptionStatus,
    UTCDateTime,
)


class Subscription(TableModel, table=True):
    """The learner's Stripe subscription state; one row per learner, replaced on resubscribe."""

    __tablename__ = "subscriptions"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
    stripe_customer_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_subscription_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    stripe_price_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    stripe_checkout_session_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    status: SubscriptionStatus = Field(
        default=SubscriptionStatus.trial,
        sa_column=sa.Column(SUBSCRIPTION_STATUS, nullable=False, server_default="trial"),
    )
    stripe_status: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    current_period_end: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    cancel_at_period_end: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    canceled_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    trial_end: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # Stripe's `created` of the stored subscription: which of two ended ones is the newer.
    stripe_created_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
        sa.UniqueConstraint("user_id", name="subscriptions_user_id_key"),
        sa.UniqueConstraint("stripe_customer_id", name="subscriptions_stripe_customer_id_key"),
        sa.UniqueConstraint(
            "stripe_subscription_id", name="subscriptions_stripe_subscription_id_key"
        ),
    )


class PaymentHistory(TableModel, table=True):
    """One row per Stripe invoice; amounts in the currency's minor unit."""

    __tablename__ = "payment_history"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = user_fk(nullable=False)
    subscription_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid(), sa.ForeignKey("subscriptions.id", ondelete="SET NULL")),
    )
    stripe_invoice_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_subscription_id: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    currency: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    status: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    paid_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    failed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    hosted_invoice_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    # The end of the service period the invoice bills (its subscription lines' period): a paid
    # invoice with this in the future is what lets a canceled plan keep the AI tutor.
    period_end: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime | None = created_at_field()
    updated_at: datetime | None = updated_at_field()

    __table_args__ = (
        sa.UniqueConstraint("stripe_invoice_id", name="payment_history_stripe_invoice_id_key"),
        sa.CheckConstraint("amount_minor >= 0", name="payment_history_amount_minor_check"),
        sa.CheckConstraint(
            "length(currency) = 3 AND currency = lower(currency)",
            name="payment_history_currency_check",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'failed', 'void', 'uncollectible')",
            name="payment_history_status_check",
        ),
        sa.Index("idx_payment_history_user_created", "user_id", "created_at"),
    )


class StripeWebhookEvent(TableModel, table=True):
    """Every Stripe event id seen; the primary key makes processing exactly-once."""

    __tablename__ = "stripe_webhook_events"

    id: str = Field(sa_column=sa.Column(sa.Text(), primary_key=True))
    event_type: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    stripe_created_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    processed_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), server_default=NOW)
    )
    # processed | ignored | rejected (signed but unusable; id is then "rejected:<sha256 of body>")
    outcome: str = Field(
        default="processed", sa_column=sa.Column(sa.Text(), nullable=False, server_default="processed")
    )
    detail: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
