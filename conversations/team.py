"""Who may work tickets, with which role, in which teams: the team file.

```yaml
members:
  - who: web:agent:Sara          # a UserRef.key: platform:user_id
    name: Sara                   # how @Sara finds her in assign/transfer (default: the key)
    role: lead                   # agent | lead | admin (default agent)
    teams: [network]
    capacity: 5                  # open tickets round-robin gives her at most (default: no limit)
  - who: slack-usergroup:S0123   # a whole group, as the adapter names it (UserRef.groups)
    role: agent
```

Without a team file Deskbot runs open: everyone on an agent surface (the agent console, the
agent channel, the CLI) is an admin. That suits trying it out and small trusted teams; anyone
else should write the file, because a Slack slash command can be run by any workspace member.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conversations.messages import UserRef


class Role(enum.IntEnum):
    AGENT = 1
    LEAD = 2
    ADMIN = 3


@dataclass(frozen=True, slots=True)
class Member:
    who: str
    role: Role = Role.AGENT
    name: str | None = None
    teams: tuple[str, ...] = ()
    capacity: int | None = None

    @property
    def is_group(self) -> bool:
        """A platform group (``slack-usergroup:S0123``), not a person (``slack:U0123``)."""
        return self.who.split(":", 1)[0].endswith(("-group", "-usergroup"))

    def display_name(self, seen_as: str | None = None) -> str:
        """Their name: from the team file, else as the desk last saw them, else the key."""
        return self.name or seen_as or self.who


class TeamFileError(Exception):
    """The team file is invalid; the message says where."""


@dataclass(frozen=True)
class Team:
    members: tuple[Member, ...] = ()
    open: bool = True

    @classmethod
    def from_members(cls, members: Iterable[Member]) -> Team:
        return cls(tuple(members), open=False)

    def _entries(self, user: UserRef) -> list[Member]:
        names = {user.key, *user.groups}
        return [m for m in self.members if m.who in names]

    def role_of(self, user: UserRef) -> Role | None:
        """The highest role the person has directly or through a group; None: not an agent."""
        if self.open:
            return Role.ADMIN
        roles = [m.role for m in self._entries(user)]
        return max(roles) if roles else None

    def teams_of(self, user: UserRef) -> frozenset[str]:
        return frozenset(t for m in self._entries(user) for t in m.teams)

    @property
    def team_names(self) -> frozenset[str]:
        return frozenset(t for m in self.members for t in m.teams)

    def capacity_of(self, key: str) -> int | None:
        for member in self.members:
            if member.who == key:
                return member.capacity
        return None

    def find(self, handle: str) -> Member | None:
        """The person an ``@handle`` names: by key, or by name (case-insensitive)."""
        handle = handle.removeprefix("@").casefold()
        for member in self.individuals():
            if member.who.casefold() == handle or (member.name or "").casefold() == handle:
                return member
        return None

    def individuals(self) -> list[Member]:
        """Members that are people, not groups: who can be assigned, found by @name."""
        return [m for m in self.members if not m.is_group]


_FIELDS = {"who", "role", "name", "teams", "capacity"}


def parse_team(data: Any, source: str = "team file") -> Team:
    if not isinstance(data, Mapping) or not isinstance(data.get("members"), list):
        raise TeamFileError(f"{source}: expected a mapping with a 'members' list")
    members, problems = [], []
    for index, entry in enumerate(data["members"], start=1):
        where = f"{source}: member {index}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        unknown = set(entry) - _FIELDS
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        who = entry.get("who")
        if not isinstance(who, str) or ":" not in who:
            problems.append(
                f"{where}: 'who' must be platform:user_id or a group like slack-usergroup:S0123"
            )
            continue
        try:
            role = Role[str(entry.get("role", "agent")).upper()]
        except KeyError:
            problems.append(f"{where} ({who}): role must be agent, lead or admin")
            continue
        teams = entry.get("teams", [])
        capacity = entry.get("capacity")
        if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
            problems.append(f"{where} ({who}): teams must be a list of names")
            continue
        # bool is an int in Python: "capacity: yes" must not read as 1.
        bad_capacity = isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1
        if capacity is not None and bad_capacity:
            problems.append(f"{where} ({who}): capacity must be a whole number above 0")
            continue
        name = entry.get("name")
        members.append(Member(who, role, str(name) if name else None, tuple(teams), capacity))
    if problems:
        raise TeamFileError("\n".join(problems))
    return Team.from_members(members)


def load_team(path: Path | None) -> Team:
    if path is None:
        return Team()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TeamFileError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise TeamFileError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except yaml.YAMLError as error:
        raise TeamFileError(f"{path}: not valid YAML: {error}") from None
    return parse_team(data, str(path))
