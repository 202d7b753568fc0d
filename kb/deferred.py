"""A matcher built when it is first needed, so a process that never matches never imports
scikit-learn or builds the index (``deskbot tickets list`` is one; ``deskbot serve`` builds it
before it answers, see ``warm``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from kb.articles import Article

if TYPE_CHECKING:
    from kb.matcher import Matcher, MatchResult


class Matching(Protocol):
    """What the conversation engine asks of a matcher."""

    def match(self, query: str, *, top: int = 3, lang: str | None = None) -> MatchResult: ...


class DeferredMatcher:
    def __init__(self, articles: Sequence[Article], *, threshold: float | None = None) -> None:
        self._articles = articles
        self._threshold = threshold
        self._matcher: Matcher | None = None

    def warm(self) -> Matcher:
        """The matcher, built now if it was not yet."""
        if self._matcher is None:
            from kb.matcher import Matcher

            self._matcher = Matcher(self._articles, threshold=self._threshold)
        return self._matcher

    def match(self, query: str, *, top: int = 3, lang: str | None = None) -> MatchResult:
        return self.warm().match(query, top=top, lang=lang)
