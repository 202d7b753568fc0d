"""What happens as time passes: SLA warnings and breaches, transfers nobody accepted, resolved
tickets closing after their quiet period. ``Engine.tick`` runs this every few seconds in every
server process; each effect is conditional (a unique alert row, a conditional UPDATE), so several
processes ticking at once still act once."""

from __future__ import annotations

import logging

from conversations.copy import durations
from conversations.tickets import operations as op
from conversations.tickets.workflow import Notifier

log = logging.getLogger(__name__)


async def tick(n: Notifier) -> None:
    await sla_alerts(n)
    await op.expire_transfers(n)
    await op.close_quiet_resolved(n)


async def sla_alerts(n: Notifier) -> None:
    store, policy = n.store, n.workflow.sla
    for ticket in await store.tickets.active():
        for due in policy.alerts(ticket, store.now):
            if due.stage == "breach":
                # A breach found late (the server was down) makes its warning moot: record it
                # so it is never sent after the breach.
                await store.tickets.record_alert(ticket.id, due.target, "warning", due.due_at)
            if not await store.tickets.record_alert(ticket.id, due.target, due.stage, due.due_at):
                continue
            n.agents(
                ticket,
                n.t(
                    f"agent.sla_{due.stage}",
                    id=ticket.id,
                    target=n.t(f"agent.sla_target_{due.target}"),
                    duration=durations.humanize(abs(due.due_at - store.now), n.workflow.agent_lang),
                    priority=ticket.priority,
                    assignee=n.owner(ticket),
                ),
            )
