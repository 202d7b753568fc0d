"""English. Markup: *bold*, _italic_, `code`, bare URLs (see conversations/messages.py)."""

MESSAGES: dict[str, str] = {
    # -- requesters ------------------------------------------------------------------------------
    "greeting": (
        "Hi! I'm Deskbot, the help desk. Tell me what you need help with, in a sentence or two."
    ),
    "help": (
        "Describe your problem and I'll suggest answers from our knowledge base; if none helps, "
        "I'll open a ticket and a person will take it from there.\n"
        "Commands:\n"
        "- /ticket: your tickets and their status\n"
        "- /cancel: drop the current question, or withdraw your open ticket\n"
        "- /lang en|fa: change the language\n"
        "- /help: this message"
    ),
    "ask_detail": (
        "Could you tell me a bit more? For example what you were trying to do, what happened, "
        "and any error message you saw."
    ),
    "suggestions_intro": "These articles may answer your question:",
    "suggestions_outro": "None of these? A person can help.",
    "button.solved": "This solved it",
    "button.not_it": "Not what I need",
    "button.human": "Talk to a person",
    "glad_it_helped": "Glad that helped! Ask me anything else any time.",
    "try_other_suggestions": (
        "Noted. Have a look at the other suggestions, or choose *Talk to a person*."
    ),
    "describe_problem": "Sure. Please describe the problem and I'll open a ticket for you.",
    "ticket_opened": "I've opened ticket *#{id}* for you.",
    "ticket_opened_no_match": (
        "I couldn't find an answer in our knowledge base, so I've opened ticket *#{id}* for you."
    ),
    "ticket_next": (
        "An agent will reply right here; anything you add in this chat goes to the ticket. "
        "Priority: *{priority}* (change it below if that's wrong)."
    ),
    "ticket_already_open": (
        "You already have ticket *#{id}* open: write here and it goes to the agent."
    ),
    "ticket_reopened": "Ticket *#{id}* is open again; an agent will get back to you.",
    "ticket_not_active": "Ticket *#{id}* is no longer open.",
    "priority_set": "Ticket *#{id}* priority: *{priority}*.",
    "priority.low": "Low",
    "priority.normal": "Normal",
    "priority.high": "High",
    "priority.urgent": "Urgent",
    "status.new": "waiting for an agent",
    "status.open": "an agent is on it",
    "status.pending": "waiting for your reply",
    "status.resolved": "resolved",
    "status.closed": "closed",
    "your_tickets": "Your tickets:",
    "ticket_line": "- *#{id}* {subject}: {status} ({priority})",
    "no_tickets": "You have no tickets.",
    "cancelled": "OK, I've dropped that question.",
    "nothing_to_cancel": "There's nothing to cancel.",
    "ticket_withdrawn": (
        "Ticket *#{id}* is withdrawn and closed. Write any time if you need help again."
    ),
    "lang_usage": "Choose a language: /lang {languages}",
    "lang_set": "OK, I'll speak English.",
    "unknown_command": "I don't know the command /{name}. Send /help to see what I can do.",
    "stale_button": "That button belongs to an earlier question. Just write what you need.",
    "requester.claimed": "{agent} is looking at your request *#{id}*.",
    "requester.agent_reply": "*{agent}* (ticket #{id}): {text}",
    "requester.resolved": (
        "Ticket *#{id}* is resolved. If it isn't fixed, just reply here and it opens again."
    ),
    "requester.resolved_summary": (
        "Ticket *#{id}* is resolved: {summary}\nIf it isn't fixed, just reply here and it opens "
        "again."
    ),
    "error.generic": "Sorry, something went wrong on our side. Please try again in a moment.",
    # -- agents ----------------------------------------------------------------------------------
    "button.claim": "Claim",
    "agent.new_ticket": (
        "*New ticket #{id}* [{priority}] from {requester} ({channel})\n{description}\n"
        "_FAQs already tried:_ {faqs}"
    ),
    "agent.no_faqs": "none",
    "agent.requester_message": "*#{id}* {requester}: {text}",
    "agent.reply_notice": "*#{id}* {agent} replied: {text}",
    "agent.note_notice": "*#{id}* internal note by {agent}: {text}",
    "agent.claimed_notice": "*#{id}* claimed by {agent}.",
    "agent.resolved_notice": "*#{id}* resolved by {agent}.",
    "agent.reopened_notice": "*#{id}* re-opened: {requester} wrote again.",
    "agent.priority_notice": "*#{id}* priority changed by the requester to {priority}.",
    "agent.withdrawn_notice": "*#{id}* withdrawn by {requester}.",
    "agent.withdrawn_entry": "Withdrawn by the requester.",
    "agent.resolved_entry": "Resolved by {agent}: {summary}",
    "agent.help": (
        "Agent commands:\n"
        "- queue [all|mine|unassigned|urgent]: tickets not yet closed\n"
        "- show N: a ticket and its conversation\n"
        "- claim N: take ticket N\n"
        "- reply N text: answer the requester\n"
        "- note N text: internal note, never shown to the requester\n"
        "- resolve N [summary]: resolve ticket N and tell the requester\n"
        "- help: this list"
    ),
    "agent.usage.queue": "Usage: queue [all|mine|unassigned|urgent]",
    "agent.usage.show": "Usage: show N",
    "agent.usage.claim": "Usage: claim N",
    "agent.usage.reply": "Usage: reply N text",
    "agent.usage.note": "Usage: note N text",
    "agent.usage.resolve": "Usage: resolve N [summary]",
    "agent.bad_ticket_number": "'{token}' is not a ticket number. {usage}",
    "agent.no_such_ticket": "There is no ticket #{id}.",
    "agent.queue_empty": "The queue is empty.",
    "agent.queue_line": "#{id} [{priority}] {status}: {subject} (assignee: {assignee})",
    "agent.show_header": (
        "*#{id}* {subject}\nstatus: {status}, priority: {priority}, requester: {requester} "
        "({channel}), assignee: {assignee}"
    ),
    "agent.claimed": "You claimed #{id}.",
    "agent.already_yours": "#{id} is already yours.",
    "agent.taken": "#{id} is already claimed by {agent}.",
    "agent.wrong_state": "#{id} is {status}, so that can't be done.",
    "agent.replied": "Reply sent to the requester of #{id}.",
    "agent.noted": "Internal note added to #{id}.",
    "agent.resolved": "#{id} is resolved; the requester was told.",
    "agent.unknown_command": "Unknown command '{name}'. Send help for the list.",
}
