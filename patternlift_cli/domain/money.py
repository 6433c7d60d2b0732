"""How PatternLift writes an amount of money for people: the one dollar formatter.

Costs are stored to the micro-dollar (numeric(10,6)), and a tutor reply often costs less than
a cent, so two decimals would print a real $0.000691 as $0.00. Amounts keep the decimals they
have, from 2 up to the 6 that are stored; a nonzero amount is never shown as zero.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

MICRO_DOLLAR = Decimal("0.000001")
MIN_PLACES = 2
MAX_PLACES = 6


def format_usd(amount: Decimal | int) -> str:
    """format_usd(Decimal("1234.5")) -> '$1,234.50'; Decimal("0.000691") -> '$0.000691'."""
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"not an amount of money: {value}")
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    rounded = magnitude.quantize(MICRO_DOLLAR, rounding=ROUND_HALF_EVEN)
    if rounded == 0 and magnitude != 0:
        return f"{sign}<$0.000001"  # below what is stored: say so rather than print zero
    exponent = rounded.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = min(MAX_PLACES, max(MIN_PLACES, decimals))
    return f"{sign}${rounded:,.{places}f}"
