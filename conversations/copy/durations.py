"""Durations as people say them: "45 min", "8 h", "2 d 3 h", in the reader's language."""

from __future__ import annotations

from datetime import timedelta

_UNITS = {
    "en": ("min", "h", "d"),
    "fa": ("دقیقه", "ساعت", "روز"),
}


def humanize(span: timedelta, lang: str = "en") -> str:
    """Rounded to the minute; at most two units, largest first ("1 d 2 h", "3 h 5 min")."""
    minute, hour, day = _UNITS.get(lang, _UNITS["en"])
    minutes = max(0, round(span.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, day), (hours, hour), (minutes, minute)]
    while len(parts) > 1 and parts[0][0] == 0:  # drop leading zero units
        parts.pop(0)
    shown = [f"{value} {unit}" for value, unit in parts[:2] if value]
    return " ".join(shown) or f"0 {minute}"
