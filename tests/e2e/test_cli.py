"""The ``deskbot`` command line, run for real: the installed console script as a subprocess.

Every run gets a fresh SQLite file through ``DESKBOT_DATABASE_URL``, the repository root as its
working directory (so the default knowledge base ``kb/sample`` resolves), a clean environment
(no inherited ``DESKBOT_*`` settings, no proxies) and a timeout. Expected wording comes from the
copy catalogue (``conversations.copy``) rendered the way the console renders it, and expected KB
facts come from reading the example KB files directly, not from the code under test.

Synchronisation is by process exit, or by polling a condition (``/healthz``) with a deadline;
never by sleeping.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import pytest
import yaml

from adapters.console import render_text
from bot import db
from conversations.copy import text

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_KB = REPO / "kb" / "sample"
TIMEOUT = 120  # seconds for any one command; a cold start imports scikit-learn
DESKBOT = shutil.which("deskbot") or str(Path(sys.executable).parent / "deskbot")


def say(key: str, /, **params: object) -> str:
    """English copy as ``deskbot chat`` prints it (markup markers removed)."""
    return render_text(text("en", key, **params))


# -- running the CLI ---------------------------------------------------------------------------


@dataclass
class Deskbot:
    """Runs ``deskbot`` against one database with a controlled environment."""

    database: Path
    login: str = "sara"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DESKBOT_")
            and k not in ("DATABASE_URL", "PORT")
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
        }
        env.update(
            DESKBOT_DATABASE_URL=f"sqlite+aiosqlite:///{self.database}",
            # getpass.getuser() reads these first: the chat user is the same across runs.
            LOGNAME=self.login,
            USER=self.login,
            COLUMNS="200",
            NO_PROXY="*",
            no_proxy="*",
            PYTHONIOENCODING="utf-8",
        )
        env.update(extra)
        return env

    def run(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [DESKBOT, *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=REPO,
            env=self.env() if env is None else env,
            timeout=TIMEOUT,
            check=False,
        )


@pytest.fixture
def deskbot(tmp_path: Path) -> Deskbot:
    return Deskbot(tmp_path / "deskbot.db")


def describe(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit {result.returncode}\n--- stdout ---\n{result.stdout}\n"
        f"--- stderr ---\n{result.stderr}"
    )


def flat(output: str) -> str:
    """Whitespace collapsed, so wrapped help text still matches a phrase."""
    return " ".join(output.split())


# -- the example knowledge base, read independently -------------------------------------------


@dataclass(frozen=True)
class ExampleArticle:
    id: str
    lang: str
    tags: tuple[str, ...]


def read_example_kb() -> dict[str, ExampleArticle]:
    articles: dict[str, ExampleArticle] = {}
    for path in sorted(EXAMPLE_KB.rglob("*")):
        if path.suffix in (".yml", ".yaml"):
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix == ".md":
            entries = [frontmatter.load(str(path)).metadata]
        else:
            continue
        for entry in entries or ():
            if not isinstance(entry, dict) or "id" not in entry:
                continue  # not an article; `deskbot kb check` must say so, not this reader
            articles[entry["id"]] = ExampleArticle(
                entry["id"], entry.get("lang", "en"), tuple(entry.get("tags") or ())
            )
    return articles


EXAMPLES = read_example_kb()


# -- a knowledge base with one of each kind of problem -----------------------------------------


@dataclass(frozen=True)
class BrokenKB:
    path: Path
    # (file name, entry as it should be named in the message or None for the whole file, a word
    # of the message)
    problems: tuple[tuple[str, str | None, str], ...]


@pytest.fixture
def broken_kb(tmp_path: Path) -> BrokenKB:
    root = tmp_path / "broken-kb"
    root.mkdir()
    (root / "a.yml").write_text(
        """\
- id: shared-id
  question: How do I print?
  answer: Use the printer on your floor.

- id: blank-answer
  question: How do I book a meeting room?
  answer: "   "

- id: typo-field
  question: Where is the VPN client?
  answer: In the Software Center.
  tgas: [vpn]

- id: fine-one
  question: How do I reach the service desk?
  answer: Call ext. 4357.
""",
        encoding="utf-8",
    )
    (root / "b.yml").write_text(
        """\
- id: shared-id
  question: Printer is jammed
  answer: Open tray 2 and pull the paper out.
""",
        encoding="utf-8",
    )
    (root / "c.yml").write_text(
        "- id: not-closed\n  question: [this list is never closed\n  answer: x\n",
        encoding="utf-8",
    )
    (root / "d.md").write_text(
        "---\nid: empty-body\nquestion: What is the guest Wi-Fi password?\n---\n\n",
        encoding="utf-8",
    )
    return BrokenKB(
        root,
        (
            ("a.yml", "blank-answer", "answer"),
            ("a.yml", "typo-field", "tgas"),
            ("b.yml", "shared-id", "duplicate"),
            ("c.yml", None, "YAML"),
            ("d.md", "empty-body", "answer"),
        ),
    )


def assert_lists_every_problem(output: str, kb: BrokenKB) -> None:
    lines = output.splitlines()
    for file, entry, word in kb.problems:
        matching = [
            line
            for line in lines
            if line.startswith(f"{kb.path / file}: ")
            and (entry is None or entry in line)
            and word.lower() in line.lower()
        ]
        assert matching, f"no line names {file} / {entry} / {word!r} in:\n{output}"


# -- help ----------------------------------------------------------------------------------------


HELP = [
    ((), ("help desk", "serve", "chat", "kb", "db", "tickets")),
    (("serve",), ("web chat", "agent console", "--host", "--port", "--kb")),
    (("chat",), ("terminal", "--name")),
    (("kb",), ("knowledge base", "check", "match")),
    (("kb", "check"), ("validate", "knowledge base", "every problem")),
    (("kb", "match"), ("stdin", "json", "--top", "--threshold")),
    (("db",), ("schema", "upgrade")),
    (("db", "upgrade"), ("migrations",)),
    (("tickets",), ("agent", "list", "show", "claim", "reply", "resolve")),
    (("tickets", "list"), ("queue", "--view")),
    (("tickets", "show"), ("ticket", "conversation")),
    (("tickets", "claim"), ("take ticket", "--as")),
    (("tickets", "reply"), ("answer the requester", "--as")),
    (("tickets", "resolve"), ("resolve ticket", "summary", "--as")),
]


@pytest.mark.parametrize(
    ("command", "phrases"), HELP, ids=[" ".join(c) or "deskbot" for c, _ in HELP]
)
def test_help_explains_every_command(
    deskbot: Deskbot, command: tuple[str, ...], phrases: Sequence[str]
) -> None:
    result = deskbot.run(*command, "--help")

    assert result.returncode == 0, describe(result)
    assert result.stdout.startswith(f"Usage: deskbot {' '.join(command)}".rstrip()), describe(
        result
    )
    page = flat(result.stdout).lower()
    for phrase in phrases:
        assert phrase in page, f"{phrase!r} missing from `deskbot {' '.join(command)} --help`"


# -- kb check ------------------------------------------------------------------------------------


def test_kb_check_accepts_the_example_kb_and_counts_its_articles(deskbot: Deskbot) -> None:
    result = deskbot.run("kb", "check", "kb/sample")

    assert result.returncode == 0, describe(result)
    assert result.stderr == "", describe(result)
    assert re.search(rf"\b{len(EXAMPLES)} articles\b", result.stdout), describe(result)
    for lang in {a.lang for a in EXAMPLES.values()}:
        assert re.search(rf"\b{lang}\b", result.stdout), describe(result)
    assert "no problems" in result.stdout


def test_kb_check_lists_every_problem_with_file_and_entry(
    deskbot: Deskbot, broken_kb: BrokenKB
) -> None:
    result = deskbot.run("kb", "check", str(broken_kb.path))

    assert result.returncode != 0, describe(result)
    assert_lists_every_problem(result.stderr, broken_kb)
    assert re.search(rf"\b{len(broken_kb.problems)} problem", result.stderr), describe(result)
    # The valid entry and the first of the duplicates are not problems.
    assert "fine-one" not in result.stderr
    assert not any(
        line.startswith(f"{broken_kb.path / 'a.yml'}: ") and "shared-id" in line
        for line in result.stderr.splitlines()
    ), describe(result)


# -- kb match ------------------------------------------------------------------------------------


def test_kb_match_prints_one_json_line_per_query(deskbot: Deskbot) -> None:
    queries = [
        "I forgot my password and can't log in",
        "رمز عبورم را فراموش کرده‌ام",
        "what is the capital of France",
    ]
    result = deskbot.run(
        "kb", "match", "--kb", "kb/sample", "--top", "2", stdin="\n".join(queries) + "\n"
    )

    assert result.returncode == 0, describe(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 3, describe(result)
    records = [json.loads(line) for line in lines]
    for query, record in zip(queries, records, strict=True):
        assert set(record) == {"query", "answered", "matches"}
        assert record["query"] == query
        assert isinstance(record["answered"], bool)
        matches = record["matches"]
        assert 1 <= len(matches) <= 2, record
        scores = [m["score"] for m in matches]
        assert all(0.0 <= s <= 1.0 for s in scores), record
        assert scores == sorted(scores, reverse=True), record
        assert all(m["id"] in EXAMPLES for m in matches), record
        assert len({m["id"] for m in matches}) == len(matches), record

    password, persian, unrelated = records
    assert password["answered"] is True, password
    assert "password" in EXAMPLES[password["matches"][0]["id"]].tags, password
    assert EXAMPLES[persian["matches"][0]["id"]].lang == "fa", persian
    assert unrelated["answered"] is False, unrelated


def test_kb_match_answers_exactly_when_the_best_score_reaches_the_threshold(
    deskbot: Deskbot,
) -> None:
    queries = ["my laptop will not turn on", "the printer is jammed", "how tall is a giraffe"]
    stdin = "\n".join(queries) + "\n"
    for threshold in ("0", "1", "0.5"):
        result = deskbot.run(
            "kb", "match", "--kb", "kb/sample", "--threshold", threshold, stdin=stdin
        )
        assert result.returncode == 0, describe(result)
        for line in result.stdout.splitlines():
            record = json.loads(line)
            best = record["matches"][0]["score"]
            # Scores are printed rounded to 4 places; stay clear of the rounding edge.
            if abs(best - float(threshold)) > 1e-4:
                assert record["answered"] is (best >= float(threshold)), (threshold, record)


def test_kb_match_refuses_a_broken_kb(deskbot: Deskbot, broken_kb: BrokenKB) -> None:
    result = deskbot.run("kb", "match", "--kb", str(broken_kb.path), stdin="printer\n")

    assert result.returncode != 0, describe(result)
    assert result.stdout == "", describe(result)
    assert_lists_every_problem(result.stderr, broken_kb)


# -- db upgrade ----------------------------------------------------------------------------------


def stored_revision(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        ((revision,),) = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return revision


def test_db_upgrade_migrates_a_fresh_database_and_can_run_again(deskbot: Deskbot) -> None:
    head = db.head_revision()
    assert head is not None
    assert not deskbot.database.exists()

    first = deskbot.run("db", "upgrade")

    assert first.returncode == 0, describe(first)
    assert re.search(rf"\b{re.escape(head)}\b", first.stdout), describe(first)
    assert stored_revision(deskbot.database) == head

    second = deskbot.run("db", "upgrade")

    assert second.returncode == 0, describe(second)
    assert re.search(rf"\b{re.escape(head)}\b", second.stdout), describe(second)
    assert stored_revision(deskbot.database) == head


# -- a whole conversation through `deskbot chat` and `deskbot tickets` ---------------------------


def test_a_ticket_from_chat_is_worked_by_agents_and_the_requester_hears_back(
    deskbot: Deskbot,
) -> None:
    problem = "The coffee machine on floor three is leaking water everywhere"

    chat = deskbot.run("chat", "--name", "Sara", stdin=f"{problem}\n")
    assert chat.returncode == 0, describe(chat)
    assert "#1" in chat.stdout, describe(chat)

    queue = deskbot.run("tickets", "list")
    assert queue.returncode == 0, describe(queue)
    assert "#1" in queue.stdout and problem in queue.stdout, describe(queue)

    claim = deskbot.run("tickets", "claim", "1", "--as", "Ali")
    assert claim.returncode == 0, describe(claim)
    assert claim.stdout.strip() == "You claimed #1.", describe(claim)

    taken = deskbot.run("tickets", "claim", "1", "--as", "Bob")
    assert taken.returncode == 1, describe(taken)
    assert "Ali" in taken.stdout + taken.stderr, describe(taken)

    reply = deskbot.run("tickets", "reply", "1", "--as", "Ali", "Hello", "there")
    assert reply.returncode == 0, describe(reply)

    show = deskbot.run("tickets", "show", "1")
    assert show.returncode == 0, describe(show)
    assert problem in show.stdout and "Sara" in show.stdout, describe(show)
    # Written for a terminal: no chat markup, durations in words.
    assert "*" not in show.stdout and "`" not in show.stdout, describe(show)
    assert "#1 " in show.stdout and " min" not in show.stdout, describe(show)
    assert "Hello there" in show.stdout and "Ali" in show.stdout, describe(show)
    assert show.stdout.index(problem) < show.stdout.index("Hello there"), describe(show)

    resolve = deskbot.run("tickets", "resolve", "1", "--as", "Ali", "Fixed")
    assert resolve.returncode == 0, describe(resolve)

    # Sara comes back: what agents said while she was away is delivered, then her ticket list.
    back = deskbot.run("chat", "--name", "Sara", stdin="/ticket\n")
    assert back.returncode == 0, describe(back)
    out = back.stdout
    claimed = say("requester.claimed", agent="Ali", id=1)
    replied = say("requester.agent_reply", agent="Ali", id=1, text="Hello there")
    resolved = say("requester.resolved_summary", id=1, summary="Fixed")
    listing = say("your_tickets")
    for expected in (claimed, replied, resolved, listing):
        assert expected in out, f"{expected!r} missing:\n{describe(back)}"
    # She is shown what arrived, not greeted as if new.
    assert say("greeting") not in out and say("console.welcome_back") not in out, describe(back)
    assert out.index(replied) < out.index(resolved) < out.index(listing), describe(back)
    ticket_line = next(line for line in out.splitlines() if "#1" in line and problem in line)
    assert say("status.resolved") in ticket_line, describe(back)


@pytest.mark.parametrize("choice", ["1", "this solved it"], ids=["by-number", "by-label"])
def test_chat_buttons_are_chosen_by_number_or_label(deskbot: Deskbot, choice: str) -> None:
    result = deskbot.run("chat", "--name", "Sara", stdin=f"I forgot my password\n{choice}\n")

    assert result.returncode == 0, describe(result)
    out = result.stdout
    solved = f"[1] {say('button.solved')}"
    assert solved in out, describe(result)
    glad = say("glad_it_helped")
    assert "Glad" in glad and glad in out, describe(result)
    assert out.index(solved) < out.index(glad), describe(result)
    # Choosing the button answered the suggestion; it did not become a ticket.
    assert "#1" not in out, describe(result)


def test_coming_back_to_a_quiet_conversation_says_welcome_back_not_the_greeting(
    deskbot: Deskbot,
) -> None:
    first = deskbot.run("chat", "--name", "Sara", stdin="")
    assert say("greeting") in first.stdout, describe(first)

    again = deskbot.run("chat", "--name", "Sara", stdin="")

    assert again.returncode == 0, describe(again)
    assert say("console.welcome_back") in again.stdout, describe(again)
    assert say("greeting") not in again.stdout, describe(again)


# -- configuration errors ------------------------------------------------------------------------


def names_variable(output: str, variable: str) -> bool:
    # A whole word: "DESKBOT_DESKBOT_PORT" does not name DESKBOT_PORT.
    return re.search(rf"(?<![A-Za-z0-9_]){variable}(?![A-Za-z0-9_])", output) is not None


def test_an_invalid_port_is_named(deskbot: Deskbot) -> None:
    result = deskbot.run("serve", env=deskbot.env(DESKBOT_PORT="notaport"))

    assert result.returncode != 0, describe(result)
    assert names_variable(result.stderr, "DESKBOT_PORT"), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def test_serving_beyond_loopback_needs_an_agent_token(deskbot: Deskbot) -> None:
    result = deskbot.run("serve", "--host", "0.0.0.0", "--port", str(free_port()))

    assert result.returncode != 0, describe(result)
    assert names_variable(result.stderr, "DESKBOT_AGENT_TOKEN"), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def test_serving_beyond_loopback_needs_the_names_it_answers_to(deskbot: Deskbot) -> None:
    env = deskbot.env(DESKBOT_AGENT_TOKEN="s3cret-console")
    result = deskbot.run("serve", "--host", "0.0.0.0", "--port", str(free_port()), env=env)

    assert result.returncode != 0, describe(result)
    assert names_variable(result.stderr, "DESKBOT_ALLOWED_HOSTS"), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def test_a_bad_allowed_hosts_entry_is_named(deskbot: Deskbot) -> None:
    env = deskbot.env(DESKBOT_ALLOWED_HOSTS="https://help.example.com")
    result = deskbot.run("serve", "--port", str(free_port()), env=env)

    assert result.returncode != 0, describe(result)
    assert names_variable(result.stderr, "DESKBOT_ALLOWED_HOSTS"), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


@pytest.mark.parametrize(
    "command",
    [("serve",), ("db", "upgrade"), ("tickets", "list"), ("chat",)],
    ids=lambda c: " ".join(c),
)
def test_an_unsupported_database_url_is_named(deskbot: Deskbot, command: tuple[str, ...]) -> None:
    result = deskbot.run(*command, env=deskbot.env(DESKBOT_DATABASE_URL="mysql://x"))

    assert result.returncode != 0, describe(result)
    assert names_variable(result.stderr, "DESKBOT_DATABASE_URL"), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def test_serve_refuses_a_broken_kb_and_lists_its_problems(
    deskbot: Deskbot, broken_kb: BrokenKB
) -> None:
    # Would block (and hit the timeout) if it started serving.
    result = deskbot.run("serve", "--kb", str(broken_kb.path), "--port", str(free_port()))

    assert result.returncode != 0, describe(result)
    assert_lists_every_problem(result.stderr, broken_kb)
    assert "Traceback" not in result.stderr, describe(result)


# -- serve ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(
    deskbot: Deskbot, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``deskbot serve`` on a free port; ``indirect`` parametrization gives it extra settings."""
    extra: dict[str, str] = getattr(request, "param", {})
    port = free_port()
    with (
        (tmp_path / "serve.out").open("wb") as out,
        (tmp_path / "serve.err").open("wb") as err,
    ):
        process = subprocess.Popen(
            [DESKBOT, "serve", "--port", str(port)],
            cwd=REPO,
            env=deskbot.env(**extra),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        try:
            yield process, port
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=TIMEOUT)


def health(port: int) -> tuple[int, object] | None:
    """``GET /healthz``: (status, JSON body), or None while nothing answers yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_until_serving(process: subprocess.Popen[bytes], port: int, tmp_path: Path) -> object:
    deadline = time.monotonic() + TIMEOUT
    answer = None
    while answer is None or answer[0] != 200:
        assert time.monotonic() < deadline, f"/healthz never answered 200 (last: {answer})"
        answer = health(port)
        if answer is None or answer[0] != 200:
            # Waiting on the process (not a fixed sleep): fail at once if it died instead.
            try:
                code = process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            stderr = (tmp_path / "serve.err").read_text(errors="replace")
            pytest.fail(f"deskbot serve exited with {code} before serving:\n{stderr}")
    return answer


def test_serve_answers_health_checks_and_stops_cleanly(
    server: tuple[subprocess.Popen[bytes], int], tmp_path: Path
) -> None:
    process, port = server
    answer = wait_until_serving(process, port, tmp_path)

    assert answer == (200, {"ok": True})

    process.terminate()
    code = process.wait(timeout=TIMEOUT)

    stdout = (tmp_path / "serve.out").read_text(errors="replace")
    stderr = (tmp_path / "serve.err").read_text(errors="replace")
    assert code in (0, -15), f"exit {code}\n{stdout}\n{stderr}"
    assert "Traceback" not in stderr, stderr
    assert f"http://127.0.0.1:{port}/" in stdout, stdout
    assert health(port) is None


SLOW_CLIENTS = 300


async def _hold_slow_connections(port: int) -> tuple[list[float], object]:
    """Open SLOW_CLIENTS connections that send half a request line and stop, check that others
    are served meanwhile, and return how long the server took to close each one."""
    opened = []
    for _ in range(SLOW_CLIENTS):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        opened.append((reader, writer, time.monotonic()))
    meanwhile = await asyncio.to_thread(health, port)

    async def closed_after(reader: asyncio.StreamReader, started: float) -> float:
        async with asyncio.timeout(TIMEOUT):
            await reader.read()  # b"" once the server closes it
        return time.monotonic() - started

    held = await asyncio.gather(*(closed_after(r, started) for r, _, started in opened))
    for _, writer, _ in opened:
        writer.close()
    return held, meanwhile


@pytest.mark.parametrize("server", [{"DESKBOT_CLIENT_TIMEOUT": "1"}], indirect=True)
def test_slow_clients_are_let_go_and_others_are_served(
    server: tuple[subprocess.Popen[bytes], int], tmp_path: Path
) -> None:
    process, port = server
    wait_until_serving(process, port, tmp_path)

    held, meanwhile = asyncio.run(_hold_slow_connections(port))

    assert meanwhile == (200, {"ok": True})
    # Each closed after the client timeout (1 s here, 15 s by default), not held for good.
    assert len(held) == SLOW_CLIENTS and max(held) < 10, sorted(held)[-5:]
    assert health(port) == (200, {"ok": True})
    process.terminate()
    process.wait(timeout=TIMEOUT)
    stderr = (tmp_path / "serve.err").read_text(errors="replace")
    assert "Traceback" not in stderr, stderr[-3000:]
