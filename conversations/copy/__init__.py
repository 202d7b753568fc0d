"""Every user-visible string, per language. ``text(lang, key, **params)`` looks one up.

Catalogues are plain dicts of ``str.format`` templates. A test keeps every catalogue complete and
its placeholders identical to English, so a missing translation is a failing test, not a blank.
"""

from __future__ import annotations

from types import MappingProxyType

from conversations.copy import en, fa

CATALOGUES = MappingProxyType({"en": en.MESSAGES, "fa": fa.MESSAGES})
LANGUAGES = frozenset(CATALOGUES)
DEFAULT_LANG = "en"


def text(lang: str, key: str, /, **params: object) -> str:
    catalogue = CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANG])
    return catalogue[key].format(**params)


def supported(lang: str | None) -> str | None:
    """The catalogue for a platform locale such as ``fa-IR`` or ``en_US``, if we have one."""
    if not lang:
        return None
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    return base if base in CATALOGUES else None
