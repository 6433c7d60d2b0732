"""The AI budget protocol's SQL, one text per step and backend (see db/budget_store.py).

PostgreSQL runs each step as ONE statement: data-modifying CTEs chain the expired-hold sweep,
its charge, the row-locked conditional UPDATE of the profile and the new hold. SQLite has no
data-modifying CTEs, so the same steps are separate statements inside one BEGIN IMMEDIATE,
which already excludes every other writer; its money is compared in whole micro-dollars,
because SQLite keeps numeric values as binary floats.

Parameters common to all: :user_id, :now, :month (first day of now's UTC month) and
:month_start (its first instant). A stored month later than :month (another process's clock a
moment ahead at midnight) is kept, never rolled back.
"""

from __future__ import annotations

# ----- PostgreSQL -----------------------------------------------------------------------------

# The month's spend as the statement sees it: rolled over, plus the swept holds made this month.
_PG_SPENT = """(CASE WHEN p.ai_cost_month >= CAST(:month AS date)
                      THEN coalesce(p.current_month_ai_cost, 0) ELSE 0 END + f.charged_now)"""
# The entitlement rule of domain/entitlement.py, in SQL: a canceled plan keeps the tutor only
# while its current period runs AND a paid invoice of that subscription covers it (the same
# query as services/billing.py `paid_through`). Both backends share it; p is the profile.
_PAID_PERIOD = """EXISTS (SELECT 1 FROM subscriptions s
                JOIN payment_history ph ON ph.user_id = s.user_id
                                       AND ph.stripe_subscription_id = s.stripe_subscription_id
                WHERE s.user_id = p.id AND ph.status = 'paid'
                  AND s.current_period_end > :now AND ph.period_end > :now)"""
_ENTITLED = f"""(p.subscription_status IN ('active', 'past_due')
            OR (coalesce(p.subscription_status, 'trial') = 'trial' AND p.trial_ends_at > :now)
            OR (p.subscription_status = 'canceled' AND {_PAID_PERIOD}))"""
_PG_ENTITLED = _ENTITLED
_PG_TRUSTED = """NOT EXISTS (SELECT 1 FROM ai_model_trust t
                    WHERE t.model_used = :model AND t.price_basis = :price_basis)"""

# Sweep expired holds (each charged at its worst case, in the month it was made, under the
# hold's own id), then the conditional UPDATE, then the hold: all or nothing, one round trip.
# The UPDATE's WHERE is the cap; after waiting for another call's row lock, PostgreSQL
# re-checks it on the row as that call committed it, so two calls cannot both take the last of
# the money. A refused call that swept holds still writes what it swept (`swept_only`, which
# runs only when `granted` updated nothing). The figures returned for a refusal come from the
# statement's snapshot: the caller only uses them to explain or to ask for less, and every ask
# is decided again by the UPDATE.
PG_RESERVE = f"""
WITH swept AS (
    DELETE FROM ai_budget_reservations
    WHERE user_id = :user_id AND expires_at <= :now
    RETURNING id, user_id, session_id, interaction_type, model_used, amount_usd,
              prompt_token_bound, max_completion_tokens, created_at
), charged AS (
    INSERT INTO ai_interactions (id, user_id, session_id, interaction_type, prompt_tokens,
                                 completion_tokens, model_used, cost_usd, created_at)
    SELECT id, user_id, session_id, interaction_type, prompt_token_bound,
           max_completion_tokens, model_used, amount_usd, created_at
    FROM swept
), freed AS (
    SELECT coalesce(sum(amount_usd), 0) AS held,
           coalesce(sum(amount_usd) FILTER (WHERE created_at >= :month_start), 0) AS charged_now,
           count(*) AS holds
    FROM swept
), granted AS (
    UPDATE user_profiles p
    SET current_month_ai_cost = {_PG_SPENT},
        ai_cost_month = greatest(p.ai_cost_month, CAST(:month AS date)),
        current_month_ai_reserved = p.current_month_ai_reserved - f.held + :amount,
        updated_at = :now
    FROM freed f
    WHERE p.id = :user_id AND {_PG_ENTITLED} AND {_PG_TRUSTED}
      AND {_PG_SPENT} + p.current_month_ai_reserved - f.held + :amount
          <= coalesce(p.monthly_ai_usage_limit, 3.00)
    RETURNING p.id
), swept_only AS (
    UPDATE user_profiles p
    SET current_month_ai_cost = {_PG_SPENT},
        ai_cost_month = greatest(p.ai_cost_month, CAST(:month AS date)),
        current_month_ai_reserved = p.current_month_ai_reserved - f.held,
        updated_at = :now
    FROM freed f
    WHERE p.id = :user_id AND f.holds > 0 AND NOT EXISTS (SELECT 1 FROM granted)
), hold AS (
    INSERT INTO ai_budget_reservations (id, user_id, session_id, interaction_type, model_used,
                                        amount_usd, prompt_token_bound, max_completion_tokens,
                                        expires_at, created_at)
    SELECT :hold_id, g.id, CAST(:session_id AS uuid), :interaction_type, :model, :amount,
           :prompt_token_bound, :max_completion_tokens, :expires_at, :now
    FROM granted g
)
SELECT EXISTS (SELECT 1 FROM granted), {_PG_ENTITLED}, {_PG_TRUSTED}, {_PG_SPENT},
       p.current_month_ai_reserved - f.held, coalesce(p.monthly_ai_usage_limit, 3.00),
       p.subscription_status::text, p.trial_ends_at
FROM user_profiles p CROSS JOIN freed f
WHERE p.id = :user_id
"""

# Record the call under the hold's id (so it can never be recorded twice), move its cost from
# reserved to spent, delete the hold. Nothing happens if the hold is gone (already charged).
_PG_SETTLE = """
WITH held AS (
    DELETE FROM ai_budget_reservations WHERE id = :hold_id
    RETURNING id, user_id, session_id, interaction_type, model_used, amount_usd,
              max_completion_tokens
), recorded AS (
    INSERT INTO ai_interactions (id, user_id, session_id, interaction_type, prompt_tokens,
                                 completion_tokens, model_used, cost_usd, created_at)
    SELECT id, user_id, session_id, interaction_type, :prompt_tokens, :completion_tokens,
           model_used, :cost, :now
    FROM held
), profile AS (
    UPDATE user_profiles p
    SET current_month_ai_cost = CASE WHEN p.ai_cost_month >= CAST(:month AS date)
                                     THEN coalesce(p.current_month_ai_cost, 0) ELSE 0 END + :cost,
        ai_cost_month = greatest(p.ai_cost_month, CAST(:month AS date)),
        current_month_ai_reserved = p.current_month_ai_reserved - h.amount_usd,
        updated_at = :now
    FROM held h
    WHERE p.id = h.user_id
    RETURNING p.current_month_ai_cost AS spent, p.current_month_ai_reserved AS reserved,
              coalesce(p.monthly_ai_usage_limit, 3.00) AS cap, p.ai_cost_month AS month
){distrust}
SELECT h.interaction_type, h.model_used, h.amount_usd AS held, p.spent, p.reserved, p.cap, p.month
FROM held h CROSS JOIN profile p
"""

# Only when the provider billed past the hold: the model is distrusted at the price in effect.
_PG_DISTRUST = """, distrust AS (
    INSERT INTO ai_model_trust AS t (model_used, price_basis, reserved_usd, billed_usd,
                                     max_completion_tokens, prompt_tokens, completion_tokens,
                                     interaction_id, overrun_count, first_seen_at, last_seen_at)
    SELECT model_used, :price_basis, amount_usd, :cost, max_completion_tokens, :prompt_tokens,
           :completion_tokens, id, 1, :now, :now
    FROM held
    WHERE :cost > amount_usd
    ON CONFLICT (model_used) DO UPDATE
    SET price_basis = excluded.price_basis, reserved_usd = excluded.reserved_usd,
        billed_usd = excluded.billed_usd, max_completion_tokens = excluded.max_completion_tokens,
        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
        interaction_id = excluded.interaction_id, overrun_count = t.overrun_count + 1,
        last_seen_at = excluded.last_seen_at
)"""

PG_SETTLE = _PG_SETTLE.format(distrust="")
PG_SETTLE_OVERRUN = _PG_SETTLE.format(distrust=_PG_DISTRUST)

PG_RELEASE = """
WITH held AS (
    DELETE FROM ai_budget_reservations WHERE id = :hold_id RETURNING user_id, amount_usd
)
UPDATE user_profiles p
SET current_month_ai_reserved = p.current_month_ai_reserved - h.amount_usd
FROM held h
WHERE p.id = h.user_id
"""

# ----- SQLite ---------------------------------------------------------------------------------
# Money columns hold binary floats here, so every comparison and sum is done in whole
# micro-dollars (amounts are stored to the micro-dollar, and a double holds those exactly
# enough to round back). A limit is rounded down to the micro-dollar. Statements use SQLite's
# own :name parameters, which sqlite3 binds from a dict.


def _micros(expression: str) -> str:
    return f"CAST(round({expression} * 1000000) AS INTEGER)"


def _limit_micros(profile: str = "") -> str:
    # Rounded down, with room for the float's error on any whole-micro-dollar limit to $1M.
    return f"CAST(coalesce({profile}monthly_ai_usage_limit, 3) * 1000000 + 0.001 AS INTEGER)"


_SQLITE_DECIDED = f"""
WITH expired AS (
    SELECT coalesce(sum({_micros("amount_usd")}), 0) AS held,
           coalesce(sum(CASE WHEN created_at >= :month_start
                             THEN {_micros("amount_usd")} ELSE 0 END), 0) AS charged_now,
           count(*) AS holds
    FROM ai_budget_reservations
    WHERE user_id = :user_id AND expires_at <= :now
), decided AS (
    SELECT p.id,
           CASE WHEN p.ai_cost_month >= :month
                THEN {_micros("coalesce(p.current_month_ai_cost, 0)")} ELSE 0 END + e.charged_now
             AS spent,
           max(coalesce(p.ai_cost_month, :month), :month) AS month,
           {_micros("p.current_month_ai_reserved")} - e.held AS reserved,
           {_limit_micros("p.")} AS cap,
           p.subscription_status AS status,
           p.trial_ends_at,
           {_ENTITLED} AS entitled,
           NOT EXISTS (SELECT 1 FROM ai_model_trust t
                       WHERE t.model_used = :model AND t.price_basis = :price_basis) AS trusted,
           e.holds
    FROM user_profiles p CROSS JOIN expired e
    WHERE p.id = :user_id
)"""

# The common path: the conditional UPDATE, saying whether expired holds are left to sweep.
SQLITE_RESERVE = f"""{_SQLITE_DECIDED}
UPDATE user_profiles
SET current_month_ai_cost = d.spent / 1000000.0,
    ai_cost_month = d.month,
    current_month_ai_reserved = (d.reserved + :amount) / 1000000.0,
    updated_at = :now
FROM decided d
WHERE user_profiles.id = d.id AND d.entitled AND d.trusted
  AND d.spent + d.reserved + :amount <= d.cap
RETURNING {_micros("current_month_ai_cost")} AS spent, {_micros("current_month_ai_reserved")} AS reserved,
          {_limit_micros()} AS cap,
          (SELECT count(*) FROM ai_budget_reservations
           WHERE user_id = :user_id AND expires_at <= :now) AS expired
"""

# A refused call: what reserve saw, for the refusal or a smaller request.
SQLITE_FIGURES = f"""{_SQLITE_DECIDED}
SELECT entitled, trusted, spent, reserved, cap, status, trial_ends_at, holds FROM decided
"""

# A refused call that found expired holds: their charge still goes onto the profile.
SQLITE_APPLY_SWEEP = f"""{_SQLITE_DECIDED}
UPDATE user_profiles
SET current_month_ai_cost = d.spent / 1000000.0,
    ai_cost_month = d.month,
    current_month_ai_reserved = d.reserved / 1000000.0,
    updated_at = :now
FROM decided d
WHERE user_profiles.id = d.id
"""

SQLITE_INSERT_HOLD = """
INSERT INTO ai_budget_reservations (id, user_id, session_id, interaction_type, model_used,
                                    amount_usd, prompt_token_bound, max_completion_tokens,
                                    expires_at, created_at)
VALUES (:hold_id, :user_id, :session_id, :interaction_type, :model, :amount_usd,
        :prompt_token_bound, :max_completion_tokens, :expires_at, :now)
"""

# Expired holds become interactions at their worst case, under their own ids and creation
# times; then they go. (The profile already counts them: SQLITE_RESERVE or _APPLY_SWEEP.)
SQLITE_CHARGE_EXPIRED = """
INSERT INTO ai_interactions (id, user_id, session_id, interaction_type, prompt_tokens,
                             completion_tokens, model_used, cost_usd, created_at)
SELECT id, user_id, session_id, interaction_type, prompt_token_bound, max_completion_tokens,
       model_used, amount_usd, created_at
FROM ai_budget_reservations
WHERE user_id = :user_id AND expires_at <= :now
"""
SQLITE_DELETE_EXPIRED = "DELETE FROM ai_budget_reservations WHERE user_id = :user_id AND expires_at <= :now"

SQLITE_TAKE_HOLD = f"""
DELETE FROM ai_budget_reservations WHERE id = :hold_id
RETURNING user_id, session_id, interaction_type, model_used, {_micros("amount_usd")} AS held,
          max_completion_tokens
"""

SQLITE_INSERT_INTERACTION = """
INSERT INTO ai_interactions (id, user_id, session_id, interaction_type, prompt_tokens,
                             completion_tokens, model_used, cost_usd, created_at)
VALUES (:hold_id, :user_id, :session_id, :interaction_type, :prompt_tokens, :completion_tokens,
        :model, :cost_usd, :now)
"""

SQLITE_SETTLE_PROFILE = f"""
UPDATE user_profiles
SET current_month_ai_cost = (CASE WHEN ai_cost_month >= :month
                                  THEN {_micros("coalesce(current_month_ai_cost, 0)")} ELSE 0 END
                             + :cost) / 1000000.0,
    ai_cost_month = max(coalesce(ai_cost_month, :month), :month),
    current_month_ai_reserved = ({_micros("current_month_ai_reserved")} - :held) / 1000000.0,
    updated_at = :now
WHERE id = :user_id
RETURNING {_micros("current_month_ai_cost")} AS spent, {_micros("current_month_ai_reserved")} AS reserved,
          {_limit_micros()} AS cap,
          ai_cost_month AS month
"""

SQLITE_RELEASE_PROFILE = f"""
UPDATE user_profiles
SET current_month_ai_reserved = ({_micros("current_month_ai_reserved")} - :held) / 1000000.0
WHERE id = :user_id
"""

SQLITE_DISTRUST = """
INSERT INTO ai_model_trust (model_used, price_basis, reserved_usd, billed_usd,
                            max_completion_tokens, prompt_tokens, completion_tokens,
                            interaction_id, overrun_count, first_seen_at, last_seen_at)
VALUES (:model, :price_basis, :reserved_usd, :cost_usd, :max_completion_tokens, :prompt_tokens,
        :completion_tokens, :hold_id, 1, :now, :now)
ON CONFLICT (model_used) DO UPDATE
SET price_basis = excluded.price_basis, reserved_usd = excluded.reserved_usd,
    billed_usd = excluded.billed_usd, max_completion_tokens = excluded.max_completion_tokens,
    prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
    interaction_id = excluded.interaction_id, overrun_count = ai_model_trust.overrun_count + 1,
    last_seen_at = excluded.last_seen_at
"""
