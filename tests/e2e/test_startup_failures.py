"""Every known start-up failure of ``deskbot serve`` (and the commands that share its set-up) ends
in one line naming the setting to fix and a non-zero exit, never a traceback.

Each case runs the real ``deskbot`` in a subprocess. The chat platforms are the local fakes of
tests/fakes (the real wire format), run in this test's event loop while the subprocess starts.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_cli import DESKBOT, REPO, TIMEOUT, Deskbot, names_variable
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegramAPI


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


async def run(deskbot: Deskbot, *args: str, **env: str) -> Outcome:
    """``deskbot ARGS`` without blocking the loop (the fakes answer it meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        DESKBOT,
        *args,
        cwd=REPO,
        env=deskbot.env(**env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    except TimeoutError:  # it started serving instead of failing
        process.kill()
        out, err = await process.communicate()
    assert process.returncode is not None
    return Outcome(process.returncode, out.decode(), err.decode())


def assert_one_clear_line(outcome: Outcome, setting: str) -> None:
    assert outcome.code == 1, outcome
    assert "Traceback" not in outcome.stderr, outcome
    # Before it, a server's start-up log; the failure is the last line, and the only one.
    errors = [line for line in outcome.stderr.splitlines() if "Error" in line]
    assert errors == outcome.stderr.splitlines()[-1:], outcome
    assert errors[0].startswith("Error: ") and names_variable(errors[0], setting), outcome
    # Nothing claimed to be listening.
    assert "http://" not in outcome.stdout, outcome


@pytest.fixture
def deskbot(tmp_path: Path) -> Deskbot:
    return Deskbot(tmp_path / "deskbot.db")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    fake = FakeTelegramAPI()
    await fake.start()
    yield fake
    await fake.close()


async def test_a_port_in_use(deskbot: Deskbot, busy_port: int) -> None:
    outcome = await run(deskbot, "serve", "--port", str(busy_port))

    assert_one_clear_line(outcome, "DESKBOT_PORT")
    assert "already in use" in outcome.stderr, outcome


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DESKBOT_PORT", "eighty"),
        ("DESKBOT_ASSIGNMENT", "sometimes"),
        ("DESKBOT_SLA_HIGH", "soon"),
        ("DESKBOT_DEFAULT_LANG", "klingon"),
    ],
)
async def test_a_bad_setting(deskbot: Deskbot, variable: str, value: str) -> None:
    outcome = await run(deskbot, "serve", **{variable: value})

    assert_one_clear_line(outcome, variable)


@pytest.mark.parametrize("command", [("serve",), ("tickets", "list"), ("db", "upgrade")])
async def test_an_unreachable_database(
    deskbot: Deskbot, closed_port: int, command: tuple[str, ...]
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port}/deskbot"
    outcome = await run(deskbot, *command, DESKBOT_DATABASE_URL=url)

    assert_one_clear_line(outcome, "DESKBOT_DATABASE_URL")
    assert "cannot reach the database" in outcome.stderr, outcome


async def test_a_refused_slack_token(deskbot: Deskbot, slack: FakeSlack, closed_port: int) -> None:
    outcome = await run(
        deskbot,
        "serve",
        "--port",
        str(closed_port),
        SLACK_BOT_TOKEN="xoxb-not-the-right-one",
        SLACK_SIGNING_SECRET="s3cret",
        SLACK_AGENT_CHANNEL="C0AGENTS",
        DESKBOT_SLACK_API_URL=slack.api_url,
    )

    assert_one_clear_line(outcome, "SLACK_BOT_TOKEN")
    assert "xoxb-not-the-right-one" not in outcome.stderr, "a secret reached the log"
    assert [c.method for c in slack.calls if c.method == "auth.test"], "never asked Slack"


async def test_a_refused_telegram_token(
    deskbot: Deskbot, telegram: FakeTelegramAPI, closed_port: int
) -> None:
    outcome = await run(
        deskbot,
        "serve",
        "--port",
        str(closed_port),
        TELEGRAM_BOT_TOKEN="42:not-the-right-one",
        TELEGRAM_AGENT_CHAT_ID="-1001234567890",
        DESKBOT_TELEGRAM_API_URL=telegram.base_url,
    )

    assert_one_clear_line(outcome, "TELEGRAM_BOT_TOKEN")
    assert "not-the-right-one" not in outcome.stderr, "a secret reached the log"


@pytest.mark.parametrize("chat_id", ["agents", "-100abc", "12.5"])
async def test_an_invalid_telegram_agent_chat_id(deskbot: Deskbot, chat_id: str) -> None:
    outcome = await run(
        deskbot,
        "serve",
        TELEGRAM_BOT_TOKEN="42:token",
        TELEGRAM_AGENT_CHAT_ID=chat_id,
    )

    assert_one_clear_line(outcome, "TELEGRAM_AGENT_CHAT_ID")


async def test_a_broken_knowledge_base(deskbot: Deskbot, tmp_path: Path) -> None:
    kb = tmp_path / "kb.yml"
    kb.write_text("- id: x\n  question: [never closed\n", encoding="utf-8")

    outcome = await run(deskbot, "serve", DESKBOT_KB_PATH=str(kb))

    assert outcome.code == 1 and "Traceback" not in outcome.stderr, outcome
    assert names_variable(outcome.stderr, "DESKBOT_KB_PATH"), outcome
    assert f"{kb}: " in outcome.stderr, outcome
