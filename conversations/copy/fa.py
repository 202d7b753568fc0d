"""Persian. Markup: *bold*, _italic_, `code`, bare URLs (see conversations/messages.py)."""

MESSAGES: dict[str, str] = {
    # -- requesters ------------------------------------------------------------------------------
    "greeting": (
        "سلام! من دسک‌بات هستم، دستیار پشتیبانی فنی. لطفاً در یکی دو جمله بگویید در چه کاری "
        "به کمک نیاز دارید."
    ),
    "help": (
        "مشکلتان را شرح دهید تا از پایگاه دانش ما پاسخ‌هایی پیشنهاد کنم؛ اگر هیچ‌کدام کمکی نکرد، "
        "برایتان تیکت باز می‌کنم و یکی از کارشناسان ما پیگیری‌اش می‌کند.\n"
        "دستورها:\n"
        "- /ticket: تیکت‌های شما و وضعیت آن‌ها\n"
        "- /cancel: کنار گذاشتن سؤال فعلی، یا پس گرفتن تیکت باز شما\n"
        "- /lang en|fa: تغییر زبان\n"
        "- /help: همین راهنما"
    ),
    "ask_detail": (
        "ممکن است کمی بیشتر توضیح دهید؟ مثلاً می‌خواستید چه کاری انجام دهید، چه اتفاقی افتاد، "
        "و اگر پیام خطایی دیدید، متن آن چه بود."
    ),
    "suggestions_intro": "شاید این مطالب پاسخ سؤال شما باشد:",
    "suggestions_outro": "هیچ‌کدام نبود؟ یکی از کارشناسان ما می‌تواند کمکتان کند.",
    "button.solved": "مشکلم حل شد",
    "button.not_it": "دنبال این نبودم",
    "button.human": "گفت‌وگو با کارشناس",
    "glad_it_helped": "خوشحالم که به کارتان آمد! هر وقت سؤال دیگری داشتید، در خدمتم.",
    "try_other_suggestions": (
        "متوجه شدم. نگاهی به پیشنهادهای دیگر بیندازید، یا *گفت‌وگو با کارشناس* را انتخاب کنید."
    ),
    "describe_problem": "حتماً. لطفاً مشکل را شرح دهید تا برایتان تیکت باز کنم.",
    "ticket_opened": "تیکت *#{id}* را برایتان باز کردم.",
    "ticket_opened_no_match": (
        "در پایگاه دانش ما پاسخی پیدا نکردم، برای همین تیکت *#{id}* را برایتان باز کردم."
    ),
    "ticket_next": (
        "یکی از کارشناسان همین‌جا پاسخ می‌دهد؛ هر چه در این گفت‌وگو بنویسید به تیکت اضافه "
        "می‌شود. اولویت: *{priority}* (اگر درست نیست، از گزینه‌های زیر تغییرش دهید)."
    ),
    "ticket_already_open": (
        "شما تیکت باز *#{id}* را دارید: همین‌جا بنویسید تا به دست کارشناس برسد."
    ),
    "ticket_reopened": "تیکت *#{id}* دوباره باز شد؛ کارشناس به‌زودی به شما پاسخ می‌دهد.",
    "ticket_not_active": "تیکت *#{id}* دیگر باز نیست.",
    "priority_set": "اولویت تیکت *#{id}*: *{priority}*.",
    "priority.low": "پایین",
    "priority.normal": "عادی",
    "priority.high": "بالا",
    "priority.urgent": "فوری",
    "status.new": "در انتظار کارشناس",
    "status.open": "کارشناس در حال بررسی است",
    "status.pending": "در انتظار پاسخ شما",
    "status.resolved": "حل‌شده",
    "status.closed": "بسته‌شده",
    "your_tickets": "تیکت‌های شما:",
    "ticket_line": "- *#{id}* {subject}: {status} (اولویت {priority})",
    "no_tickets": "شما هیچ تیکتی ندارید.",
    "cancelled": "بسیار خب، این سؤال را کنار گذاشتم.",
    "nothing_to_cancel": "چیزی برای لغو کردن وجود ندارد.",
    "ticket_withdrawn": (
        "تیکت *#{id}* پس گرفته و بسته شد. هر وقت دوباره به کمک نیاز داشتید، پیام بدهید."
    ),
    "lang_usage": "یک زبان انتخاب کنید: /lang {languages}",
    "lang_set": "بسیار خب، از این به بعد فارسی صحبت می‌کنم.",
    "unknown_command": (
        "دستور /{name} را نمی‌شناسم. برای دیدن کارهایی که از من برمی‌آید، /help را بفرستید."
    ),
    "stale_button": "این دکمه مربوط به سؤال قبلی است. کافی است بنویسید چه چیزی لازم دارید.",
    "requester.claimed": "{agent} در حال بررسی درخواست *#{id}* شماست.",
    "requester.agent_reply": "*{agent}* (تیکت #{id}): {text}",
    "requester.resolved": (
        "تیکت *#{id}* حل شد. اگر مشکل برطرف نشده، کافی است همین‌جا پاسخ دهید تا دوباره باز شود."
    ),
    "requester.resolved_summary": (
        "تیکت *#{id}* حل شد: {summary}\nاگر مشکل برطرف نشده، کافی است همین‌جا پاسخ دهید تا "
        "دوباره باز شود."
    ),
    "error.generic": "متأسفیم، مشکلی در سمت ما پیش آمد. لطفاً چند لحظه دیگر دوباره امتحان کنید.",
    # -- agents ----------------------------------------------------------------------------------
    "button.claim": "بر عهده گرفتن",
    "agent.new_ticket": (
        "*تیکت جدید #{id}* [{priority}] از {requester} ({channel})\n{description}\n"
        "_پرسش‌های متداولی که امتحان شد:_ {faqs}"
    ),
    "agent.no_faqs": "هیچ",
    "agent.requester_message": "*#{id}* {requester}: {text}",
    "agent.reply_notice": "*#{id}* پاسخ {agent}: {text}",
    "agent.note_notice": "*#{id}* یادداشت داخلی {agent}: {text}",
    "agent.claimed_notice": "*#{id}* را {agent} بر عهده گرفت.",
    "agent.resolved_notice": "*#{id}* را {agent} حل کرد.",
    "agent.reopened_notice": "*#{id}* دوباره باز شد: {requester} باز هم پیام داد.",
    "agent.priority_notice": "*#{id}*: درخواست‌کننده اولویت را به {priority} تغییر داد.",
    "agent.withdrawn_notice": "*#{id}* را {requester} پس گرفت.",
    "agent.withdrawn_entry": "درخواست‌کننده آن را پس گرفت.",
    "agent.resolved_entry": "{agent} آن را حل کرد: {summary}",
    "agent.help": (
        "دستورهای کارشناس:\n"
        "- queue [all|mine|unassigned|urgent]: تیکت‌هایی که هنوز بسته نشده‌اند "
        "(همه، مال من، بدون مسئول، فوری)\n"
        "- show N: یک تیکت و گفت‌وگوی آن\n"
        "- claim N: بر عهده گرفتن تیکت N\n"
        "- reply N text: پاسخ به درخواست‌کننده\n"
        "- note N text: یادداشت داخلی که هرگز به درخواست‌کننده نشان داده نمی‌شود\n"
        "- resolve N [summary]: حل کردن تیکت N و خبر دادن به درخواست‌کننده\n"
        "- help: همین فهرست"
    ),
    "agent.usage.queue": "طرز استفاده: queue [all|mine|unassigned|urgent]",
    "agent.usage.show": "طرز استفاده: show N",
    "agent.usage.claim": "طرز استفاده: claim N",
    "agent.usage.reply": "طرز استفاده: reply N text",
    "agent.usage.note": "طرز استفاده: note N text",
    "agent.usage.resolve": "طرز استفاده: resolve N [summary]",
    "agent.bad_ticket_number": "«{token}» شماره تیکت نیست. {usage}",
    "agent.no_such_ticket": "تیکتی با شماره #{id} وجود ندارد.",
    "agent.queue_empty": "صف خالی است.",
    "agent.queue_line": "#{id} [{priority}] {status}: {subject} (مسئول: {assignee})",
    "agent.show_header": (
        "*#{id}* {subject}\nوضعیت: {status}، اولویت: {priority}، درخواست‌کننده: {requester} "
        "({channel})، مسئول: {assignee}"
    ),
    "agent.claimed": "تیکت #{id} را بر عهده گرفتید.",
    "agent.already_yours": "تیکت #{id} از قبل بر عهده خود شماست.",
    "agent.taken": "تیکت #{id} را پیش‌تر {agent} بر عهده گرفته است.",
    "agent.wrong_state": "تیکت #{id} در وضعیت «{status}» است، پس این کار ممکن نیست.",
    "agent.replied": "پاسخ برای درخواست‌کننده تیکت #{id} فرستاده شد.",
    "agent.noted": "یادداشت داخلی به تیکت #{id} اضافه شد.",
    "agent.resolved": "تیکت #{id} حل شد و به درخواست‌کننده خبر داده شد.",
    "agent.unknown_command": (
        "دستور «{name}» را نمی‌شناسم. برای دیدن فهرست دستورها help را بفرستید."
    ),
}
