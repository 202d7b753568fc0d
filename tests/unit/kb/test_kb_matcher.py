"""Matcher: ranked articles for a question, and the decision whether to suggest them."""

from pathlib import Path
from textwrap import dedent

import pytest

from kb import Article, Match, Matcher, MatchResult, load_kb
from kb.matcher import calibrate_threshold

KB_YAML = """
- id: vpn-connect
  question: How do I connect to the VPN?
  alternates:
    - the vpn is not working
    - I cannot reach the company network from home
  answer: Open the VPN app and press *Connect*.
- id: password-reset
  question: How do I reset my password?
  alternates:
    - I forgot my password
    - my login password expired
  answer: Go to the account page.
- id: printer
  question: The printer on my floor does not print
  alternates:
    - printer is jammed
  answer: Call facilities.
- id: vacation
  question: How many vacation days do I have left?
  alternates:
    - check my remaining holiday allowance
  answer: See the HR portal.
- id: password-reset-fa
  question: چطور رمز عبورم را عوض کنم؟
  alternates:
    - رمز عبورم را فراموش کرده‌ام
  answer: به صفحهٔ حساب بروید.
  lang: fa
- id: vpn-fa
  question: چطور به وی‌پی‌ان وصل شوم؟
  alternates:
    - وی‌پی‌ان من کار نمی‌کند
  answer: برنامهٔ وی‌پی‌ان را باز کنید.
  lang: fa
"""


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    path = tmp_path_factory.mktemp("kb") / "faq.yml"
    path.write_text(dedent(KB_YAML), encoding="utf-8")
    return Matcher(load_kb(path).articles)


def best_id(result: MatchResult) -> str:
    assert result.matches, "no matches"
    return result.matches[0].article.id


@pytest.mark.parametrize(
    ("query", "article_id"),
    [
        ("I forgot my password, how can I reset it?", "password-reset"),
        ("my vpn isn't working any more", "vpn-connect"),
        ("can't connect to VPN!!", "vpn-connect"),
        ("how many holiday days are left", "vacation"),
        ("PRINTER JAMMED", "printer"),
    ],
)
def test_a_paraphrase_finds_the_right_article(
    matcher: Matcher, query: str, article_id: str
) -> None:
    result = matcher.match(query)
    assert best_id(result) == article_id
    assert result.answered
    assert result.suggestions[0].article.id == article_id


@pytest.mark.parametrize(
    ("query", "article_id"),
    [("vpn doesn't work", "vpn-connect"), ("holidays", "vacation"), ("login", "password-reset")],
)
def test_a_short_loose_paraphrase_still_ranks_the_right_article_first(
    matcher: Matcher, query: str, article_id: str
) -> None:
    # Too little overlap to be confident (answered may be False), but the ranking is right.
    assert best_id(matcher.match(query)) == article_id


def test_persian_query_typed_on_an_arabic_keyboard_without_zwnj_finds_the_persian_article(
    matcher: Matcher,
) -> None:
    # ي and ك instead of ی and ک, no ZWNJ in "نمی‌کند" / "وی‌پی‌ان".
    result = matcher.match("ويپيان من كار نميكند")
    assert best_id(result) == "vpn-fa"
    assert result.answered
    result = matcher.match("رمز عبورم را فراموش كردهام")
    assert best_id(result) == "password-reset-fa"
    assert result.answered


@pytest.mark.parametrize(
    "query",
    [
        "what is the weather like in Paris tomorrow",
        "recommend a good pizza recipe",
        "کتاب خوبی برای خواندن پیشنهاد بده",
    ],
)
def test_unrelated_text_is_declined(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert not result.answered
    assert result.suggestions == ()
    assert all(m.score < matcher.threshold for m in result.matches)


def test_identical_phrasing_scores_one_and_reports_that_phrasing(matcher: Matcher) -> None:
    result = matcher.match("the vpn is not working")
    best = result.matches[0]
    assert best.article.id == "vpn-connect"
    assert best.score == pytest.approx(1.0)
    assert best.phrasing == "the vpn is not working"  # the article's own text, not normalised


def test_scores_are_in_unit_interval_and_ranked_best_first(matcher: Matcher) -> None:
    for query in ["password", "vpn", "printer vpn password", "x", "وی‌پی‌ان", "🙂 ok"]:
        result = matcher.match(query, top=10)
        scores = [m.score for m in result.matches]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        ids = [m.article.id for m in result.matches]
        assert len(ids) == len(set(ids)), "an article appears once, scored by its best phrasing"


@pytest.mark.parametrize("top", [1, 2, 3, 5])
def test_top_n_is_respected(matcher: Matcher, top: int) -> None:
    result = matcher.match("how do I reset my VPN password", top=top)
    assert len(result.matches) == top


def test_top_n_is_respected_when_few_articles_own_many_phrasings() -> None:
    articles = [
        Article(
            f"a{i}",
            f"reset my password on system {i}",
            "-",
            alternates=tuple(f"reset my password on system {i} variant {x}" for x in range(150)),
        )
        for i in range(12)
    ]
    result = Matcher(articles).match("reset my password", top=10)
    assert len(result.matches) == 10
    assert len({m.article.id for m in result.matches}) == 10


def test_top_larger_than_the_kb_returns_what_there_is(matcher: Matcher) -> None:
    assert len(matcher.match("password", top=100).matches) <= len(matcher.articles)


@pytest.mark.parametrize("query", ["", "   ", "\u200c", "؟!،"])
def test_blank_query_is_not_answered(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert result == MatchResult(query, False, (), matcher.threshold)
    assert result.suggestions == ()


def test_lang_filter_keeps_only_that_language(matcher: Matcher) -> None:
    # English words, but the caller asks for Persian articles only.
    result = matcher.match("vpn password", top=5, lang="fa")
    assert result.matches
    assert {m.article.lang for m in result.matches} == {"fa"}

    result = matcher.match("رمز عبور", top=5, lang="en")
    assert {m.article.lang for m in result.matches} == {"en"}


def test_lang_without_articles_considers_all(matcher: Matcher) -> None:
    result = matcher.match("I forgot my password", top=10, lang="de")
    assert best_id(result) == "password-reset"
    assert {m.article.lang for m in result.matches} == {"en", "fa"}
    assert matcher.match("I forgot my password", top=10, lang=None).matches == result.matches


def test_suggestions_are_the_matches_at_or_above_the_threshold() -> None:
    articles = [
        Article("a", "reset my password", "-"),
        Article("b", "reset my password please now", "-"),
        Article("c", "order a pizza", "-"),
    ]
    result = Matcher(articles, threshold=0.5).match("reset my password", top=3)
    assert result.answered
    assert [m.article.id for m in result.suggestions] == [
        m.article.id for m in result.matches if m.score >= 0.5
    ]
    assert "c" not in {m.article.id for m in result.suggestions}
    assert len(result.suggestions) == 2


def test_threshold_decides_answered() -> None:
    articles = [Article("a", "reset my password", "-")]
    assert Matcher(articles, threshold=0.0).match("pizza").answered
    assert not Matcher(articles, threshold=1.0).match("reset password").answered
    assert Matcher(articles, threshold=1.0).match("Reset my password!").answered
    with pytest.raises(ValueError):
        Matcher(articles, threshold=1.5)


def test_default_threshold_is_a_probability_like_score() -> None:
    assert 0.0 < Matcher.DEFAULT_THRESHOLD < 1.0
    assert Matcher([]).threshold == Matcher.DEFAULT_THRESHOLD


def test_empty_kb_matches_nothing() -> None:
    result = Matcher([]).match("anything")
    assert not result.answered and result.matches == ()


def test_phrasings_that_normalise_to_nothing_are_skipped() -> None:
    matcher = Matcher([Article("a", "?!", "-", alternates=("reset password",))])
    assert len(matcher) == 1
    assert matcher.match("reset my password").matches[0].phrasing == "reset password"


def test_match_is_a_frozen_value() -> None:
    article = Article("a", "q", "-")
    match = Match(article, 0.5, "q")
    with pytest.raises(AttributeError):
        match.score = 1.0  # type: ignore[misc]


def test_many_articles_still_find_the_right_one() -> None:
    articles = [
        Article(f"topic-{i}", f"question number {i} about subject {i * 7}", "-") for i in range(500)
    ]
    articles.append(Article("vpn", "How do I connect to the VPN?", "-"))
    result = Matcher(articles).match("connecting to the vpn")
    assert best_id(result) == "vpn"


def test_calibrate_threshold_separates_answerable_from_out_of_scope() -> None:
    in_scope = [(0.9, True), (0.8, True), (0.75, False), (0.7, True)]
    out_of_scope = [0.2, 0.4, 0.5]
    threshold = calibrate_threshold(in_scope, out_of_scope)
    assert 0.5 < threshold <= 0.7
    with pytest.raises(ValueError):
        calibrate_threshold([], [0.1])


def test_calibrate_threshold_declines_nothing_when_out_of_scope_scores_are_highest() -> None:
    assert calibrate_threshold([(0.3, True)], [0.9]) == 0.0


def test_works_with_a_sample_kb_directory_layout(tmp_path: Path) -> None:
    (tmp_path / "fa").mkdir()
    (tmp_path / "en.yml").write_text(
        "- {id: wifi, question: 'How do I join the Wi-Fi?', answer: 'Use the guest network.'}\n",
        encoding="utf-8",
    )
    (tmp_path / "fa" / "wifi.md").write_text(
        "---\nid: wifi-fa\nquestion: چطور به وای‌فای وصل شوم؟\nlang: fa\n---\nاز شبکهٔ مهمان.\n",
        encoding="utf-8",
    )
    matcher = Matcher(load_kb(tmp_path).articles)
    assert best_id(matcher.match("چطور به واي فاي وصل شوم")) == "wifi-fa"
    assert best_id(matcher.match("how to join wifi", lang="en")) == "wifi"
