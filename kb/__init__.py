"""The knowledge base: articles loaded from YAML/Markdown, text normalisation, and matching.

Depends only on the standard library, rapidfuzz, scikit-learn/numpy/scipy, PyYAML and
python-frontmatter (checked by import-linter).

The matcher's names are imported on first use (PEP 562): scikit-learn alone takes over a second
to import, and most ``deskbot`` commands never match a question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb.articles import Article, KBError, KnowledgeBase, Problem, check_kb, load_kb
from kb.deferred import DeferredMatcher, Matching
from kb.normalize import detect_lang, normalize

if TYPE_CHECKING:
    from kb.matcher import Match, Matcher, MatchResult, calibrate_threshold

_MATCHER_NAMES = frozenset({"Match", "Matcher", "MatchResult", "calibrate_threshold"})


def __getattr__(name: str) -> Any:
    if name in _MATCHER_NAMES:
        from kb import matcher

        return getattr(matcher, name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")


__all__ = [
    "Article",
    "DeferredMatcher",
    "KBError",
    "KnowledgeBase",
    "Match",
    "MatchResult",
    "Matcher",
    "Matching",
    "Problem",
    "calibrate_threshold",
    "check_kb",
    "detect_lang",
    "load_kb",
    "normalize",
]
