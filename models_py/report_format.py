"""Number and table formatting shared by the report sections."""
from __future__ import annotations

import math


def fmt(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_ci(entry) -> str:
    """'0.8223 (0.7998-0.8434)' from {"value", "ci_low", "ci_high"}; a bare number without CI.

    A negative bound (R^2 can be negative) switches the separator to ' to ', which stays readable.
    """
    if isinstance(entry, dict):
        value = fmt(entry.get("value"))
        if "ci_low" in entry and "ci_high" in entry:
            low, high = entry["ci_low"], entry["ci_high"]
            negative = any(isinstance(b, (int, float)) and b < 0 for b in (low, high))
            return f"{value} ({fmt(low)}{' to ' if negative else '-'}{fmt(high)})"
        return value
    return fmt(entry)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
