"""English. Markup: *bold*, _italic_, `code`, bare URLs (see conversations/messages.py)."""

MESSAGES: dict[str, str] = {
    # -- requesters ------------------------------------------------------------------------------
    "console.welcome_back": (
        "Welcome back. Nothing new since you left: write your message, "
        "or /ticket to see your tickets."
    ),
    "greeting": (
        "Hi! I'm Deskbot, the help desk. Tell me what you need help with, in a sentence or two."
    ),
    "help": (
        "Describe your problem and I'll suggest answers from our knowledge base; if none helps, "
        "I'll open a ticket and a person will take it from there.\n"
        "Commands:"
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
    "ticket_cap": (
        "You already have {count} open requests, as many as one person can have at once. Please "
        "add to one of them, or write again once one is resolved."
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
    "requester.faq_answer": "*{agent}* (ticket #{id}) sent you an article:\n*{question}*\n{answer}",
    "requester.pending": ("{agent} is waiting for your reply on ticket *#{id}*: just answer here."),
    "requester.closed": "Ticket *#{id}* is closed.",
    "requester.merged": (
        "Your request *#{id}* is the same as ticket *#{target}*, so we merged them: you'll hear "
        "about it there, and anything you write here joins it."
    ),
    "survey.ask": "How did we do on ticket *#{id}*? 1 is poor, 5 is excellent.",
    "survey.rating_1": "1",
    "survey.rating_2": "2",
    "survey.rating_3": "3",
    "survey.rating_4": "4",
    "survey.rating_5": "5",
    "survey.thanks": "Thank you! Anything you'd like to add? Write it now, or press Skip.",
    "button.skip": "Skip",
    "survey.comment_thanks": "Thanks for the feedback.",
    "error.generic": "Sorry, something went wrong on our side. Please try again in a moment.",
    "error.unavailable": (
        "Deskbot could not take that just now, so nothing was done. Please send it again in a "
        "moment."
    ),
    "error.slow_down": (
        "You're sending messages faster than I can read them, so I skipped the last ones. "
        "Please wait a minute, then send what's left."
    ),
    # -- agents ----------------------------------------------------------------------------------
    "button.claim": "Claim",
    "agent.new_ticket": (
        "*New ticket #{id}* [{priority}] from {requester} ({channel})\n{description}\n"
        "_FAQs already tried:_ {faqs}"
    ),
    "agent.no_faqs": "none",
    "agent.requester_message": "*#{id}* {requester}: {text}",
    "agent.requester_burst": (
        "*#{id}* {requester} is writing a lot; until it calms down, their messages are on the "
        "ticket only."
    ),
    "agent.reply_notice": "*#{id}* {agent} replied: {text}",
    "agent.note_notice": "*#{id}* internal note by {agent}: {text}",
    "agent.claimed_notice": "*#{id}* claimed by {agent}.",
    "agent.resolved_notice": "*#{id}* resolved by {agent}.",
    "agent.reopened_notice": "*#{id}* re-opened by {by}.",
    "agent.assigned_notice": "*#{id}* assigned to {agent} by {by}.",
    "agent.unclaimed_notice": "*#{id}* given back to the queue by {agent}.",
    "agent.pending_notice": "*#{id}* is waiting on the requester ({agent}).",
    "agent.closed_notice": "*#{id}* closed by {agent}.",
    "agent.faq_notice": "*#{id}* {agent} answered with the article {article}.",
    "agent.merged_notice": "*#{id}* merged into *#{target}* by {agent}.",
    "agent.rated_notice": "*#{id}* rated {rating}/5 by the requester.",
    "agent.survey_comment_notice": "*#{id}* survey comment: {text}",
    "agent.sla_warning": (
        "*#{id}* [{priority}] {target} due in {duration} (assignee: {assignee})."
    ),
    "agent.sla_breach": (
        "*#{id}* [{priority}] {target} target missed {duration} ago (assignee: {assignee})."
    ),
    "agent.sla_target_first_response": "first response",
    "agent.sla_target_resolution": "resolution",
    "agent.nobody": "nobody",
    "agent.unreachable": "The requester can't be reached on {platform}: {reason}",
    "agent.unreachable_notice": "*#{id}* {note}. Reach them another way.",
    "agent.sla_line": "SLA: first response {first}, resolution {resolution}",
    "agent.sla_left": "due in {duration}",
    "agent.sla_overdue": "overdue by {duration}",
    "agent.sla_met": "done",
    "agent.faqs_tried": "FAQs already tried: {faqs}",
    "agent.team": "team {team}",
    "agent.transfer_offer": (
        "*#{id}* transfer to {to} from {by}: accept within {minutes} min (`accept {id}`) "
        "or it stays with {owner}."
    ),
    "agent.transfer_note": "Note: {note}",
    "agent.transfer_pending": "Transfer to {to} from {by} waiting to be accepted.",
    "agent.transfer_sent": "#{id} offered to {to}; they have {minutes} min to accept.",
    "agent.transfer_accepted": "*#{id}* accepted by {agent} (from {by}).",
    "agent.transfer_accepted_you": "#{id} is yours now.",
    "agent.transfer_declined": "*#{id}* transfer declined by {agent}; it stays with {owner}.",
    "agent.transfer_declined_you": "You declined #{id}; it stays with {owner}.",
    "agent.transfer_expired": (
        "*#{id}* transfer to {to} was not accepted in time; it stays with {owner}."
    ),
    "button.accept": "Accept",
    "button.decline": "Decline",
    "agent.priority_notice": "*#{id}* priority changed by the requester to {priority}.",
    "agent.withdrawn_notice": "*#{id}* withdrawn by {requester}.",
    "agent.withdrawn_entry": "Withdrawn by the requester.",
    "agent.resolved_entry": "Resolved by {agent}: {summary}",
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
    "agent.not_allowed": "You're not allowed to work tickets. Ask an admin to add you to the team.",
    "agent.needs_role": "Only a {role} can use '{name}'.",
    "agent.not_yours": "#{id} belongs to {agent}; only they or a lead can do that.",
    "agent.unknown_target": "There is no agent or team called {handle}.",
    "agent.nothing_to_claim": "Nothing to claim: no unassigned tickets.",
    "agent.not_assigned": "#{id} is not assigned to anyone.",
    "agent.unclaimed": "#{id} is back in the queue.",
    "agent.already_assigned": "#{id} is already assigned to {agent}.",
    "agent.assigned": "#{id} is now assigned to {agent}.",
    "agent.transfer_exists": "#{id} already has a transfer waiting to be accepted.",
    "agent.transfer_to_self": "You can't transfer a ticket to yourself.",
    "agent.no_transfer": "#{id} has no transfer waiting.",
    "agent.transfer_not_for_you": "The transfer of #{id} is not for you.",
    "agent.priority_unchanged": "#{id} is already {priority}.",
    "agent.priority_changed": "*#{id}* priority set to {priority} by {agent}.",
    "agent.priority_set": "#{id} is now {priority}; SLA targets updated.",
    "agent.no_such_article": "There is no knowledge-base article '{article}'.",
    "agent.faq_sent": "Article {article} sent to the requester of #{id}.",
    "agent.pending": "#{id} is waiting on the requester; they were told.",
    "agent.reopened": "#{id} is open again.",
    "agent.closed": "#{id} is closed.",
    "agent.merge_self": "A ticket can't be merged into itself.",
    "agent.merged_entry": "#{id} was merged into #{target}.",
    "agent.merged_from": "Merged from #{id}: {description}",
    "agent.merged": "#{id} is merged into #{target}; its requester follows #{target} now.",
    "agent.now_available": "You're available: round-robin may give you tickets.",
    "agent.now_away": "You're away: round-robin won't give you tickets.",
    "agent.help_heading": "Agent commands:",
    "agent.usage": "Usage: {usage}",
    "agent.unknown_command_close": (
        "Unknown command '{name}'. Did you mean {close}? Send help for the list."
    ),
    "unknown_command_close": (
        "I don't know the command /{name}. Did you mean {close}? Send /help to see what I can do."
    ),
    # -- command help: one line per command of the registry (conversations/commands) -----------
    "help.requester.start": "start over: the greeting and this help",
    "help.requester.ticket": "your tickets and their status",
    "help.requester.cancel": "drop the current question, or withdraw your open ticket",
    "help.requester.lang": "change the language",
    "help.requester.help": "this message",
    "help.agent.help": "this list",
    "help.agent.queue": "tickets not yet closed, most pressing first",
    "help.agent.show": "a ticket, its SLA clock and its conversation",
    "help.agent.claim": "take ticket N, or the most pressing unassigned one",
    "help.agent.unclaim": "give it back to the queue (its owner, or a lead)",
    "help.agent.assign": "give it to someone else",
    "help.agent.transfer": "warm hand-off: the receiver gets a summary and must accept it",
    "help.agent.accept": "accept a transfer offered to you or your team",
    "help.agent.decline": "decline a transfer; it stays with its owner",
    "help.agent.priority": "change the priority; SLA targets are re-computed",
    "help.agent.reply": "answer the requester (an unassigned ticket becomes yours)",
    "help.agent.note": "internal note, never shown to the requester",
    "help.agent.faq": "answer with a knowledge-base article, and remember that it answered",
    "help.agent.pending": "waiting on the requester; their reply opens it again",
    "help.agent.resolve": (
        "resolve; the requester gets the summary and a survey; naming an article links it"
    ),
    "help.agent.reopen": "open a resolved or closed ticket again",
    "help.agent.close": "close it for good",
    "help.agent.merge": "N duplicates M: N closes and its requester follows M",
    "help.agent.available": "round-robin assignment may give you tickets",
    "help.agent.away": "round-robin assignment skips you",
    # -- reports (conversations/reports/render.py) ---------------------------------------------
    "report.heading": "*Report {start} to {end}* (previous: {previous_start} to {previous_end})",
    "report.tickets": (
        "Tickets: {created_now} created ({created_before} {created_arrow}), {resolved_now} "
        "resolved ({resolved_before} {resolved_arrow}), {reopened} reopened, backlog {backlog}"
    ),
    "report.first_response_minutes": (
        "First response: p50 {p50_now} ({p50_before} {p50_arrow}), p90 {p90}, n={n}"
    ),
    "report.resolution_minutes": (
        "Resolution: p50 {p50_now} ({p50_before} {p50_arrow}), p90 {p90}, n={n}"
    ),
    "report.sla": (
        "SLA met: first response {first_now} of {first_n} ({first_before} {first_arrow}), "
        "resolution {resolution} of {resolution_n}; {breaches} breaches"
    ),
    "report.csat": (
        "CSAT: average {average_now} ({average_before} {average_arrow}), {satisfied} "
        "satisfied, {responses} answers to {sent} surveys"
    ),
    "report.self_service": (
        "Self-service: {questions} questions, {confirmed} solved by the button, {assumed} "
        "assumed solved, deflection {deflection_now} ({deflection_before} {deflection_arrow})"
    ),
    "report.quality": "Resolved at first contact: {fcr}; reopened: {reopen}",
    "report.live": (
        "Now: {open} open, {unassigned} unassigned, {unattended} without a reply, "
        "{breached} past an SLA"
    ),
    "help.agent.report": "a summary of the period, with the one before beside it",
}
