"""The message catalogues: complete, placeholder-compatible with English, and well-formed."""

from __future__ import annotations

import string

import pytest

from conversations.copy import CATALOGUES, DEFAULT_LANG, supported, text

ENGLISH = CATALOGUES["en"]
OTHERS = sorted(lang for lang in CATALOGUES if lang != "en")
ARABIC_YEH, ARABIC_KAF = "\u064a", "\u0643"


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def entries() -> list[tuple[str, str, str]]:
    return [
        (lang, key, value)
        for lang, catalogue in sorted(CATALOGUES.items())
        for key, value in sorted(catalogue.items())
    ]


def test_default_language_is_english() -> None:
    assert DEFAULT_LANG == "en"
    assert "fa" in CATALOGUES


@pytest.mark.parametrize("lang", OTHERS)
def test_catalogue_has_exactly_the_english_keys(lang: str) -> None:
    keys = set(CATALOGUES[lang])
    assert not set(ENGLISH) - keys, "missing translations"
    assert not keys - set(ENGLISH), "keys English does not have"


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_match_english(lang: str) -> None:
    mismatched = {
        key: (placeholders(ENGLISH[key]), placeholders(value))
        for key, value in CATALOGUES[lang].items()
        if key in ENGLISH and placeholders(value) != placeholders(ENGLISH[key])
    }
    assert not mismatched


@pytest.mark.parametrize(("lang", "key", "value"), entries())
def test_value_is_a_non_empty_string(lang: str, key: str, value: str) -> None:
    assert isinstance(value, str)
    assert value.strip()


@pytest.mark.parametrize(("lang", "key", "value"), entries())
@pytest.mark.parametrize("mark", ["*", "`"])
def test_markup_is_balanced(lang: str, key: str, value: str, mark: str) -> None:
    assert value.count(mark) % 2 == 0


@pytest.mark.parametrize(("key", "value"), sorted(CATALOGUES["fa"].items()))
def test_persian_uses_persian_letters(key: str, value: str) -> None:
    assert ARABIC_YEH not in value, "use Persian ی (U+06CC), not Arabic ي"
    assert ARABIC_KAF not in value, "use Persian ک (U+06A9), not Arabic ك"


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_template_formats_with_its_placeholders(lang: str) -> None:
    for key, value in CATALOGUES[lang].items():
        params = {name: f"<{name}>" for name in placeholders(value)}
        assert text(lang, key, **params)


def test_text_formats_the_template() -> None:
    assert text("en", "ticket_opened", id=7) == "I've opened ticket *#7* for you."
    assert "*#7*" in text("fa", "ticket_opened", id=7)


@pytest.mark.parametrize("lang", ["de", "xx", ""])
def test_text_falls_back_to_english_for_an_unknown_language(lang: str) -> None:
    assert text(lang, "ticket_opened", id=7) == text("en", "ticket_opened", id=7)
    assert text(lang, "greeting") == ENGLISH["greeting"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fa-IR", "fa"),
        ("fa_IR", "fa"),
        ("FA", "fa"),
        ("fa", "fa"),
        ("en-US", "en"),
        ("en", "en"),
        ("de-DE", None),
        (None, None),
        ("", None),
    ],
)
def test_supported_maps_platform_locales(locale: str | None, expected: str | None) -> None:
    assert supported(locale) == expected
