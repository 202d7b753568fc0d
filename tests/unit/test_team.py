"""The team file: who may work tickets, with which role, in which teams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conversations.messages import Platform, UserRef
from conversations.team import Member, Role, Team, TeamFileError, load_team, parse_team

VALID = """\
members:
  - who: web:agent:Sara
    name: Sara
    role: lead
    teams: [network, hardware]
    capacity: 5
  - who: slack:U024BE7LH
    name: Omid
    teams: [network]
  - who: slack-usergroup:S0123
    role: agent
    teams: [desk]
  - who: telegram-group:-100123
    role: admin
"""


def write(tmp_path: Path, content: str | bytes, name: str = "team.yml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def user(key: str, *groups: str) -> UserRef:
    platform, _, user_id = key.partition(":")
    return UserRef(Platform(platform), user_id, groups=frozenset(groups))


def errors(data: Any) -> str:
    with pytest.raises(TeamFileError) as raised:
        parse_team(data, "team.yml")
    return str(raised.value)


# -- a valid file -------------------------------------------------------------------------------


def test_a_valid_file_lists_people_and_groups_with_their_roles_teams_and_capacity(
    tmp_path: Path,
) -> None:
    team = load_team(write(tmp_path, VALID))

    assert not team.open
    assert team.members == (
        Member("web:agent:Sara", Role.LEAD, "Sara", ("network", "hardware"), 5),
        Member("slack:U024BE7LH", Role.AGENT, "Omid", ("network",), None),
        Member("slack-usergroup:S0123", Role.AGENT, None, ("desk",), None),
        Member("telegram-group:-100123", Role.ADMIN, None, (), None),
    )
    assert team.team_names == {"network", "hardware", "desk"}
    assert team.capacity_of("web:agent:Sara") == 5
    assert team.capacity_of("slack:U024BE7LH") is None  # no limit
    assert team.capacity_of("web:agent:Nobody") is None
    # Groups are not people: round-robin only considers individuals.
    assert [m.who for m in team.individuals()] == ["web:agent:Sara", "slack:U024BE7LH"]


def test_defaults_role_agent_no_name_no_teams_no_capacity() -> None:
    team = parse_team({"members": [{"who": "web:agent:Ali"}]})
    assert team.members == (Member("web:agent:Ali", Role.AGENT, None, (), None),)
    assert not team.open


def test_roles_are_read_whatever_their_case() -> None:
    team = parse_team({"members": [{"who": "web:a", "role": "Admin"}, {"who": "web:b"}]})
    assert [m.role for m in team.members] == [Role.ADMIN, Role.AGENT]


def test_an_empty_members_list_is_a_closed_team_with_nobody_in_it() -> None:
    team = parse_team({"members": []})
    assert not team.open
    assert team.role_of(user("web:agent:Sara")) is None


def test_no_team_file_means_an_open_team() -> None:
    assert load_team(None) == Team()
    assert load_team(None).open


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        None,  # an empty file
        "members",
        ["web:agent:Sara"],
        {"people": [{"who": "web:agent:Sara"}]},
        {"members": "web:agent:Sara"},
        {"members": {"who": "web:agent:Sara"}},
        {"members": None},
    ],
    ids=["empty", "string", "list", "no-members", "members-string", "members-mapping", "null"],
)
def test_not_a_mapping_with_a_members_list(data: Any) -> None:
    assert errors(data) == "team.yml: expected a mapping with a 'members' list"


def test_a_member_that_is_not_a_mapping() -> None:
    assert errors({"members": ["web:agent:Sara"]}) == "team.yml: member 1: expected a mapping"


def test_unknown_fields_are_named() -> None:
    message = errors({"members": [{"who": "web:agent:Sara", "rol": "lead", "team": ["x"]}]})
    assert message == "team.yml: member 1: unknown field(s) rol, team"


@pytest.mark.parametrize(
    "who",
    [None, "", "Sara", 42, ["web:agent:Sara"]],
    ids=["missing", "empty", "no-platform", "number", "list"],
)
def test_who_must_be_a_platform_key_or_a_group(who: Any) -> None:
    entry = {} if who is None else {"who": who}
    message = errors({"members": [entry]})
    assert message == (
        "team.yml: member 1: 'who' must be platform:user_id or a group like slack-usergroup:S0123"
    )


@pytest.mark.parametrize("role", ["boss", "", "agents", 3])
def test_role_must_be_agent_lead_or_admin(role: Any) -> None:
    message = errors({"members": [{"who": "web:agent:Sara", "role": role}]})
    assert message == "team.yml: member 1 (web:agent:Sara): role must be agent, lead or admin"


@pytest.mark.parametrize(
    "teams",
    ["network", ["network", 7], {"network": True}],
    ids=["string", "non-string-item", "mapping"],
)
def test_teams_must_be_a_list_of_names(teams: Any) -> None:
    message = errors({"members": [{"who": "web:agent:Sara", "teams": teams}]})
    assert message == "team.yml: member 1 (web:agent:Sara): teams must be a list of names"


@pytest.mark.parametrize(
    "capacity",
    [0, -1, "5", 2.5, True],
    ids=["zero", "negative", "string", "fraction", "yaml-yes"],
)
def test_capacity_must_be_a_whole_number_above_zero(capacity: Any) -> None:
    # ``capacity: yes`` in YAML is True, which is no number of tickets.
    message = errors({"members": [{"who": "web:agent:Sara", "capacity": capacity}]})
    assert message == (
        "team.yml: member 1 (web:agent:Sara): capacity must be a whole number above 0"
    )


def test_every_problem_is_reported_at_once_with_the_member_it_is_about() -> None:
    message = errors(
        {
            "members": [
                {"who": "web:agent:Sara"},
                {"who": "web:agent:Omid", "role": "boss"},
                "web:agent:Ali",
                {"who": "web:agent:Bea", "capacity": 0},
            ]
        }
    )
    assert message.splitlines() == [
        "team.yml: member 2 (web:agent:Omid): role must be agent, lead or admin",
        "team.yml: member 3: expected a mapping",
        "team.yml: member 4 (web:agent:Bea): capacity must be a whole number above 0",
    ]


def test_errors_name_the_file_they_are_in(tmp_path: Path) -> None:
    path = write(tmp_path, "members:\n  - who: web:agent:Sara\n    role: boss\n")
    with pytest.raises(TeamFileError) as raised:
        load_team(path)
    assert (
        str(raised.value) == f"{path}: member 1 (web:agent:Sara): role must be agent, lead or admin"
    )


def test_bad_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "members:\n  - who: web:agent:Sara\n   role: [lead\n")
    with pytest.raises(TeamFileError) as raised:
        load_team(path)
    assert str(raised.value).startswith(f"{path}: not valid YAML: ")


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "team.yml"
    with pytest.raises(TeamFileError) as raised:
        load_team(path)
    assert str(raised.value) == f"{path}: No such file or directory"


def test_an_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(TeamFileError) as raised:
        load_team(path)
    assert str(raised.value) == f"{path}: expected a mapping with a 'members' list"


def test_a_file_that_is_not_utf8_is_a_team_file_error(tmp_path: Path) -> None:
    # Saved in Latin-1 by an editor: a clear error, not a UnicodeDecodeError traceback.
    path = write(tmp_path, "members:\n  - who: web:agent:Jos\xe9\n".encode("latin-1"))
    with pytest.raises(TeamFileError) as raised:
        load_team(path)
    assert str(raised.value).startswith(f"{path}: ")


# -- roles ----------------------------------------------------------------------------------------


def closed_team() -> Team:
    return Team.from_members(
        [
            Member("web:agent:Sara", Role.AGENT, "Sara"),
            Member("web:agent:Lea", Role.ADMIN, "Lea"),
            Member("slack-usergroup:LEADS", Role.LEAD),
            Member("slack-usergroup:DESK", Role.AGENT, teams=("desk",)),
            Member("web:agent:Omid", Role.LEAD, "Omid", teams=("network",)),
        ]
    )


def test_role_by_key() -> None:
    team = closed_team()
    assert team.role_of(user("web:agent:Sara")) is Role.AGENT
    assert team.role_of(user("web:agent:Omid")) is Role.LEAD
    assert team.role_of(user("web:agent:Lea")) is Role.ADMIN


def test_role_by_group() -> None:
    team = closed_team()
    assert team.role_of(user("slack:U1", "slack-usergroup:DESK")) is Role.AGENT
    assert team.role_of(user("slack:U2", "slack-usergroup:LEADS")) is Role.LEAD
    assert team.teams_of(user("slack:U1", "slack-usergroup:DESK")) == {"desk"}


def test_the_highest_role_wins() -> None:
    team = closed_team()
    # An agent in the leads' group is a lead...
    assert team.role_of(user("web:agent:Sara", "slack-usergroup:LEADS")) is Role.LEAD
    # ...and an admin in the agents' group stays an admin.
    assert team.role_of(user("web:agent:Lea", "slack-usergroup:DESK")) is Role.ADMIN
    assert team.role_of(user("slack:U3", "slack-usergroup:DESK", "slack-usergroup:LEADS")) is (
        Role.LEAD
    )
    # Teams add up over the entries too.
    assert team.teams_of(user("web:agent:Omid", "slack-usergroup:DESK")) == {"network", "desk"}


def test_anyone_else_is_no_agent() -> None:
    team = closed_team()
    assert team.role_of(user("web:agent:Eve")) is None
    assert team.role_of(user("slack:U9", "slack-usergroup:OTHER")) is None
    assert team.teams_of(user("web:agent:Eve")) == frozenset()


def test_an_open_team_makes_everyone_admin() -> None:
    team = Team()
    assert team.open
    for someone in (user("web:agent:Eve"), user("slack:U1"), user("telegram:42", "x-group:1")):
        assert team.role_of(someone) is Role.ADMIN


# -- finding members ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("handle", "who"),
    [
        ("Omid", "web:agent:Omid"),
        ("@omid", "web:agent:Omid"),
        ("@OMID", "web:agent:Omid"),
        ("web:agent:sara", "web:agent:Sara"),
        ("@WEB:AGENT:SARA", "web:agent:Sara"),
    ],
)
def test_find_by_name_or_key_case_insensitively(handle: str, who: str) -> None:
    found = closed_team().find(handle)
    assert found is not None and found.who == who


@pytest.mark.parametrize("handle", ["Eve", "@eve", "web:agent:Eve", "agent:Sara", "Sar"])
def test_find_nobody(handle: str) -> None:
    assert closed_team().find(handle) is None


def test_find_names_people_not_groups() -> None:
    # A group grants roles; a ticket can only be given to a person (or a team, by its name).
    team = closed_team()
    assert any(m.who == "slack-usergroup:LEADS" for m in team.members)
    assert team.find("@slack-usergroup:leads") is None
