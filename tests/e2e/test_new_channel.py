"""Adding a channel is one new package under adapters/ and one line in bot/channels.py.

The test does exactly that to a copy of the source: it writes a small "email" channel (its
settings, an inbound HTTP route, a sender), adds its module to the registry, checks that nothing
else changed, then runs the copy: a message posted to the new route reaches the engine, is
stored under the new platform, and the answer goes out through the new channel's sender.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import REPO, TIMEOUT

PACKAGES = ("bot", "adapters", "conversations", "kb")

EMAIL_PACKAGE = {
    "adapters/email/__init__.py": '"""A minimal e-mail channel, added as any channel is."""\n',
    "adapters/email/channel.py": """\
from __future__ import annotations

from pydantic import Field

from adapters.base import Channel, ChannelSettings, ChatAdapter
from conversations.messages import Platform
from conversations.views import Desk

EMAIL = Platform("email")


class EmailSettings(ChannelSettings):
    outbox_file: str | None = Field(None, validation_alias="EMAIL_OUTBOX_FILE")

    @property
    def configured(self) -> bool:
        return self.outbox_file is not None


def build(settings: ChannelSettings, desk: Desk) -> ChatAdapter:
    from adapters.email.app import EmailAdapter

    assert isinstance(settings, EmailSettings) and settings.outbox_file
    return EmailAdapter(desk, settings.outbox_file)


CHANNEL = Channel(EMAIL, EmailSettings, build)
""",
    "adapters/email/app.py": """\
from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp import web

from adapters.email.channel import EMAIL
from conversations.messages import ChatRef, InboundMessage, OutboundMessage, UserRef
from conversations.views import Desk


class EmailSender:
    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0

    async def send(self, message: OutboundMessage) -> str:
        self.count += 1
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"to": message.chat.chat_id, "text": message.text}) + "\\n")
        return f"mail-{self.count}"


class EmailAdapter:
    def __init__(self, desk: Desk, path: str) -> None:
        self._desk = desk
        self._sender = EmailSender(path)

    @property
    def sender(self) -> EmailSender:
        return self._sender

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/email/inbound", self._inbound)

    async def _inbound(self, request: web.Request) -> web.Response:
        mail = await request.json()
        address = mail["from"]
        await self._desk.dispatch(
            InboundMessage(
                mail["message_id"],
                ChatRef(EMAIL, address),
                UserRef(EMAIL, address, mail["name"]),
                mail["body"],
                datetime.now(UTC),
            )
        )
        return web.Response(status=202)  # acknowledged once the engine committed it

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
""",
}

# Runs inside the copy: serve it, post one e-mail, wait for the answer to be "sent".
SCENARIO = """\
import asyncio, json, os, sqlite3, sys
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

import adapters
from bot.config import Settings
from bot.server import create_app

assert Path(adapters.__file__).is_relative_to(Path.cwd()), adapters.__file__
outbox = Path(os.environ["EMAIL_OUTBOX_FILE"])
database = Path(sys.argv[1])


async def main() -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{database}"))
    async with TestClient(TestServer(app)) as client:
        mail = {"message_id": "<1@example.com>", "from": "sara@example.com", "name": "Sara",
                "body": "I forgot my password"}
        response = await client.post("/email/inbound", json=mail)
        assert response.status == 202, response.status
        for _ in range(600):  # the delivery worker runs in this loop: give it turns
            if outbox.exists() and outbox.read_text().strip():
                break
            await asyncio.sleep(0.05)
    rows = sqlite3.connect(database).execute(
        "SELECT direction, platform, chat_id, status FROM messages ORDER BY id").fetchall()
    print(json.dumps({"mail": [json.loads(l) for l in outbox.read_text().splitlines()],
                      "rows": rows}))


asyncio.run(main())
"""


def fingerprints(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for package in PACKAGES
        for path in sorted((root / package).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_new_channel_is_its_package_plus_one_registry_line(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    before = fingerprints(copy)
    registry = copy / "bot" / "channels.py"
    registry_before = registry.read_text(encoding="utf-8")

    for name, source in EMAIL_PACKAGE.items():
        (copy / name).parent.mkdir(exist_ok=True)
        (copy / name).write_text(source, encoding="utf-8")
    registry.write_text(
        registry_before.replace(
            '    "adapters.telegram.channel",\n',
            '    "adapters.telegram.channel",\n    "adapters.email.channel",\n',
        ),
        encoding="utf-8",
    )

    after = fingerprints(copy)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed == {*EMAIL_PACKAGE, "bot/channels.py"}
    diff = [
        line
        for line in difflib.unified_diff(
            registry_before.splitlines(), registry.read_text(encoding="utf-8").splitlines(), n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == ['+    "adapters.email.channel",']

    outbox = tmp_path / "sent-mail.jsonl"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DESKBOT_", "SLACK_", "TELEGRAM_"))
    }
    env.update(PYTHONPATH=str(copy), EMAIL_OUTBOX_FILE=str(outbox), PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "scenario.py").write_text(SCENARIO, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(tmp_path / "scenario.py"), str(tmp_path / "deskbot.db")],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])

    # The engine stored the e-mail and its answer under the new platform, and the new sender
    # delivered the answer (the outbox marked it sent).
    assert seen["mail"] and all(m["to"] == "sara@example.com" for m in seen["mail"])
    assert any(row[:3] == ["in", "email", "sara@example.com"] for row in seen["rows"])
    answers = [row for row in seen["rows"] if row[:3] == ["out", "email", "sara@example.com"]]
    assert answers and answers[0][3] == "sent", seen["rows"]
