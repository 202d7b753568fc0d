"""The command menus Telegram shows as you type ``/`` (``setMyCommands``).

The engine decides what each command does; these lists only tell Telegram's clients what to
offer: agent commands in the agent chat, requester commands in private chats
(https://core.telegram.org/bots/api#setmycommands, scopes: https://core.telegram.org/bots/api#botcommandscope).
"""

from __future__ import annotations

from telegram import BotCommand

AGENT_COMMANDS: tuple[BotCommand, ...] = tuple(
    BotCommand(name, description)
    for name, description in (
        ("queue", "Tickets not yet closed: queue [mine|unassigned|urgent|pending|<team>]"),
        ("show", "A ticket, its SLA clock and conversation: show N"),
        ("claim", "Take a ticket: claim [N]"),
        ("unclaim", "Give a ticket back to the queue: unclaim N"),
        ("assign", "Give a ticket to someone (leads): assign N @agent"),
        ("transfer", "Hand a ticket over: transfer N @agent|team [note]"),
        ("accept", "Accept a transfer: accept N"),
        ("decline", "Decline a transfer: decline N"),
        ("priority", "Change priority: priority N low|normal|high|urgent"),
        ("reply", "Answer the requester: reply N text"),
        ("note", "Internal note: note N text"),
        ("faq", "Answer with a knowledge-base article: faq N article-id"),
        ("pending", "Waiting on the requester: pending N"),
        ("resolve", "Resolve a ticket: resolve N [article-id] [summary]"),
        ("reopen", "Re-open a ticket: reopen N"),
        ("close", "Close a ticket: close N"),
        ("merge", "Mark a duplicate: merge N into M"),
        ("available", "Round-robin may give you tickets"),
        ("away", "Round-robin skips you"),
        ("help", "The agent commands"),
    )
)

REQUESTER_COMMANDS: tuple[BotCommand, ...] = tuple(
    BotCommand(name, description)
    for name, description in (
        ("start", "Start talking to the help desk"),
        ("tickets", "Your tickets and their status"),
        ("cancel", "Drop the current question, or withdraw your open ticket"),
        ("lang", "Change the language: /lang en|fa"),
        ("help", "What I can do"),
    )
)
