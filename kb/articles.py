"""KB articles: the entry model, loading from YAML and Markdown files, and validation.

A KB is a single file or a directory searched recursively (in sorted order) for ``.yml``/``.yaml``
files, each holding a list of entries, and ``.md`` files, each one article with YAML front matter
and the answer as its body. Other files, README files (``README.md``: they explain the folder to
its authors), and files or directories whose name starts with a dot, are ignored.

Validation reports every problem it finds, each with its file and entry, instead of stopping at the
first: an operator fixing a KB should see the whole list at once. ``check_kb`` returns the valid
articles next to the problems; ``load_kb`` refuses a KB with any problem.
"""

from __future__ import annotations

import bisect
import difflib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

__all__ = [
    "Article",
    "KBError",
    "KnowledgeBase",
    "Problem",
    "check_kb",
    "load_kb",
]

logger = logging.getLogger(__name__)

YAML_SUFFIXES = frozenset({".yml", ".yaml"})
MARKDOWN_SUFFIXES = frozenset({".md"})
KB_SUFFIXES = YAML_SUFFIXES | MARKDOWN_SUFFIXES

FIELDS = ("id", "question", "alternates", "answer", "tags", "lang")
_LANG = re.compile(r"[a-z]{2,3}")
_NUMBERED_ENTRY = re.compile(r"entry \d+")


@dataclass(frozen=True, slots=True)
class Article:
    """One KB entry: a question, other ways people ask it, and the answer.

    ``answer`` uses the small Markdown subset the adapters render: ``*bold*``, ``_italic_``,
    ``` `code` ```, bare URLs, ``- `` list lines and newlines.
    """

    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    lang: str = "en"
    source: str = ""

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a KB source: the file, the entry (``None`` for the whole file), what."""

    path: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        if self.entry is None:
            return f"{self.path}: {self.message}"
        if _NUMBERED_ENTRY.fullmatch(self.entry):
            return f"{self.path}: {self.entry}: {self.message}"
        return f"{self.path}: entry '{self.entry}': {self.message}"


class KBError(Exception):
    """A KB that cannot be loaded; ``problems`` holds every problem found, ``str()`` lists them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class KnowledgeBase:
    """The articles of a KB, in source order, with lookup by id."""

    __slots__ = ("_by_id", "articles")

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self.articles: tuple[Article, ...] = tuple(articles)
        self._by_id: dict[str, Article] = {}
        for article in self.articles:
            if article.id in self._by_id:
                raise ValueError(f"duplicate article id {article.id!r}")
            self._by_id[article.id] = article

    def get(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(article.lang for article in self.articles)

    def __repr__(self) -> str:
        return f"KnowledgeBase({len(self.articles)} articles, languages={sorted(self.languages)})"


def load_kb(path: str | Path) -> KnowledgeBase:
    """Load a KB from a file or directory; raise ``KBError`` listing every problem if any."""
    kb, problems = check_kb(path)
    if problems:
        raise KBError(problems)
    logger.info("loaded %d articles from %s", len(kb), path)
    return kb


def check_kb(path: str | Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Load what is valid and collect every problem; never raises for problems in the content.

    An entry with any problem is left out; of two entries with the same id the first is kept (the
    later one is reported even if it has other problems, so fixing those does not reveal a new one).
    """
    root = Path(path)
    problems: list[Problem] = []
    articles: list[Article] = []
    first_seen: dict[str, str] = {}  # id -> the file that defined it first
    for file in _kb_files(root, problems):
        display = str(file)
        if file.suffix.lower() in YAML_SUFFIXES:
            found = _read_yaml_file(file, display, problems)
        else:
            found = _read_markdown_file(file, display, problems)
        for entry in found:
            if entry.id is None:
                continue
            earlier = first_seen.get(entry.id)
            if earlier is not None:
                message = f"duplicate id '{entry.id}' (also in {earlier})"
                problems.append(Problem(display, entry.label, message))
                continue
            first_seen[entry.id] = display
            if entry.article is not None:
                articles.append(entry.article)
    return KnowledgeBase(articles), problems


@dataclass(frozen=True, slots=True)
class _Checked:
    """One validated entry: its id if that is valid, the article if the whole entry is."""

    id: str | None
    label: str | None
    article: Article | None


def _kb_files(root: Path, problems: list[Problem]) -> list[Path]:
    if not root.exists():
        problems.append(Problem(str(root), None, "path does not exist"))
        return []
    if root.is_file():
        if root.suffix.lower() not in KB_SUFFIXES:
            problems.append(Problem(str(root), None, "not a KB file (expected .yml, .yaml or .md)"))
            return []
        return [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in KB_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        # A README explains a KB folder to its authors; it is not an article.
        and p.stem.lower() != "readme"
    )
    if not files:
        problems.append(Problem(str(root), None, "no KB files (.yml, .yaml or .md) in directory"))
    return files


def _read_text(file: Path, display: str, problems: list[Problem]) -> str | None:
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(display, None, f"not valid UTF-8 (byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(display, None, f"cannot be read: {exc.strerror or exc}"))
    return None


class _Loader(yaml.SafeLoader):
    """A safe loader that records duplicate keys, which PyYAML otherwise silently overwrites."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []  # (1-based line, key)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; SafeLoader reports it
                continue
            if duplicate:
                self.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True, slots=True)
class _Parsed:
    data: Any
    item_lines: list[int]  # first line (1-based) of each top-level list item
    duplicate_keys: list[tuple[int, str]]


def _parse_yaml(text: str, display: str, problems: list[Problem]) -> _Parsed | None:
    """Parse one YAML document; on error record a problem (with its line) and return None."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(display, None, f"invalid YAML{where}: {reason}"))
        return None
    finally:
        loader.dispose()
    item_lines = (
        [item.start_mark.line + 1 for item in node.value]
        if isinstance(node, yaml.SequenceNode)
        else []
    )
    return _Parsed(data, item_lines, loader.duplicate_keys)


def _read_yaml_file(file: Path, display: str, problems: list[Problem]) -> list[_Checked]:
    text = _read_text(file, display, problems)
    if text is None:
        return []
    parsed = _parse_yaml(text, display, problems)
    if parsed is None:
        return []
    data = parsed.data
    if data is None:
        problems.append(Problem(display, None, "file is empty (expected a list of entries)"))
        return []
    if not isinstance(data, list):
        problems.append(
            Problem(display, None, f"expected a list of entries, got {_type_name(data)}")
        )
        return []
    # A duplicate key belongs to the entry whose lines hold it.
    extra: list[list[str]] = [[] for _ in data]
    for line, key in parsed.duplicate_keys:
        index = bisect.bisect_right(parsed.item_lines, line) - 1
        extra[max(index, 0)].append(f"duplicate field '{key}' (line {line})")
    found = []
    for number, entry in enumerate(data, start=1):
        label = f"entry {number}"
        if not isinstance(entry, dict):
            problems.append(
                Problem(display, label, f"expected a mapping of fields, got {_type_name(entry)}")
            )
            continue
        found.append(
            _check_entry(
                entry, display, label, problems, markdown_body=None, extra=extra[number - 1]
            )
        )
    return found


def _read_markdown_file(file: Path, display: str, problems: list[Problem]) -> list[_Checked]:
    text = _read_text(file, display, problems)
    if text is None:
        return []
    handler = YAMLHandler()
    if not handler.detect(text):
        problems.append(
            Problem(display, None, "no YAML front matter (the file must start with a '---' line)")
        )
        return []
    try:
        front, body = handler.split(text)
    except ValueError:
        problems.append(Problem(display, None, "front matter is not closed by a '---' line"))
        return []
    # ``front`` starts with the end of the opening '---' line, so its line numbers are the file's.
    parsed = _parse_yaml(front, display, problems)
    if parsed is None:
        return []
    if not isinstance(parsed.data, dict):
        problems.append(
            Problem(display, None, f"front matter must be a mapping, got {_type_name(parsed.data)}")
        )
        return []
    extra = [f"duplicate field '{key}' (line {line})" for line, key in parsed.duplicate_keys]
    return [_check_entry(parsed.data, display, None, problems, markdown_body=body, extra=extra)]


def _check_entry(
    entry: dict[Any, Any],
    display: str,
    label: str | None,
    problems: list[Problem],
    *,
    markdown_body: str | None,
    extra: Iterable[str] = (),
) -> _Checked:
    """Validate one entry, recording its problems (``extra`` are ones found while parsing).

    ``label`` is "entry N" for a list entry and ``None`` for a Markdown file; it becomes the entry's
    id in every message once the id is known to be valid.
    """
    raw_id = entry.get("id")
    if isinstance(raw_id, str) and raw_id.strip():
        label = raw_id.strip()
    before = len(problems)

    def problem(message: str) -> None:
        problems.append(Problem(display, label, message))

    for message in extra:
        problem(message)

    for key in entry:
        if markdown_body is not None and key == "answer":
            problem("'answer' must be the body of a Markdown article, not a front-matter field")
        elif key not in FIELDS:
            hint = difflib.get_close_matches(str(key), FIELDS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            problem(f"unknown field '{key}'{suggestion}")

    article_id = _required_text(entry, "id", problem)
    question = _required_text(entry, "question", problem)
    if markdown_body is None:
        answer = _required_text(entry, "answer", problem)
    else:
        answer = markdown_body.strip()
        if not answer:
            problem("answer is empty (the Markdown body after the front matter)")
    alternates = _text_list(entry, "alternates", problem)
    tags = _text_list(entry, "tags", problem)
    lang = "en"
    if entry.get("lang") is not None:
        raw_lang = entry["lang"]
        if not isinstance(raw_lang, str):
            problem(f"lang must be a string, got {_type_name(raw_lang)}")
        elif not _LANG.fullmatch(raw_lang.strip()):
            problem(
                f"lang must be a short lowercase language code like 'en' or 'fa', got '{raw_lang}'"
            )
        else:
            lang = raw_lang.strip()

    if len(problems) > before:
        return _Checked(article_id, label, None)
    assert article_id is not None and question is not None and answer is not None
    article = Article(
        id=article_id,
        question=question,
        answer=answer,
        alternates=alternates,
        tags=tags,
        lang=lang,
        source=display,
    )
    return _Checked(article_id, label, article)


def _required_text(entry: dict[Any, Any], field: str, problem: Callable[[str], None]) -> str | None:
    if field not in entry or entry[field] is None:
        problem(f"{field} is missing")
        return None
    value = entry[field]
    if not isinstance(value, str):
        problem(f"{field} must be a string, got {_type_name(value)}")
        return None
    if not value.strip():
        problem(f"{field} is empty")
        return None
    return value.strip()


def _text_list(
    entry: dict[Any, Any], field: str, problem: Callable[[str], None]
) -> tuple[str, ...]:
    """An optional list of non-blank strings; a field present but null counts as absent."""
    value = entry.get(field)
    if value is None:
        return ()
    if not isinstance(value, list):
        problem(f"{field} must be a list of strings, got {_type_name(value)}")
        return ()
    items = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str):
            problem(f"{field} item {number} must be a string, got {_type_name(item)}")
        elif not item.strip():
            problem(f"{field} item {number} is empty")
        else:
            items.append(item.strip())
    return tuple(items)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    names = {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)
