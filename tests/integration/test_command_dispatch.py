"""How agent commands are read and run, on every configured database: help, unknown commands and
buttons, ticket-number arguments, and one transaction per command (a command cut short leaves
nothing behind and runs in full when redelivered)."""

from __future__ import annotations

import uuid

import pytest

from conversations.commands import AGENT
from conversations.messages import InboundAction, InboundCommand, Reply, Unavailable
from tests.harness import AGENTS, DeskHarness, agent, break_the_next_audit_write, refused


async def test_help_lists_every_command(desk: DeskHarness) -> None:
    reply = await desk.agent("Ali", "help")
    assert reply.ok
    for usage in ("queue", "show N", "claim N", "reply N text", "note N text", "resolve N", "help"):
        assert usage in reply.text


async def test_an_unknown_command_or_button_is_refused_and_points_to_help(
    desk: DeskHarness,
) -> None:
    reply = await desk.agent("Ali", "frobnicate 1")
    assert refused(reply, "Unknown command 'frobnicate'", "help")
    odd_button = InboundAction(
        uuid.uuid4().hex, AGENTS, agent("Ali"), "escalate", "1", desk.clock()
    )
    pressed = await desk.dispatch(odd_button)
    assert pressed is not None and refused(pressed, "Unknown command 'escalate'")


@pytest.mark.parametrize("command", ["show", "claim", "reply", "note", "resolve"])
async def test_commands_refuse_what_is_not_a_ticket_number_or_no_ticket(
    desk: DeskHarness, command: str
) -> None:
    await desk.person("Sara").open_ticket()
    usage = f"Usage: {AGENT[command].usage}"  # as the registry declares it
    rest = " some text" if command in ("reply", "note", "resolve") else ""
    for token in ("abc", "#x", "1abc", "-1", "#"):
        reply = await desk.agent("Ali", f"{command} {token}{rest}")
        assert refused(reply, f"'{token}' is not a ticket number", usage), reply
    if command != "claim":  # a bare "claim" takes the next ticket (test_claiming.py)
        assert refused(await desk.agent("Ali", command), usage)  # no argument at all
    assert refused(await desk.agent("Ali", f"{command} 99{rest}"), "There is no ticket #99.")
    assert (await desk.ticket_row(1)).assignee_key is None  # nothing happened to ticket 1


async def test_a_command_cut_short_takes_effect_when_the_platform_redelivers_it(
    desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event's record and its effects commit together: a command that failed half-way
    (database hiccup, process killed) must not be mistaken for a duplicate when it comes again."""
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    claim = InboundCommand("evt-claim", AGENTS, agent("Ali"), "claim", str(number), desk.clock())

    break_the_next_audit_write(monkeypatch)
    with pytest.raises(Unavailable):  # so that the platform delivers it again
        await desk.dispatch(claim)
    assert (await desk.ticket_row(number)).assignee_key is None  # nothing of it was kept

    retried = await desk.dispatch(claim)
    assert retried == Reply(f"You claimed #{number}.")
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
