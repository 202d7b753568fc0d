"""Find the KB articles that answer a question, and decide whether the best one is good enough.

Lexical matching, as measured in the team's notes (shared/notes/matching.md) and re-measured by
``benchmarks/kb_match.py``: every phrasing of every article is indexed with word TF-IDF and
character n-gram TF-IDF (2-5, within word boundaries); a query is scored against all phrasings
through the inverted index (a sparse product), the best ``_CANDIDATES`` phrasings are re-scored
with rapidfuzz's ``token_set_ratio``, and the three similarities are blended into one score in
[0, 1]. An article scores as its best phrasing. rapidfuzz's ``WRatio`` (the default scorer of
``process.extract*``) and ``partial_ratio`` are deliberately not used: they give most phrasings that
share one word with the query the same high score.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from kb.articles import Article
from kb.normalize import normalize

__all__ = ["Match", "MatchResult", "Matcher", "calibrate_threshold"]

logger = logging.getLogger(__name__)

# Blend weights of word TF-IDF cosine, char n-gram TF-IDF cosine and token_set_ratio / 100. They
# sum to 1, so a phrasing identical to the query (after normalize) scores exactly 1.
_WORD_WEIGHT = 0.3
_CHAR_WEIGHT = 0.4
_FUZZ_WEIGHT = 0.3
# Phrasings re-scored with token_set_ratio. The notes measured ~100 as enough for the same
# accuracy as scoring every phrasing.
_CANDIDATES = 100


@dataclass(frozen=True, slots=True)
class Match:
    article: Article
    score: float  # in [0, 1], higher is better
    phrasing: str  # the article's phrasing that scored best


@dataclass(frozen=True, slots=True)
class MatchResult:
    query: str
    answered: bool  # the best score reached the threshold: confident enough to suggest
    matches: tuple[Match, ...]  # ranked best first
    threshold: float = 0.0

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def suggestions(self) -> tuple[Match, ...]:
        """The matches worth showing a user: none when not answered, else those >= threshold."""
        if not self.answered:
            return ()
        return tuple(m for m in self.matches if m.score >= self.threshold)


class Matcher:
    """An index over the phrasings of a set of articles, built once, queried many times."""

    # Measured by benchmarks/kb_match.py: the threshold (on a 0.01 grid) that maximises the mean,
    # over five calibration sets, of the balanced decline score (share of in-scope questions
    # answered correctly + share of out-of-scope questions declined) / 2. The sets: CLINC150 with
    # 5 and with all phrasings per intent (in-scope questions from train, not in the KB, and
    # oos_train; never val) and HINT3's three bots (cross-validation on train with held-out labels
    # as out-of-scope). Per-KB optima ranged 0.56-0.73, so a KB with labelled questions should be
    # calibrated with calibrate_threshold() instead.
    DEFAULT_THRESHOLD: float = 0.63

    def __init__(self, articles: Iterable[Article], *, threshold: float | None = None) -> None:
        if threshold is None:
            threshold = self.DEFAULT_THRESHOLD
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        self.threshold = threshold
        self.articles: tuple[Article, ...] = tuple(articles)

        keys: list[str] = []
        phrasings: list[str] = []
        owners: list[int] = []
        for index, article in enumerate(self.articles):
            seen: set[str] = set()
            for phrasing in article.phrasings:
                key = normalize(phrasing)
                if key and key not in seen:
                    seen.add(key)
                    keys.append(key)
                    phrasings.append(phrasing)
                    owners.append(index)
        self._keys = keys
        self._phrasings = phrasings
        self._owners = np.asarray(owners, dtype=np.int64)
        self._lang_masks: dict[str, np.ndarray] = {}
        for lang in {a.lang for a in self.articles}:
            article_in_lang = np.array([a.lang == lang for a in self.articles], dtype=bool)
            self._lang_masks[lang] = article_in_lang[self._owners]

        if keys:
            self._word: _TfidfIndex | None = _TfidfIndex(
                TfidfVectorizer(
                    analyzer="word",
                    token_pattern=r"\S+",  # normalize() already split on punctuation; keep "a", "5"
                    lowercase=False,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
                keys,
            )
            self._char: _TfidfIndex | None = _TfidfIndex(
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    lowercase=False,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
                keys,
            )
        else:
            self._word = self._char = None
        logger.debug("indexed %d phrasings of %d articles", len(keys), len(self.articles))

    def __len__(self) -> int:
        """The number of distinct (normalised) phrasings indexed."""
        return len(self._keys)

    def match(self, query: str, *, top: int = 3, lang: str | None = None) -> MatchResult:
        """Rank articles for ``query``: at most ``top`` matches, best first.

        With ``lang``, only articles in that language are considered, if the KB has any;
        otherwise all are.
        """
        key = normalize(query)
        if not key or self._word is None or self._char is None or top < 1:
            return MatchResult(query, False, (), self.threshold)

        prefilter = np.zeros(len(self._keys), dtype=np.float32)
        self._word.add_cosines(prefilter, key, _WORD_WEIGHT)
        self._char.add_cosines(prefilter, key, _CHAR_WEIGHT)
        mask = self._lang_masks.get(lang) if lang is not None else None
        if mask is not None:
            allowed = np.flatnonzero(mask)
            local = prefilter[allowed]
        else:
            allowed = None
            local = prefilter
        # Enough candidates to hold `top` distinct articles (more only when few articles own the
        # best phrasings, e.g. a large `top` over articles with many phrasings).
        k = _CANDIDATES
        while True:
            if k < local.size:
                best = np.argpartition(-local, k - 1)[:k]
            else:
                best = np.arange(local.size)
            candidates = best if allowed is None else allowed[best]
            if best.size == local.size or np.unique(self._owners[candidates]).size >= top:
                break
            k *= 4

        fuzzy = process.cdist(
            [key],
            [self._keys[i] for i in candidates],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
        )[0]
        scores = prefilter[candidates] + fuzzy * (_FUZZ_WEIGHT / 100.0)
        # float32 sums leave an identical phrasing at 0.9999998; six decimals are plenty.
        scores = np.clip(np.round(scores.astype(np.float64), 6), 0.0, 1.0)

        # Best phrasing per article, then the top articles; ties go to the earlier article.
        order = np.lexsort((candidates, -scores))
        matches: list[Match] = []
        taken: set[int] = set()
        for i in order:
            owner = int(self._owners[candidates[i]])
            if owner in taken:
                continue
            taken.add(owner)
            matches.append(
                Match(self.articles[owner], float(scores[i]), self._phrasings[candidates[i]])
            )
            if len(matches) == top:
                break
        answered = matches[0].score >= self.threshold
        return MatchResult(query, answered, tuple(matches), self.threshold)


class _TfidfIndex:
    """One TF-IDF view of the phrasings, kept as an inverted index.

    The matrix is stored transposed (feature x phrasing, CSR), so a query's product walks only the
    posting lists of its own features. Queries are encoded here rather than with
    ``TfidfVectorizer.transform``, whose per-call overhead (parameter validation, sparse matrix
    assembly) was half of a query's time on a small KB; the arithmetic is the same: counts,
    1 + log(tf), times idf, L2-normalised over known features.
    """

    __slots__ = ("_analyze", "_idf", "_postings", "_vocabulary", "_width")

    def __init__(self, vectorizer: TfidfVectorizer, keys: list[str]) -> None:
        matrix = vectorizer.fit_transform(keys)
        self._postings = matrix.T.tocsr()
        self._width = matrix.shape[1]
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = vectorizer.idf_.astype(np.float32)

    def encode(self, key: str) -> csr_matrix | None:
        """The query's TF-IDF row (1 x features), or None when it shares no feature."""
        counts: dict[int, int] = {}
        vocabulary = self._vocabulary
        for term in self._analyze(key):
            index = vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return None
        indices = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self._idf[indices]
        values /= np.sqrt(np.dot(values, values))
        order = np.argsort(indices)
        return csr_matrix(
            (values[order], indices[order], np.array([0, len(counts)], dtype=np.int32)),
            shape=(1, self._width),
        )

    def add_cosines(self, out: np.ndarray, key: str, weight: float) -> None:
        """Add ``weight`` x cosine(query, phrasing) to ``out`` for phrasings sharing a feature."""
        vector = self.encode(key)
        if vector is None:
            return
        hits = vector @ self._postings  # 1 x phrasings, sparse
        out[hits.indices] += weight * hits.data


def calibrate_threshold(
    in_scope: Sequence[tuple[float, bool]], out_of_scope: Sequence[float]
) -> float:
    """Pick a decline threshold from labelled questions.

    ``in_scope`` holds (best score, whether the best article was right) for questions the KB should
    answer; ``out_of_scope`` the best scores of questions it should decline. Returns the threshold
    maximising (share of in-scope answered correctly + share of out-of-scope declined) / 2, placed
    halfway between the two neighbouring observed scores. A question is answered when its score is
    >= the threshold.
    """
    if not in_scope or not out_of_scope:
        raise ValueError("need at least one in-scope and one out-of-scope question")
    # Candidate thresholds: every observed score, plus "answer everything" (0) and "nothing" (>1).
    points = sorted({0.0, *(s for s, _ in in_scope), *out_of_scope, 1.0 + 1e-9})
    correct_scores = np.sort([s for s, ok in in_scope if ok])
    oos_scores = np.sort(np.asarray(out_of_scope, dtype=float))
    cuts = np.asarray(points)
    # answered correctly: correct in-scope questions with score >= cut
    answered_ok = correct_scores.size - np.searchsorted(correct_scores, cuts, side="left")
    declined = np.searchsorted(oos_scores, cuts, side="left")
    value = answered_ok / len(in_scope) + declined / oos_scores.size
    best = int(np.argmax(value))
    if best == 0:
        return 0.0
    return float(min(1.0, (cuts[best - 1] + cuts[best]) / 2))
