"""Loading a KB from YAML and Markdown, and reporting every problem with its file and entry."""

from pathlib import Path
from textwrap import dedent

import pytest

from kb import Article, KBError, KnowledgeBase, Problem, check_kb, load_kb


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


VPN_YAML = """
- id: vpn-connect
  question: How do I connect to the VPN?
  alternates:
    - vpn is not working
    - cannot reach the vpn
  answer: |
    Open the *VPN* app and press `Connect`.
    - Check your password
  tags: [network, vpn]
- id: vpn-fa
  question: چطور به وی‌پی‌ان وصل شوم؟
  answer: برنامه را باز کنید.
  lang: fa
"""

PASSWORD_MD = """
---
id: password-reset
question: How do I reset my password?
alternates: ["forgot my password"]
tags: [account]
---
Go to https://example.com/reset and follow the _steps_.
"""


def only_problem(path: Path) -> Problem:
    _, problems = check_kb(path)
    assert len(problems) == 1, problems
    return problems[0]


# --- loading ----------------------------------------------------------------------------------


def test_yaml_file_loads_every_field(tmp_path: Path) -> None:
    path = write(tmp_path / "vpn.yml", VPN_YAML)
    kb = load_kb(path)
    assert [a.id for a in kb.articles] == ["vpn-connect", "vpn-fa"]
    vpn = kb.get("vpn-connect")
    assert vpn == Article(
        id="vpn-connect",
        question="How do I connect to the VPN?",
        answer="Open the *VPN* app and press `Connect`.\n- Check your password",
        alternates=("vpn is not working", "cannot reach the vpn"),
        tags=("network", "vpn"),
        lang="en",
        source=str(path),
    )
    assert vpn.phrasings == (
        "How do I connect to the VPN?",
        "vpn is not working",
        "cannot reach the vpn",
    )
    fa = kb.get("vpn-fa")
    assert fa is not None and fa.lang == "fa" and fa.alternates == () and fa.tags == ()


def test_markdown_article_takes_its_answer_from_the_body(tmp_path: Path) -> None:
    path = write(tmp_path / "password.md", PASSWORD_MD)
    kb = load_kb(str(path))  # a str path works too
    (article,) = kb.articles
    assert article.id == "password-reset"
    assert article.question == "How do I reset my password?"
    assert article.alternates == ("forgot my password",)
    assert article.tags == ("account",)
    assert article.answer == "Go to https://example.com/reset and follow the _steps_."
    assert article.lang == "en"
    assert article.source == str(path)


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "password.md", PASSWORD_MD)
    write(tmp_path / "a.yml", VPN_YAML)
    write(tmp_path / "b" / "c" / "more.yaml", "- {id: more, question: 'q?', answer: a.}\n")
    write(tmp_path / "notes.txt", "not a KB file: ignored")
    write(tmp_path / ".hidden.yml", "not: [valid")  # dot files are ignored
    write(tmp_path / "README.md", "# How to write articles\nNo front matter here.")
    write(tmp_path / "sub" / "readme.md", "Nor here.")
    write(tmp_path / ".git" / "x.yml", "not: [valid")
    kb = load_kb(tmp_path)
    # sorted by path: a.yml, b/c/more.yaml, b/password.md
    assert [a.id for a in kb.articles] == ["vpn-connect", "vpn-fa", "more", "password-reset"]
    assert len(kb) == 4
    assert kb.languages == frozenset({"en", "fa"})
    assert kb.get("more") is not None and kb.get("missing") is None


def test_an_empty_list_is_a_valid_file_with_no_entries(tmp_path: Path) -> None:
    write(tmp_path / "empty.yml", "[]\n")
    write(tmp_path / "vpn.yml", VPN_YAML)
    assert len(load_kb(tmp_path)) == 2


def test_null_optional_fields_count_as_absent(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.yml", "- {id: x, question: q, answer: a, alternates: , tags: }\n")
    (article,) = load_kb(path).articles
    assert article.alternates == () and article.tags == ()


def test_knowledge_base_rejects_duplicate_ids_given_directly() -> None:
    a = Article("same", "q", "a")
    with pytest.raises(ValueError, match="duplicate"):
        KnowledgeBase([a, a])


# --- one problem at a time: the message names the file and the entry ----------------------


@pytest.mark.parametrize(
    ("yaml_text", "entry", "message"),
    [
        ("- {question: q, answer: a}", "entry 1", "id is missing"),
        ("- {id: '  ', question: q, answer: a}", "entry 1", "id is empty"),
        ("- {id: 42, question: q, answer: a}", "entry 1", "id must be a string, got a number"),
        ("- {id: x, answer: a}", "x", "question is missing"),
        ("- {id: x, question: '', answer: a}", "x", "question is empty"),
        ("- {id: x, question: [a, b], answer: a}", "x", "question must be a string, got a list"),
        ("- {id: x, question: q}", "x", "answer is missing"),
        ("- {id: x, question: q, answer: '   '}", "x", "answer is empty"),
        ("- {id: x, question: q, answer:}", "x", "answer is missing"),
        (
            "- {id: x, question: q, anwser: a, answer: a}",
            "x",
            "unknown field 'anwser' (did you mean 'answer'?)",
        ),
        ("- {id: x, question: q, answer: a, colour: red}", "x", "unknown field 'colour'"),
        (
            "- {id: x, question: q, answer: a, alternates: just one}",
            "x",
            "alternates must be a list of strings, got a string",
        ),
        (
            "- {id: x, question: q, answer: a, alternates: [ok, 3]}",
            "x",
            "alternates item 2 must be a string, got a number",
        ),
        (
            "- {id: x, question: q, answer: a, alternates: [ok, '  ']}",
            "x",
            "alternates item 2 is empty",
        ),
        (
            "- {id: x, question: q, answer: a, tags: {a: b}}",
            "x",
            "tags must be a list of strings, got a mapping",
        ),
        ("- {id: x, question: q, answer: a, tags: ['']}", "x", "tags item 1 is empty"),
        ("- {id: x, question: q, answer: a, lang: 7}", "x", "lang must be a string, got a number"),
        (
            "- {id: x, question: q, answer: a, lang: English}",
            "x",
            "lang must be a short lowercase language code like 'en' or 'fa', got 'English'",
        ),
        ("- just text", "entry 1", "expected a mapping of fields, got a string"),
        (
            "- {id: x, question: q, answer: a}\n- {id: x, question: r, answer: b}",
            "x",
            "duplicate id 'x' (also in {path})",
        ),
    ],
)
def test_each_entry_problem_is_reported_with_file_and_entry(
    tmp_path: Path, yaml_text: str, entry: str, message: str
) -> None:
    path = write(tmp_path / "faq.yml", yaml_text + "\n")
    problem = only_problem(path)
    assert problem == Problem(str(path), entry, message.format(path=path))
    label = entry if entry.startswith("entry ") else f"entry '{entry}'"
    assert str(problem) == f"{path}: {label}: {message.format(path=path)}"


def test_duplicate_field_in_an_entry_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "faq.yml",
        """
        - id: first
          question: q
          answer: a
        - id: second
          question: q
          answer: a
          answer: b
        """,
    )
    kb, problems = check_kb(path)
    assert [str(p) for p in problems] == [
        f"{path}: entry 'second': duplicate field 'answer' (line 7)"
    ]
    assert [a.id for a in kb.articles] == ["first"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- id: x\n  question: [unclosed\n", "invalid YAML at line 3, column 1"),
        ("- id: x\n\tquestion: tab\n", "invalid YAML at line 2, column 1"),
        ("id: x\nquestion: q\nanswer: a\n", "expected a list of entries, got a mapping"),
        ("just a sentence\n", "expected a list of entries, got a string"),
        ("", "file is empty (expected a list of entries)"),
    ],
)
def test_file_level_yaml_problems(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "faq.yaml", text)
    problem = only_problem(path)
    assert problem.path == str(path) and problem.entry is None
    assert problem.message.startswith(message)
    assert str(problem).startswith(f"{path}: {message}")


@pytest.mark.parametrize(
    ("text", "entry", "message"),
    [
        ("No front matter here.\n", None, "no YAML front matter"),
        ("---\nid: x\nquestion: q\n---\n\n", "x", "answer is empty"),
        ("---\nid: x\nquestion: q\nanswer: hi\n---\nbody\n", "x", "'answer' must be the body"),
        ("---\nquestion: q\n---\nbody\n", None, "id is missing"),
        ("---\nid: x\nquestion: [oops\n---\nbody\n", None, "invalid YAML at line 4"),
        ("---\n- a\n- b\n---\nbody\n", None, "front matter must be a mapping, got a list"),
        ("---\nid: x\nquestoin: q\n---\nbody\n", "x", "unknown field 'questoin'"),
    ],
)
def test_markdown_problems(tmp_path: Path, text: str, entry: str | None, message: str) -> None:
    path = write(tmp_path / "article.md", text)
    problems = check_kb(path)[1]
    assert problems, "expected a problem"
    assert any(
        p.path == str(path) and p.entry == entry and p.message.startswith(message) for p in problems
    ), problems


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    kb, problems = check_kb(missing)
    assert len(kb) == 0
    assert [str(p) for p in problems] == [f"{missing}: path does not exist"]


def test_directory_without_kb_files_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "readme.txt", "nothing here")
    problem = only_problem(tmp_path)
    assert problem == Problem(str(tmp_path), None, "no KB files (.yml, .yaml or .md) in directory")


def test_a_file_of_another_kind_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "faq.json", "[]")
    assert only_problem(path).message == "not a KB file (expected .yml, .yaml or .md)"


def test_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yml", "- {id: vpn, question: q, answer: a}\n")
    second = write(tmp_path / "b" / "vpn.md", "---\nid: vpn\nquestion: q2\n---\nanswer\n")
    kb, problems = check_kb(tmp_path)
    assert [str(p) for p in problems] == [
        f"{second}: entry 'vpn': duplicate id 'vpn' (also in {first})"
    ]
    assert [a.source for a in kb.articles] == [str(first)]  # the first one is kept


# --- many problems at once -------------------------------------------------------------------


def test_every_problem_in_a_kb_is_reported_and_valid_articles_still_load(tmp_path: Path) -> None:
    a = write(
        tmp_path / "a.yml",
        """
        - id: good
          question: How do I log in?
          answer: Use your email.
        - id: no-answer
          question: Where is it?
        - question: No id here
          answer: a
          alternates: [fine, ""]
        - 42
        - id: typo
          question: q
          answer: a
          tgas: [x]
        """,
    )
    b = write(tmp_path / "b.yaml", "- id: x\n  question: [unclosed\n")
    c = write(tmp_path / "c.md", "---\nid: good\nquestion: again\n---\nbody\n")
    d = write(tmp_path / "d.md", "---\nid: good-md\nquestion: Fine?\nlang: fa\n---\nYes.\n")

    kb, problems = check_kb(tmp_path)

    assert [a.id for a in kb.articles] == ["good", "good-md"]
    # After the line and column, the wording is PyYAML's; only the position is ours.
    summary = {(p.path, p.entry, p.message.split(" (")[0].split(": ")[0]) for p in problems}
    assert summary == {
        (str(a), "no-answer", "answer is missing"),
        (str(a), "entry 3", "id is missing"),
        (str(a), "entry 3", "alternates item 2 is empty"),
        (str(a), "entry 4", "expected a mapping of fields, got a number"),
        (str(a), "typo", "unknown field 'tgas'"),
        (str(b), None, "invalid YAML at line 3, column 1"),
        (str(c), "good", "duplicate id 'good'"),
    }
    assert len(problems) == 7
    assert d.exists()

    with pytest.raises(KBError) as raised:
        load_kb(tmp_path)
    assert raised.value.problems == problems
    assert str(raised.value).splitlines() == [str(p) for p in problems]


def test_problem_str_formats() -> None:
    assert str(Problem("kb/vpn.yml", "vpn-connect", "answer is empty")) == (
        "kb/vpn.yml: entry 'vpn-connect': answer is empty"
    )
    assert (
        str(Problem("kb/vpn.yml", "entry 3", "id is missing"))
        == "kb/vpn.yml: entry 3: id is missing"
    )
    assert str(Problem("kb/vpn.yml", None, "invalid YAML")) == "kb/vpn.yml: invalid YAML"
