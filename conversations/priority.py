"""Guessing a ticket's priority from how the requester describes the problem.

The requester can change it afterwards, so this only has to be a sensible first guess: words
about emergencies mean urgent, words about being stopped from working mean high, words about
having time mean low, anything else normal.
"""

from __future__ import annotations

import functools
import re

from kb import normalize

PRIORITIES = ("low", "normal", "high", "urgent")

# Phrases are written normalised (see kb.normalize): lower case, no punctuation, Persian letters,
# and no ZWNJ (normalize turns it into a space).
_CUES: dict[str, tuple[str, ...]] = {
    "urgent": (
        "urgent",
        "asap",
        "emergency",
        "immediately",
        "critical",
        "right now",
        "security breach",
        "hacked",
        "ransomware",
        "whole office",
        "everyone is down",
        "all users",
        "فوری",
        "اضطراری",
        "خیلی ضروری",
        "همین الان",
        "بحرانی",
        "هک شده",
        "همه کاربران",
    ),
    "high": (
        "down",
        "outage",
        "not working",
        "doesnt work",
        "does not work",
        "dont work",
        "cannot work",
        "cant work",
        "can t work",
        "cannot log in",
        "cant log in",
        "can t log in",
        "cannot login",
        "cant login",
        "locked out",
        "blocked",
        "broken",
        "stopped working",
        "no access",
        "deadline",
        "important",
        "کار نمی کند",
        "کار نمیکند",
        "کار نمی کنه",
        "کار نمیکنه",
        "قطع",
        "نمی توانم کار کنم",
        "نمیتونم کار کنم",
        "نمی تونم کار کنم",
        "خراب",
        "مهم",
        "قفل شده",
        "وارد نمی شوم",
        "نمی توانم وارد شوم",
        "نمیتونم وارد شم",
    ),
    "low": (
        "no rush",
        "not urgent",
        "when you have time",
        "whenever",
        "low priority",
        "nice to have",
        "عجله ای نیست",
        "فوری نیست",
        "هر وقت وقت داشتید",
        "اولویت پایین",
    ),
}

# Negations first ("not urgent" must not read as "urgent").
_ORDER = ("low", "urgent", "high")


@functools.cache  # compiled on first use: normalising the cues loads kb.normalize's tables
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        level: re.compile("|".join(rf"(?<!\S){re.escape(normalize(c))}(?!\S)" for c in cues))
        for level, cues in _CUES.items()
    }


def infer_priority(text: str) -> str:
    normalised = normalize(text)
    patterns = _patterns()
    for level in _ORDER:
        if patterns[level].search(normalised):
            return level
    return "normal"
