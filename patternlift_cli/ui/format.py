"""How numbers and paths read on screen (money: domain.money.format_usd)."""

from __future__ import annotations

from decimal import Decimal


def num(value: Decimal | float | int) -> str:
    """A score or percentage as people write it: 50.0 -> '50', 85.50 -> '85.5'."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def path_lines(path: str, width: int, indent: str = "  ") -> str:
    """A file path broken only after a separator, so no folder or file name is split."""
    if len(path) <= width:
        return path
    lines, current = [], ""
    for part in path.replace("\\", "/").split("/"):
        piece = part + "/"
        if current and len(indent) + len(current) + len(piece) > width:
            lines.append(current)
            current = ""
        current += piece
    lines.append(current.rstrip("/"))
    return ("\n" + indent).join(lines)
