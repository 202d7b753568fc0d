"""People: requesters (one per platform account) and the agents who have worked tickets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from conversations.messages import UserRef
from conversations.models import Agent, Person
from conversations.store.base import Repository


class People(Repository):
    __slots__ = ()

    async def requester(self, user: UserRef) -> Person:
        """The person behind a platform account, created on first contact; their display name
        follows the platform's."""
        person = await self.session.scalar(
            select(Person).where(
                Person.platform == user.platform, Person.platform_user_id == user.user_id
            )
        )
        if person is None:
            person = Person(
                platform=user.platform,
                platform_user_id=user.user_id,
                display_name=user.display_name,
                created_at=self.now,
            )
            self.session.add(person)
            await self.session.flush()
        elif user.display_name and person.display_name != user.display_name:
            person.display_name = user.display_name
        return person

    async def requester_by_id(self, person_id: int) -> Person:
        person = await self.session.get(Person, person_id)
        assert person is not None, "tickets always have a requester"
        return person

    async def agents(self) -> Sequence[Agent]:
        return (await self.session.scalars(select(Agent).order_by(Agent.id))).all()

    async def agent(self, key: str) -> Agent | None:
        return await self.session.scalar(select(Agent).where(Agent.key == key))

    async def agent_named(self, name: str) -> Agent | None:
        wanted = name.casefold()
        for agent in await self.agents():
            if agent.name.casefold() == wanted or agent.key.casefold() == wanted:
                return agent
        return None

    async def touch_agent(self, key: str, name: str, *, assigned: bool = False) -> Agent:
        """Remember an agent (on every command they run): name, last seen, last assignment."""
        agent = await self.agent(key)
        if agent is None:
            agent = Agent(key=key, name=name, available=True, last_seen_at=self.now)
            self.session.add(agent)
        agent.name, agent.last_seen_at = name, self.now
        if assigned:
            agent.last_assigned_at = self.now
        await self.session.flush()
        return agent
