"""Text normalisation for matching: one canonical form for every way people type the same words.

``normalize`` is a *search key*, not display text: it is lossy on purpose (case, punctuation,
Arabic vs Persian letter forms, diacritics, digits, ZWNJ) so that a question typed on an Arabic
keyboard layout, without ZWNJ, or with Persian digits meets the same KB phrasing. It runs on every
query and every phrasing, so it is a handful of C-level passes (``unicodedata.normalize``,
``str.translate`` and three compiled regular expressions), no per-character Python loop.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["detect_lang", "normalize"]


# Built on the first call, not at import: the scan takes about half a second, and most `deskbot`
# commands never normalise a word.
@functools.cache
def _tables() -> tuple[dict[int, str | None], re.Pattern[str]]:
    """The translation table and the separator pattern, from one scan of the Unicode database."""
    table: dict[int, str | None] = {}
    # Arabic letter forms -> the Persian letters (and a few hamza/madda carriers -> the bare
    # letter, because people type them inconsistently: مسأله / مساله, آیا / ایا).
    for chars, target in (
        ("\u064a\u0649\u0626\u06d0", "\u06cc"),  # ي ى ئ ې -> ی
        ("\u0643\u06aa", "\u06a9"),  # ك ڪ -> ک
        ("\u0629\u06c0\u06c1\u06be\u06d5", "\u0647"),  # ة ۀ ہ ھ ە -> ه
        ("\u0622\u0623\u0625\u0671\u0672\u0673", "\u0627"),  # آ أ إ ٱ ٲ ٳ -> ا
        ("\u0624", "\u0648"),  # ؤ -> و
    ):
        for ch in chars:
            table[ord(ch)] = target
    # Persian and Arabic-Indic digits -> ASCII.
    for i in range(10):
        table[0x06F0 + i] = str(i)
        table[0x0660 + i] = str(i)
    # Removed outright: Arabic diacritics (harakat, tanwin, shadda, sukun, maddah, hamza
    # above/below, superscript alef, Quranic marks), tatweel, the standalone hamza (اجزاء / اجزا),
    # and apostrophes, so "don't" meets "dont" and "what's" meets "whats".
    removed = [
        *range(0x0610, 0x061B),
        *range(0x064B, 0x0660),
        0x0670,
        *range(0x06D6, 0x06DD),
        *range(0x06DF, 0x06E9),
        *range(0x06EA, 0x06EE),
        0x0640,
        0x0621,
        ord("'"),
        0x2018,
        0x2019,
        0x02BC,
    ]
    for cp in removed:
        table[cp] = None
    # Every format character (Cf) is removed: ZWNJ U+200C, ZWJ, zero-width space, soft hyphen,
    # bidi marks and isolates, BOM, Arabic letter mark. Removing ZWNJ (rather than turning it into a
    # space) is the policy that keeps "می‌خواهم" equal to "میخواهم", which is what keyboards
    # without ZWNJ produce; the detached form "می خواهم" is glued back by _PREFIX below.
    # Punctuation, symbols, separators and control characters become spaces (the separator
    # pattern runs after the table, so the apostrophes removed above never become spaces).
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        if cat == "Cf":
            table.setdefault(cp, None)
        elif cat[0] in "PSZ" or cat == "Cc":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    parts = [
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in ranges
    ]
    return table, re.compile("[" + "".join(parts) + "]+")


_ARABIC_LETTER = "\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff"
# Detached Persian affixes are glued to their word, the form a keyboard without ZWNJ produces:
# "می خواهم" / "می‌خواهم" -> "میخواهم", "کتاب ها" / "کتاب‌ها" -> "کتابها". The lists hold only
# affixes that are (almost) never words on their own.
_PREFIX = re.compile(rf"(?<!\S)(ن?می|بی) (?=[{_ARABIC_LETTER}])")
_SUFFIX = re.compile(
    rf"(?<=[{_ARABIC_LETTER}]) "
    r"(ها|های|هایی|هایم|هایت|هایش|هایمان|هایتان|هایشان|تر|ترین|ی|ام|ای|ایم|اید|اند)(?!\S)"
)


def normalize(text: str) -> str:
    """Return the matching key of ``text``.

    NFKC, casefold, Persian letter forms, no diacritics/tatweel/ZWNJ/format characters, ASCII
    digits, punctuation and symbols as single spaces, stripped.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    table, separators = _tables()
    text = text.translate(table)
    text = separators.sub(" ", text).strip()
    if not text.isascii():
        text = _PREFIX.sub(r"\1", text)
        text = _SUFFIX.sub(r"\1", text)
    return text


def _is_arabic_script(cp: int) -> bool:
    return (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    )


def _is_latin(cp: int) -> bool:
    return cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF5A


def detect_lang(text: str) -> str | None:
    """Guess the language of ``text`` from its letters' scripts.

    ``"fa"`` when more than half of the letters are Persian/Arabic script (Arabic-language text
    also lands here: the two cannot be told apart this cheaply), ``"en"`` when more than half are
    Latin, ``None`` when there are no letters or neither script has a majority.
    """
    arabic = latin = total = 0
    for ch in text:
        if ch.isalpha():
            total += 1
            cp = ord(ch)
            if _is_arabic_script(cp):
                arabic += 1
            elif _is_latin(cp):
                latin += 1
    if arabic * 2 > total:
        return "fa"
    if latin * 2 > total:
        return "en"
    return None
