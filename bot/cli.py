"""The ``deskbot`` command line.

Every option falls back to its environment variable (see ``bot.config``); a flag overrides it.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml
from aiohttp import web

from adapters.console import ConsoleSender, run_console
from bot import db, report_commands
from bot.app import build, create_app
from bot.config import ConfigError, Settings, load_settings
from conversations.engine import CLI_AGENT_CHAT
from conversations.messages import InboundCommand, Platform, UserRef
from conversations.store import Store
from conversations.team import TeamFileError
from conversations.views import QUEUE_VIEWS
from kb import KBError, Matcher, check_kb, load_kb

T = TypeVar("T")

database_option = click.option(
    "--database-url", help="Database URL [env: DESKBOT_DATABASE_URL; default: sqlite]."
)
kb_option = click.option(
    "--kb",
    "kb_path",
    type=click.Path(path_type=Path),
    help="Knowledge base file or directory [env: DESKBOT_KB_PATH; default: examples/kb].",
)


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _run(coroutine: Awaitable[T]) -> T:
    try:
        return asyncio.run(coroutine)  # type: ignore[arg-type]
    except KBError as error:
        raise click.ClickException(f"the knowledge base has problems:\n{error}") from None
    except (db.SchemaError, TeamFileError) as error:
        raise click.ClickException(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Deskbot: a help desk that lives in chat."""


# -- serve ----------------------------------------------------------------------------------------


@main.command()
@click.option("--host", help="Address to listen on [env: DESKBOT_HOST; default: 127.0.0.1].")
@click.option("--port", type=int, help="Port [env: DESKBOT_PORT or PORT; default: 8080].")
@database_option
@kb_option
def serve(**options: Any) -> None:
    """Run the web chat, the agent console and the configured chat adapters."""
    settings = _settings(**options)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not settings.is_loopback and not settings.agent_token:
        raise click.ClickException(
            f"refusing to serve the agent console on {settings.host} without a password: "
            "set DESKBOT_AGENT_TOKEN (or listen on 127.0.0.1)"
        )
    try:
        app = create_app(settings)
    except KBError as error:
        raise click.ClickException(f"the knowledge base has problems:\n{error}") from None
    except TeamFileError as error:
        raise click.ClickException(f"the team file has problems:\n{error}") from None
    click.echo(f"Deskbot web chat:       http://{settings.host}:{settings.port}/")
    click.echo(f"Deskbot agent console:  http://{settings.host}:{settings.port}/agent")
    web.run_app(app, host=settings.host, port=settings.port, print=None)


# -- chat -----------------------------------------------------------------------------------------


@main.command()
@click.option(
    "--name",
    help="Who you are: agents see this name, and it keeps your conversation [default: "
    "your login name].",
)
@database_option
@kb_option
def chat(name: str | None, **options: Any) -> None:
    """Talk to Deskbot in the terminal: one message per line; choose a button by number or label."""
    settings = _settings(**options)
    logging.basicConfig(level=logging.WARNING)
    # One person per name (so two people can share a terminal login), else the login.
    who = name or getpass.getuser()
    user = UserRef(Platform.CONSOLE, who, who)
    _run(_chat(settings, user))


async def _chat(settings: Settings, user: UserRef) -> None:
    deskbot = build(settings)
    sender = ConsoleSender()
    deskbot.outbox.add_sender(Platform.CONSOLE, sender)
    # One delivery at a time: button numbers must be printed before the next line is read.
    delivering = asyncio.Lock()

    async def deliver() -> None:
        async with delivering:
            await deskbot.outbox.deliver_due()

    async def deliver_in_background() -> None:
        # Agents answer from another process (the web console, `deskbot tickets`).
        while True:
            await deliver()
            await asyncio.sleep(1.0)

    try:
        await db.prepare(deskbot.database)
        worker = asyncio.create_task(deliver_in_background())
        try:
            await run_console(deskbot.engine.dispatch, deliver, sender, user=user)
        finally:
            worker.cancel()
    finally:
        await deskbot.database.dispose()


# -- kb -------------------------------------------------------------------------------------------


@main.group()
def kb() -> None:
    """Check a knowledge base and try its matching."""


@kb.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def kb_check(path: Path) -> None:
    """Validate a knowledge base file or directory; list every problem."""
    knowledge, problems = check_kb(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {path}")
    languages = ", ".join(sorted(knowledge.languages))
    click.echo(f"{path}: {len(knowledge)} articles ({languages}), no problems")


@kb.command("learned")
@database_option
@kb_option
def kb_learned(**options: Any) -> None:
    """Questions agents answered with an article: candidate new phrasings, as YAML.

    Each time an agent answers a ticket with `faq N article` or resolves it naming an article,
    the ticket's question is recorded. Review the output and add the good ones to the article's
    `alternates`: more real phrasings is what makes matching better.
    """
    settings = _settings(**options)

    async def collect() -> dict[str, list[str]]:
        database = db.create_engine(settings.database_url)
        try:
            await db.prepare(database)
            async with db.session_factory(database)() as session:
                links = await Store(session, datetime.now(UTC)).tickets.article_links()
        finally:
            await database.dispose()
        knowledge = load_kb(settings.kb_path)
        learned: dict[str, list[str]] = {}
        for link in links:
            article = knowledge.get(link.article_id)
            question = " ".join(link.question.split())
            if article is None or question in article.phrasings:
                continue
            phrasings = learned.setdefault(link.article_id, [])
            if question not in phrasings:
                phrasings.append(question)
        return learned

    learned = _run(collect())
    if not learned:
        click.echo("# nothing learned yet", err=True)
        return
    click.echo(
        yaml.safe_dump(
            [{"id": article, "alternates": questions} for article, questions in learned.items()],
            allow_unicode=True,
            sort_keys=False,
        ),
        nl=False,
    )


@kb.command("match")
@click.option(
    "--kb", "kb_path", type=click.Path(path_type=Path), required=True, help="Knowledge base."
)
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--threshold", type=click.FloatRange(0, 1), help="Override the decline threshold.")
@click.option("--lang", help="Only match articles in this language (when the KB has any).")
def kb_match(kb_path: Path, top: int, threshold: float | None, lang: str | None) -> None:
    """Match queries from stdin (one per line); print one JSON object per line.

    {"query": ..., "answered": true|false, "matches": [{"id": ..., "score": ...}, ...]}
    """
    try:
        knowledge = load_kb(kb_path)
    except KBError as error:
        raise click.ClickException(f"the knowledge base has problems:\n{error}") from None
    matcher = Matcher(knowledge.articles, threshold=threshold)
    for line in sys.stdin:
        query = line.rstrip("\n")
        result = matcher.match(query, top=top, lang=lang)
        record = {
            "query": query,
            "answered": result.answered,
            "matches": [{"id": m.article.id, "score": round(m.score, 4)} for m in result.matches],
        }
        click.echo(json.dumps(record, ensure_ascii=False))


# -- db -------------------------------------------------------------------------------------------


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@database_option
def db_upgrade(**options: Any) -> None:
    """Apply pending migrations (run once per release, before starting servers)."""
    settings = _settings(**options)

    async def upgrade() -> str | None:
        database = db.create_engine(settings.database_url)
        try:
            await db.upgrade(database)
            return await db.current_revision(database)
        finally:
            await database.dispose()

    click.echo(f"database at revision {_run(upgrade())}")


# -- tickets --------------------------------------------------------------------------------------


@main.group()
def tickets() -> None:
    """Work tickets as an agent (the same commands as the agent console)."""


def _agent_command(name: str, args: str, agent: str, options: dict[str, Any]) -> None:
    settings = _settings(**options)

    async def run() -> tuple[str, bool]:
        deskbot = build(settings)
        try:
            await db.prepare(deskbot.database)
            sender = UserRef(Platform.CONSOLE, agent, agent)
            command = InboundCommand(
                uuid.uuid4().hex, CLI_AGENT_CHAT, sender, name, args, datetime.now(UTC)
            )
            reply = await deskbot.engine.dispatch(command)
            assert reply is not None, "agent commands always answer"
            return reply.text, reply.ok
        finally:
            await deskbot.database.dispose()

    answer, ok = _run(run())
    click.echo(answer)
    if not ok:
        sys.exit(1)


as_option = click.option("--as", "agent", required=True, help="Your agent name.")
as_optional = click.option("--as", "agent", default="cli", show_default=True, help="Agent name.")


def _ticket_command(
    name: str, *params: Callable[[Any], Any], agent: Callable[[Any], Any] = as_option
) -> Callable[[Callable[..., Any]], Any]:
    def decorate(function: Callable[..., Any]) -> Any:
        for param in reversed((*params, agent, database_option, kb_option)):
            function = param(function)
        return tickets.command(name)(function)

    return decorate


@_ticket_command(
    "list",
    click.option(
        "--view",
        type=click.Choice(QUEUE_VIEWS),
        default="all",
        show_default=True,
    ),
    agent=as_optional,
)
def tickets_list(view: str, agent: str, **options: Any) -> None:
    """The queue: tickets not yet closed, most pressing first."""
    _agent_command("queue", view, agent, options)


@_ticket_command("show", click.argument("number", type=int), agent=as_optional)
def tickets_show(number: int, agent: str, **options: Any) -> None:
    """A ticket and its conversation."""
    _agent_command("show", str(number), agent, options)


@_ticket_command("claim", click.argument("number", type=int))
def tickets_claim(number: int, agent: str, **options: Any) -> None:
    """Take ticket NUMBER."""
    _agent_command("claim", str(number), agent, options)


@_ticket_command(
    "reply", click.argument("number", type=int), click.argument("text", nargs=-1, required=True)
)
def tickets_reply(number: int, text: tuple[str, ...], agent: str, **options: Any) -> None:
    """Answer the requester of ticket NUMBER."""
    _agent_command("reply", f"{number} {' '.join(text)}", agent, options)


@_ticket_command("resolve", click.argument("number", type=int), click.argument("summary", nargs=-1))
def tickets_resolve(number: int, summary: tuple[str, ...], agent: str, **options: Any) -> None:
    """Resolve ticket NUMBER, with an optional SUMMARY for the requester."""
    _agent_command("resolve", f"{number} {' '.join(summary)}".strip(), agent, options)


@_ticket_command("run", click.argument("words", nargs=-1, required=True))
def tickets_run(words: tuple[str, ...], agent: str, **options: Any) -> None:
    """Run any agent command, e.g. `deskbot tickets run transfer 12 @Sara --as Ali`.

    The same words as the agent console and the chat adapters; `run help` lists them.
    """
    _agent_command(words[0], " ".join(words[1:]), agent, options)


# -- report, export (bot/report_commands.py) ------------------------------------------------------

main.add_command(report_commands.report)
main.add_command(report_commands.export)
