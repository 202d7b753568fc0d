"""Who a Slack user is: name and locale (``users.info``) and user groups (``usergroups.list``).

Both are cached, because every event needs them and Slack rate-limits the methods: a person for an
hour, the workspace's user groups for a few minutes (so a team-file change by group membership
takes effect soon). A failed lookup never stops an event: without ``users.info`` the person is
just their id; without ``usergroups:read`` (or on any error) nobody is in any group.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.inbound import parse_user, parse_usergroups
from conversations.messages import UserRef

log = logging.getLogger(__name__)

USER_TTL = 3600.0
GROUPS_TTL = 300.0
MAX_USERS = 10_000


class SlackDirectory:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        user_ttl: float = USER_TTL,
        groups_ttl: float = GROUPS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._user_ttl = user_ttl
        self._groups_ttl = groups_ttl
        self._clock = clock
        self._users: OrderedDict[str, tuple[float, Mapping[str, Any]]] = OrderedDict()
        self._groups: tuple[float, Mapping[str, frozenset[str]]] | None = None
        self._groups_lock = asyncio.Lock()

    async def user(self, user_id: str, *, fallback_name: str = "") -> UserRef:
        info = await self._info(user_id)
        groups = (await self._memberships()).get(user_id, frozenset())
        return parse_user(user_id, info, groups=groups, fallback_name=fallback_name)

    async def _info(self, user_id: str) -> Mapping[str, Any] | None:
        now = self._clock()
        cached = self._users.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id, include_locale=True)
        except Exception as error:
            # Not cached: the next event asks again. Meanwhile the last known answer is better
            # than nothing, even if stale.
            reason = error.response.get("error") if isinstance(error, SlackApiError) else error
            log.warning("users.info failed for %s: %s", user_id, reason)
            return cached[1] if cached is not None else None
        info = response.get("user")
        if not isinstance(info, Mapping):
            return None
        self._users[user_id] = (now + self._user_ttl, info)
        self._users.move_to_end(user_id)
        while len(self._users) > MAX_USERS:
            self._users.popitem(last=False)
        return info

    async def _memberships(self) -> Mapping[str, frozenset[str]]:
        async with self._groups_lock:  # one usergroups.list at a time, whoever asks
            now = self._clock()
            if self._groups is not None and self._groups[0] > now:
                return self._groups[1]
            try:
                response = await self._client.usergroups_list(include_users=True)
                groups: Mapping[str, frozenset[str]] = parse_usergroups(response.get("usergroups"))
            except Exception as error:
                # Typically missing_scope (usergroups:read) or a free workspace without groups:
                # remember "no groups" for the period too, so we do not ask on every event.
                reason = error.response.get("error") if isinstance(error, SlackApiError) else error
                log.warning("usergroups.list failed (%s); for now nobody is in a group", reason)
                groups = {}
            self._groups = (now + self._groups_ttl, groups)
            return groups
