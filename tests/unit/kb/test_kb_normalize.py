"""normalize() and detect_lang(): one key for every way people type the same words."""

import pytest

from kb import detect_lang, normalize

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("مصطفى", "مصطفی"),  # alef maksura
        ("كتاب", "کتاب"),  # Arabic kaf
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("خانۀ", "خانه"),  # heh with hamza above
        ("مسأله", "مساله"),  # alef with hamza above
        ("إيران", "ایران"),  # alef with hamza below
        ("آب", "اب"),  # alef with madda
        ("مسئول", "مسیول"),  # yeh with hamza
        ("مؤسسه", "موسسه"),  # waw with hamza
        ("اجزاء", "اجزا"),  # standalone hamza
        ("ﻻ", "لا"),  # presentation-form ligature (NFKC)
    ],
)
def test_arabic_letter_forms_become_persian(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_keyboard_variants_of_a_persian_sentence_are_equal() -> None:
    persian_keyboard = "رمز کارت بانکی‌ام را فراموش کرده‌ام"
    arabic_keyboard = "رمز كارت بانكي ام را فراموش كرده ام"
    assert normalize(persian_keyboard) == normalize(arabic_keyboard)


@pytest.mark.parametrize(
    "variants",
    [
        (f"می{ZWNJ}خواهم", "میخواهم", "می خواهم", "مي خواهم"),
        (f"نمی{ZWNJ}توانم", "نمیتوانم", "نمی توانم"),
        (f"کتاب{ZWNJ}ها", "کتابها", "کتاب ها", "كتاب ها"),
        (f"بزرگ{ZWNJ}تر", "بزرگتر", "بزرگ تر"),
        (f"خسته{ZWNJ}ام", "خستهام", "خسته ام"),
    ],
)
def test_zwnj_missing_zwnj_and_space_normalise_alike(variants: tuple[str, ...]) -> None:
    assert len({normalize(v) for v in variants}) == 1


def test_zwnj_policy_joins_the_parts() -> None:
    assert normalize(f"می{ZWNJ}خواهم") == "میخواهم"
    assert normalize("می خواهم بروم") == "میخواهم بروم"


def test_other_zero_width_and_bidi_marks_are_removed() -> None:
    text = "\u200fسلام\u200e \u2067VPN\u2069\u200d\ufeff\u200b\u00ad"
    assert normalize(text) == "سلام vpn"


def test_a_word_on_its_own_is_not_glued_to_its_neighbour() -> None:
    # Only detached affixes are glued; ordinary words stay apart.
    assert normalize("کارت بانکی من") == "کارت بانکی من"
    assert normalize("می") == "می"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),  # Persian digits
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),  # Arabic-Indic digits
        ("کد ۴۲۷", "کد 427"),
    ],
)
def test_digits_become_ascii(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_diacritics_and_tatweel_are_removed() -> None:
    assert normalize("سَلامٌ عَلَیْکُمْ") == "سلام علیکم"
    assert normalize("مُحَمَّد") == "محمد"  # shadda
    assert normalize("هٰذا") == "هذا"  # superscript alef
    assert normalize("كتـــاب") == "کتاب"  # tatweel


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("سلام، خوبی؟", "سلام خوبی"),
        ("«بله»؛ نه!", "بله نه"),
        ("Hello, world!!!", "hello world"),
        ("  VPN\t—  not\nworking...  ", "vpn not working"),
        ("e-mail/password (again)", "e mail password again"),
        ("price: $5 + tax 🙂", "price 5 tax"),
    ],
)
def test_punctuation_and_symbols_become_single_spaces(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_case_is_folded_and_compatibility_forms_unified() -> None:
    assert normalize("Straße ＶＰＮ") == "strasse vpn"  # casefold, full-width letters


def test_apostrophes_are_dropped_so_contractions_meet_their_plain_spelling() -> None:
    assert normalize("Don't") == normalize("dont") == "dont"
    assert normalize("what’s up") == "whats up"


def test_normalize_is_idempotent_and_handles_blank_text() -> None:
    samples = ["می خواهم", "Don't STOP!", "۱۲ كتاب", "   ", ""]
    for text in samples:
        assert normalize(normalize(text)) == normalize(text)
    assert normalize("  \u200c ،؟ ") == ""


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How do I reset my password?", "en"),
        ("چطور رمز عبورم را عوض کنم؟", "fa"),
        ("وي پي ان كار نميكند", "fa"),  # Arabic keyboard letters
        ("VPN من کار نمی‌کند", "fa"),  # mostly Persian with a Latin acronym
        ("my VPN says خطا", "en"),  # mostly Latin
        ("Café crème", "en"),
        ("12345 !?", None),  # no letters
        ("", None),
        ("Привет мир", None),  # neither script
    ],
)
def test_detect_lang(text: str, lang: str | None) -> None:
    assert detect_lang(text) == lang
