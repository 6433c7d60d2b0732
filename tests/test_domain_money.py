"""The one dollar formatter: as many decimals as the amount has (2 to 6), never a false $0.00."""

from __future__ import annotations

from decimal import Decimal

import pytest

from patternlift_cli.domain.money import format_usd


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "$0.00"),
        ("3", "$3.00"),
        ("3.000000", "$3.00"),
        ("2.5", "$2.50"),
        ("0.0001", "$0.0001"),
        ("0.000691", "$0.000691"),
        ("2.9999", "$2.9999"),
        ("1234.5", "$1,234.50"),
        ("1234567.000001", "$1,234,567.000001"),
        ("0.0000004", "<$0.000001"),
        ("0.0000016", "$0.000002"),
        ("-1.5", "-$1.50"),
    ],
)
def test_amounts_show_the_decimals_they_have(amount: str, shown: str) -> None:
    assert format_usd(Decimal(amount)) == shown


def test_a_nonzero_amount_never_reads_as_zero() -> None:
    for exponent in range(1, 12):
        assert format_usd(Decimal(1).scaleb(-exponent)) not in ("$0.00", "$0.000000")


def test_not_a_number_is_not_money() -> None:
    with pytest.raises(ValueError):
        format_usd(Decimal("NaN"))
