"""Every command is declared once, in the registry, and everything people read about the
commands is generated from it or checked against it here, so nothing can drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.actions import AgentAction
from conversations.commands import AGENT, REQUESTER
from conversations.commands.registry import markdown_table
from conversations.copy import CATALOGUES, text
from conversations.team import Role

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_registry() -> None:
    assert markdown_table(AGENT) in README.read_text(encoding="utf-8")


def test_the_readme_names_every_requester_command() -> None:
    readme = README.read_text(encoding="utf-8")
    for spec in REQUESTER:
        assert f"`/{spec.usage}`" in readme, spec.name


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_command_has_help_in_every_language(lang: str) -> None:
    for commands in (AGENT, REQUESTER):
        for spec in commands:
            assert spec.help(lang).strip(), (lang, spec.name)


def test_agent_commands_have_a_role_and_requester_commands_none() -> None:
    assert all(isinstance(spec.role, Role) for spec in AGENT)
    assert all(spec.role is None for spec in REQUESTER)
    assert AGENT["assign"].role is Role.LEAD


def test_usages_start_with_the_command_name() -> None:
    for commands in (AGENT, REQUESTER):
        for spec in commands:
            assert spec.usage.split()[0] == spec.name


def test_names_and_aliases_find_their_command() -> None:
    assert AGENT.find("list") is AGENT["queue"]
    assert AGENT.find("/RESOLVE") is AGENT["resolve"]
    assert REQUESTER.find("tickets") is REQUESTER["ticket"]
    assert AGENT.find("frobnicate") is None


@pytest.mark.parametrize(
    ("typed", "closest"),
    [("reslove", "resolve"), ("cliam", "claim"), ("tranfser", "transfer"), ("qeue", "queue")],
)
def test_a_mistyped_command_suggests_the_closest(typed: str, closest: str) -> None:
    assert AGENT.suggest(typed)[0] == closest


def test_nothing_close_suggests_nothing() -> None:
    assert AGENT.suggest("xyzzy") == []


def test_every_agent_button_runs_a_registered_command() -> None:
    for action in AgentAction:
        assert AGENT.find(action) is not None, action


def test_help_lines_come_from_the_registry_in_each_language() -> None:
    for lang in CATALOGUES:
        lines = AGENT.help_lines(lang)
        assert len(lines) == len(list(AGENT))
        for line, spec in zip(lines, AGENT, strict=True):
            assert line == f"- {spec.usage}: {text(lang, f'help.agent.{spec.name}')}"
