"""What happens as time passes: SLA warnings and breaches, transfers nobody accepted, resolved
tickets closing after their quiet period. ``Engine.tick`` runs this every few seconds in every
server process; each effect is conditional (a unique alert row, a conditional UPDATE), so several
processes ticking at once still act once."""

from __future__ import annotations

import logging

from conversations.repository import Repository
from conversations.tickets import Notifier, current_owner

log = logging.getLogger(__name__)


async def tick(repo: Repository, notify: Notifier) -> None:
    await sla_alerts(repo, notify)
    await expire_transfers(repo, notify)
    await close_resolved(repo, notify)


async def sla_alerts(repo: Repository, notify: Notifier) -> None:
    policy = notify.workflow.sla
    for ticket in await repo.active_tickets():
        for due in policy.alerts(ticket, repo.now):
            if due.stage == "breach":
                # A breach found late (the server was down) makes its warning moot: record it
                # so it is never sent after the breach.
                await repo.record_alert(ticket.id, due.target, "warning", due.due_at)
            if not await repo.record_alert(ticket.id, due.target, due.stage, due.due_at):
                continue
            minutes = abs(round((due.due_at - repo.now).total_seconds() / 60))
            notify.agents(
                ticket,
                notify.t(
                    f"agent.sla_{due.stage}",
                    id=ticket.id,
                    target=notify.t(f"agent.sla_target_{due.target}"),
                    minutes=minutes,
                    priority=ticket.priority,
                    assignee=ticket.assignee_name or notify.t("agent.nobody"),
                ),
            )


async def expire_transfers(repo: Repository, notify: Notifier) -> None:
    for transfer in await repo.expired_transfers():
        if not await repo.decide_transfer(transfer.id, "expired"):
            continue  # accepted, declined or expired by someone else meanwhile
        ticket = await repo.ticket(transfer.ticket_id)
        assert ticket is not None
        owner = current_owner(notify, ticket)
        repo.audit(ticket.id, "timer", "transfer_expired", None, owner)
        notify.agents(
            ticket,
            notify.t(
                "agent.transfer_expired",
                id=ticket.id,
                to=transfer.to_name or notify.t("agent.team", team=transfer.to_team),
                owner=owner,
            ),
        )


async def close_resolved(repo: Repository, notify: Notifier) -> None:
    for ticket in await repo.resolved_before(repo.now - notify.workflow.close_after):
        if not await repo.close_if_resolved(ticket.id):
            continue
        await repo.session.refresh(ticket)
        repo.audit(ticket.id, "timer", "status", "resolved", "closed")
        log.info("closed ticket %s after its quiet period", ticket.id)
