"""The knowledge base: articles loaded from YAML/Markdown, text normalisation, and matching.

Depends only on the standard library, rapidfuzz, scikit-learn/numpy/scipy, PyYAML and
python-frontmatter (checked by import-linter).
"""

from kb.articles import Article, KBError, KnowledgeBase, Problem, check_kb, load_kb
from kb.matcher import Match, Matcher, MatchResult, calibrate_threshold
from kb.normalize import detect_lang, normalize

__all__ = [
    "Article",
    "KBError",
    "KnowledgeBase",
    "Match",
    "MatchResult",
    "Matcher",
    "Problem",
    "calibrate_threshold",
    "check_kb",
    "detect_lang",
    "load_kb",
    "normalize",
]
