"""Floods against a real ``deskbot serve``: what one client can make the desk take.

Starts ``deskbot serve`` on a fresh SQLite file (the embedded defaults, an agent token set), then
from this one address: one chat posts 1,000 messages as fast as it can while another chat writes
once; 200 posts carry chat ids the server never issued; 100 new chats are started; 1,000 wrong
agent tokens are tried. It prints what was taken and refused, the other chat's wait, and the
tickets opened, beside the figures measured before the limits existed (issue 16).

    . .venv/bin/activate
    python benchmarks/flood.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

from benchmarks.output import table

REPO = Path(__file__).resolve().parents[1]
DESKBOT = shutil.which("deskbot") or str(Path(sys.executable).parent / "deskbot")
TOKEN = "flood-benchmark-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_serving(base: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"deskbot serve exited with {process.returncode}")
            try:
                async with session.get(base + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("deskbot serve never answered /healthz")


async def new_chat(base: str) -> tuple[aiohttp.ClientSession, int]:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(base + "/") as response:
        return session, response.status


async def post(session: aiohttp.ClientSession, base: str, n: int) -> int:
    body = {"text": f"The printer is broken, message {n}", "event_id": f"flood-{n}"}
    async with session.post(base + "/api/chat/messages", json=body) as response:
        return response.status


async def flood(base: str) -> dict[str, object]:
    figures: dict[str, object] = {}
    flooder, _ = await new_chat(base)
    patient, _ = await new_chat(base)
    started = time.monotonic()
    gate = asyncio.Semaphore(20)

    async def one(n: int) -> int:
        async with gate:
            return await post(flooder, base, n)

    flood_task = asyncio.gather(*(one(n) for n in range(1000)))
    await asyncio.sleep(0.05)  # the flood is under way
    before = time.monotonic()
    patient_status = await post(patient, base, 0)
    figures["other chat's wait"] = f"{(time.monotonic() - before) * 1000:.0f} ms ({patient_status})"
    statuses = Counter(await flood_task)
    figures["flood time"] = f"{time.monotonic() - started:.1f} s"
    figures["flood"] = dict(statuses)
    await flooder.close()
    await patient.close()

    forged = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    forged_statuses: Counter[int] = Counter()
    for n in range(200):
        forged.cookie_jar.clear()
        forged.cookie_jar.update_cookies({"deskbot_chat": f"self-made-chat-id-{n:06d}"})
        forged_statuses[await post(forged, base, n)] += 1
    await forged.close()
    figures["made-up chat ids"] = dict(forged_statuses)

    chats: Counter[int] = Counter()
    for _ in range(100):
        session, status = await new_chat(base)
        chats[status] += 1
        await session.close()
    figures["new chats"] = dict(chats)

    guesses: Counter[int] = Counter()
    async with aiohttp.ClientSession() as session:
        for n in range(1000):
            async with session.post(base + "/agent/login", json={"token": f"guess{n}"}) as r:
                guesses[r.status] += 1
        figures["login guesses"] = dict(guesses)
    return figures


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="deskbot-flood-"))
    database = folder / "deskbot.db"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKBOT_")}
    env |= {
        "DESKBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "DESKBOT_AGENT_TOKEN": TOKEN,
        "DESKBOT_LOG_LEVEL": "WARNING",
    }
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [DESKBOT, "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_serving(base, process))
        figures = asyncio.run(flood(base))
    finally:
        process.terminate()
        process.wait(timeout=60)
    with sqlite3.connect(database) as db:
        tickets = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        agent_posts = db.execute(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND chat_id = 'agents'"
        ).fetchone()[0]
    figures["tickets opened"] = tickets
    figures["agent-channel posts"] = agent_posts
    before = {
        "flood": "1,000 taken (202) in 12 s",
        "made-up chat ids": "taken: 999 tickets from self-made ids",
        "new chats": "no limit",
        "login guesses": "every one checked: 1,421 a second",
        "agent-channel posts": "1,029 (with self-made ids)",
        "other chat's wait": "replies 23 s late",
    }
    rows = [(name, value, before.get(name, "")) for name, value in figures.items()]
    print(table(["figure", "now", "before (issue 16)"], rows))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
