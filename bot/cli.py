"""The ``deskbot`` command line.

Every option falls back to its environment variable (see ``bot.config``); a flag overrides it.
Only click is imported up front: each command imports what it needs when it runs, so
``deskbot --help`` and ``deskbot tickets list`` never import scikit-learn, the chat SDKs or (for
``--help``) the database layer. Known failures print one line (``bot.errors``), not a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from conversations.views import QUEUE_VIEWS  # light: the boundary types only

if TYPE_CHECKING:
    from bot.config import Settings
    from conversations.messages import UserRef

T = TypeVar("T")

database_option = click.option(
    "--database-url",
    help="Database URL [env: DESKBOT_DATABASE_URL; default: SQLite in your data directory].",
)
kb_option = click.option(
    "--kb",
    "kb_path",
    type=click.Path(path_type=Path),
    help="Knowledge base file or directory [env: DESKBOT_KB_PATH; default: the sample KB].",
)


class DeskbotGroup(click.Group):
    """Runs a command and turns a known failure (``bot.errors``) into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            from bot.errors import explain

            message = explain(error)
            if message is None:
                raise
            raise click.ClickException(message) from None


def _settings(**overrides: Any) -> Settings:
    from bot.config import load_settings

    return load_settings(**overrides)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@click.group(cls=DeskbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    import logging

    from aiohttp import web

    from adapters.web.channel import WebSettings
    from bot.config import load_channels
    from bot.process_limits import raise_open_file_limit, serving_loop
    from bot.server import create_app
    from conversations.messages import Platform

    settings = _settings(**options)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx (under python-telegram-bot) logs each request's URL, which holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    channels = load_channels()
    web_settings = channels[Platform.WEB]
    assert isinstance(web_settings, WebSettings)
    if not settings.is_loopback and not web_settings.agent_token:
        raise click.ClickException(
            f"refusing to serve the agent console on {settings.host} without a password: "
            "set DESKBOT_AGENT_TOKEN (or listen on 127.0.0.1)"
        )
    if not settings.is_loopback and web_settings.host_names.only_loopback:
        # Requests from elsewhere would name this machine, and every one would be refused.
        raise click.ClickException(
            f"listening on {settings.host} but answering only to loopback names: set "
            "DESKBOT_ALLOWED_HOSTS to the names people reach Deskbot by (help.example.com)"
        )
    app = create_app(settings, channels=channels)

    def listening(_: str) -> None:  # called once the socket is bound and the adapters started
        click.echo(f"Deskbot web chat:       http://{settings.host}:{settings.port}/")
        click.echo(f"Deskbot agent console:  http://{settings.host}:{settings.port}/agent")

    raise_open_file_limit()
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=listening,
        loop=serving_loop(),
        keepalive_timeout=settings.client_timeout,
    )


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
    import getpass
    import logging

    from conversations.messages import Platform, UserRef

    settings = _settings(**options)
    logging.basicConfig(level=logging.WARNING)
    # One person per name (so two people can share a terminal login), else the login.
    who = name or getpass.getuser()
    user = UserRef(Platform.CONSOLE, who, who)
    _run(_chat(settings, user))


async def _chat(settings: Settings, user: UserRef) -> None:
    from adapters.console import ConsoleSender, run_console
    from bot import db
    from bot.app import build
    from conversations import copy
    from conversations.messages import ChatRef, Platform

    deskbot = build(settings)
    sender = ConsoleSender()
    chat = ChatRef(Platform.CONSOLE, user.user_id)
    # Only this person's messages: another name's replies wait for their own console.
    deskbot.outbox.add_sender(Platform.CONSOLE, sender, chat_id=chat.chat_id)
    # One delivery at a time: button keys must be printed before the next line is read.
    delivering = asyncio.Lock()

    async def deliver() -> int:
        async with delivering:
            return await deskbot.outbox.deliver_due()

    async def deliver_in_background() -> None:
        # Agents answer from another process (the web console, `deskbot tickets`).
        while True:
            await deliver()
            await asyncio.sleep(1.0)

    try:
        await db.prepare(deskbot.database)
        earlier = await deskbot.desk.transcript(chat)
        welcome_back = copy.text(earlier[-1].lang, "console.welcome_back") if earlier else None
        worker = asyncio.create_task(deliver_in_background())
        try:
            await run_console(
                deskbot.engine.dispatch, deliver, sender, user=user, welcome_back=welcome_back
            )
        finally:
            worker.cancel()
    finally:
        await deskbot.database.dispose()


# -- kb -------------------------------------------------------------------------------------------


@main.group()
def kb() -> None:
    """Check a knowledge base and try its matching."""


@kb.command("check")
@click.argument("path", type=click.Path(path_type=Path), required=False)
def kb_check(path: Path | None) -> None:
    """Validate a knowledge base file or directory (default: DESKBOT_KB_PATH, else the sample
    KB); list every problem."""
    from kb import check_kb

    path = path or _settings().knowledge_base
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
    from datetime import UTC, datetime

    import yaml

    from bot import db
    from conversations.store import Store
    from kb import load_kb

    settings = _settings(**options)

    async def collect() -> dict[str, list[str]]:
        database = db.create_engine(settings.database_url)
        try:
            await db.prepare(database)
            async with db.session_factory(database)() as session:
                links = await Store(session, datetime.now(UTC)).tickets.article_links()
        finally:
            await database.dispose()
        knowledge = load_kb(settings.knowledge_base)
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
@kb_option
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--threshold", type=click.FloatRange(0, 1), help="Override the decline threshold.")
@click.option("--lang", help="Only match articles in this language (when the KB has any).")
def kb_match(kb_path: Path | None, top: int, threshold: float | None, lang: str | None) -> None:
    """Match queries from stdin (one per line); print one JSON object per line.

    {"query": ..., "answered": true|false, "matches": [{"id": ..., "score": ...}, ...]}
    """
    import json

    from kb import Matcher, load_kb

    knowledge = load_kb(_settings(kb_path=kb_path).knowledge_base)
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
    from bot import db

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
    import uuid
    from datetime import UTC, datetime

    from bot import db
    from bot.app import build
    from conversations.engine import CLI_AGENT_CHAT
    from conversations.messages import InboundCommand, Platform, UserRef

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

    from adapters.console import render_text

    answer, ok = _run(run())
    click.echo(render_text(answer))  # a terminal: the chat markup's markers go, the words stay
    if not ok:
        sys.exit(1)


as_option = click.option("--as", "agent", required=True, help="Your agent name.")
as_optional = click.option("--as", "agent", default="cli", show_default=True, help="Agent name.")


def _ticket_command(
    name: str,
    *params: Callable[[Any], Any],
    agent: Callable[[Any], Any] = as_option,
    cls: type[click.Command] = click.Command,
) -> Callable[[Callable[..., Any]], Any]:
    def decorate(function: Callable[..., Any]) -> Any:
        for param in reversed((*params, agent, database_option, kb_option)):
            function = param(function)
        return tickets.command(name, cls=cls)(function)

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


class AgentCommandHelp(click.Command):
    """``tickets run --help``: the registry's commands, listed when asked (not at import)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from conversations.commands import AGENT

        with formatter.section("Agent commands"):
            formatter.write_dl([(spec.usage, spec.help("en")) for spec in AGENT])
        super().format_epilog(ctx, formatter)


@_ticket_command("run", click.argument("words", nargs=-1, required=True), cls=AgentCommandHelp)
def tickets_run(words: tuple[str, ...], agent: str, **options: Any) -> None:
    """Run any agent command, e.g. `deskbot tickets run transfer 12 @Sara --as Ali`.

    The same words as the agent console and the chat adapters.
    """
    _agent_command(words[0], " ".join(words[1:]), agent, options)


# -- report, export (bot/report_commands.py) ------------------------------------------------------


def _add_report_commands() -> None:
    from bot import report_commands

    main.add_command(report_commands.report)
    main.add_command(report_commands.export)


_add_report_commands()
