"""Persian. Markup: *bold*, _italic_, `code`, bare URLs (see conversations/messages.py)."""

MESSAGES: dict[str, str] = {
    # -- requesters ------------------------------------------------------------------------------
    "console.welcome_back": (
        "خوش برگشتید. از آخرین بار چیز تازه‌ای نرسیده است: پیامتان را بنویسید، "
        "یا برای دیدن تیکت‌هایتان /ticket را بفرستید."
    ),
    "greeting": (
        "سلام! من دسک‌بات هستم، دستیار پشتیبانی فنی. لطفاً در یکی دو جمله بگویید در چه کاری "
        "به کمک نیاز دارید."
    ),
    "help": (
        "مشکلتان را شرح دهید تا از پایگاه دانش ما پاسخ‌هایی پیشنهاد کنم؛ اگر هیچ‌کدام کمکی نکرد، "
        "برایتان تیکت باز می‌کنم و یکی از کارشناسان ما پیگیری‌اش می‌کند.\n"
        "دستورها:"
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
    "ticket_cap": (
        "شما هم‌اکنون {count} درخواست باز دارید، بیشترین تعدادی که یک نفر می‌تواند هم‌زمان داشته "
        "باشد. لطفاً در یکی از آن‌ها بنویسید، یا پس از حل شدن یکی دوباره پیام دهید."
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
    "requester.faq_answer": (
        "*{agent}* (تیکت #{id}) مطلبی برایتان فرستاد:\n*{question}*\n{answer}"
    ),
    "requester.pending": (
        "{agent} منتظر پاسخ شما درباره تیکت *#{id}* است: کافی است همین‌جا پاسخ دهید."
    ),
    "requester.closed": "تیکت *#{id}* بسته شد.",
    "requester.merged": (
        "درخواست *#{id}* شما با تیکت *#{target}* یکی است، برای همین آن دو را ادغام کردیم: "
        "از این پس خبرها را در آن تیکت دریافت می‌کنید و هر چه همین‌جا بنویسید به آن اضافه می‌شود."
    ),
    "survey.ask": "کار ما در تیکت *#{id}* چطور بود؟ 1 یعنی ضعیف و 5 یعنی عالی.",
    "survey.rating_1": "1",
    "survey.rating_2": "2",
    "survey.rating_3": "3",
    "survey.rating_4": "4",
    "survey.rating_5": "5",
    "survey.thanks": (
        "سپاسگزاریم! چیز دیگری هست که بخواهید اضافه کنید؟ همین حالا بنویسید، یا «صرف‌نظر» را بزنید."
    ),
    "button.skip": "صرف‌نظر",
    "survey.comment_thanks": "از بازخورد شما سپاسگزاریم.",
    "error.generic": "متأسفیم، مشکلی در سمت ما پیش آمد. لطفاً چند لحظه دیگر دوباره امتحان کنید.",
    "error.unavailable": (
        "دسک‌بات همین حالا نتوانست این را بپذیرد و کاری انجام نشد. لطفاً چند لحظه دیگر دوباره "
        "بفرستید."
    ),
    "error.slow_down": (
        "پیام‌ها را سریع‌تر از آنچه بتوانم بخوانم می‌فرستید، برای همین آخرین‌ها را نخواندم. "
        "لطفاً یک دقیقه صبر کنید و بعد بقیه را بفرستید."
    ),
    # -- agents ----------------------------------------------------------------------------------
    "button.claim": "بر عهده گرفتن",
    "agent.new_ticket": (
        "*تیکت جدید #{id}* [{priority}] از {requester} ({channel})\n{description}\n"
        "_پرسش‌های متداولی که امتحان شد:_ {faqs}"
    ),
    "agent.no_faqs": "هیچ",
    "agent.requester_message": "*#{id}* {requester}: {text}",
    "agent.requester_burst": (
        "*#{id}* {requester} پیام‌های زیادی می‌فرستد؛ تا آرام شود، پیام‌هایش فقط روی تیکت ثبت می‌شوند."
    ),
    "agent.reply_notice": "*#{id}* پاسخ {agent}: {text}",
    "agent.note_notice": "*#{id}* یادداشت داخلی {agent}: {text}",
    "agent.claimed_notice": "*#{id}* را {agent} بر عهده گرفت.",
    "agent.resolved_notice": "*#{id}* را {agent} حل کرد.",
    "agent.reopened_notice": "*#{id}* را {by} دوباره باز کرد.",
    "agent.assigned_notice": "*#{id}* را {by} به {agent} سپرد.",
    "agent.unclaimed_notice": "*#{id}* را {agent} به صف برگرداند.",
    "agent.pending_notice": "*#{id}* در انتظار پاسخ درخواست‌کننده است ({agent}).",
    "agent.closed_notice": "*#{id}* را {agent} بست.",
    "agent.faq_notice": "*#{id}*: {agent} با مطلب {article} پاسخ داد.",
    "agent.merged_notice": "*#{id}* را {agent} در *#{target}* ادغام کرد.",
    "agent.rated_notice": "*#{id}*: درخواست‌کننده امتیاز {rating}/5 داد.",
    "agent.survey_comment_notice": "*#{id}* نظر درخواست‌کننده در نظرسنجی: {text}",
    "agent.sla_warning": (
        "*#{id}* [{priority}] مهلت {target} تا {duration} دیگر تمام می‌شود (مسئول: {assignee})."
    ),
    "agent.sla_breach": (
        "*#{id}* [{priority}] مهلت {target} {duration} پیش گذشت (مسئول: {assignee})."
    ),
    "agent.sla_target_first_response": "اولین پاسخ",
    "agent.sla_target_resolution": "حل تیکت",
    "agent.unreachable": "دسترسی به درخواست‌کننده در {platform} ممکن نیست: {reason}",
    "agent.unreachable_notice": "*#{id}* {note}. از راه دیگری با او تماس بگیرید.",
    "agent.nobody": "هیچ‌کس",
    "agent.sla_line": "SLA: اولین پاسخ {first}، حل تیکت {resolution}",
    "agent.sla_left": "{duration} مانده",
    "agent.sla_overdue": "{duration} از مهلت گذشته",
    "agent.sla_met": "انجام شد",
    "agent.faqs_tried": "پرسش‌های متداولی که امتحان شد: {faqs}",
    "agent.team": "تیم {team}",
    "agent.transfer_offer": (
        "*#{id}* از طرف {by} به {to} واگذار می‌شود: ظرف {minutes} دقیقه بپذیرید "
        "(`accept {id}`)، وگرنه نزد {owner} می‌ماند."
    ),
    "agent.transfer_note": "یادداشت: {note}",
    "agent.transfer_pending": "واگذاری به {to} از طرف {by} در انتظار پذیرش است.",
    "agent.transfer_sent": (
        "تیکت #{id} به {to} پیشنهاد شد؛ {minutes} دقیقه برای پذیرفتن آن فرصت دارند."
    ),
    "agent.transfer_accepted": "*#{id}* را {agent} پذیرفت (واگذارشده از طرف {by}).",
    "agent.transfer_accepted_you": "تیکت #{id} اکنون بر عهده شماست.",
    "agent.transfer_declined": "*#{id}*: {agent} واگذاری را رد کرد؛ تیکت نزد {owner} می‌ماند.",
    "agent.transfer_declined_you": "واگذاری تیکت #{id} را رد کردید؛ تیکت نزد {owner} می‌ماند.",
    "agent.transfer_expired": (
        "*#{id}*: واگذاری به {to} به‌موقع پذیرفته نشد؛ تیکت نزد {owner} می‌ماند."
    ),
    "button.accept": "پذیرفتن",
    "button.decline": "رد کردن",
    "agent.priority_notice": "*#{id}*: درخواست‌کننده اولویت را به {priority} تغییر داد.",
    "agent.withdrawn_notice": "*#{id}* را {requester} پس گرفت.",
    "agent.withdrawn_entry": "درخواست‌کننده آن را پس گرفت.",
    "agent.resolved_entry": "{agent} آن را حل کرد: {summary}",
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
    "agent.not_allowed": (
        "شما اجازه رسیدگی به تیکت‌ها را ندارید. از مدیر سیستم بخواهید شما را به تیم اضافه کند."
    ),
    "agent.needs_role": "فقط کسی با نقش «{role}» می‌تواند از «{name}» استفاده کند.",
    "agent.not_yours": (
        "تیکت #{id} بر عهده {agent} است؛ فقط خود او یا یک سرپرست می‌تواند این کار را انجام دهد."
    ),
    "agent.unknown_target": "کارشناس یا تیمی با نام {handle} وجود ندارد.",
    "agent.nothing_to_claim": "چیزی برای بر عهده گرفتن نیست: هیچ تیکت بدون مسئولی وجود ندارد.",
    "agent.not_assigned": "تیکت #{id} به هیچ‌کس سپرده نشده است.",
    "agent.unclaimed": "تیکت #{id} به صف برگشت.",
    "agent.already_assigned": "تیکت #{id} از قبل به {agent} سپرده شده است.",
    "agent.assigned": "تیکت #{id} اکنون به {agent} سپرده شد.",
    "agent.transfer_exists": "تیکت #{id} از قبل یک واگذاری در انتظار پذیرش دارد.",
    "agent.transfer_to_self": "نمی‌توانید تیکت را به خودتان واگذار کنید.",
    "agent.no_transfer": "تیکت #{id} هیچ واگذاری در انتظاری ندارد.",
    "agent.transfer_not_for_you": "واگذاری تیکت #{id} برای شما نیست.",
    "agent.priority_unchanged": "اولویت تیکت #{id} از قبل «{priority}» است.",
    "agent.priority_changed": "*#{id}*: {agent} اولویت را به «{priority}» تغییر داد.",
    "agent.priority_set": "اولویت تیکت #{id} اکنون «{priority}» است؛ مهلت‌های SLA به‌روز شد.",
    "agent.no_such_article": "مطلبی با شناسه «{article}» در پایگاه دانش وجود ندارد.",
    "agent.faq_sent": "مطلب {article} برای درخواست‌کننده تیکت #{id} فرستاده شد.",
    "agent.pending": "تیکت #{id} در انتظار پاسخ درخواست‌کننده است؛ به او خبر داده شد.",
    "agent.reopened": "تیکت #{id} دوباره باز شد.",
    "agent.closed": "تیکت #{id} بسته شد.",
    "agent.merge_self": "نمی‌توان یک تیکت را در خودش ادغام کرد.",
    "agent.merged_entry": "تیکت #{id} در تیکت #{target} ادغام شد.",
    "agent.merged_from": "ادغام‌شده از تیکت #{id}: {description}",
    "agent.merged": (
        "تیکت #{id} در تیکت #{target} ادغام شد؛ درخواست‌کننده آن از این پس تیکت #{target} را "
        "دنبال می‌کند."
    ),
    "agent.now_available": "شما در دسترس هستید: تقسیم نوبتی ممکن است به شما تیکت بدهد.",
    "agent.now_away": "شما در دسترس نیستید: تقسیم نوبتی به شما تیکت نمی‌دهد.",
    "agent.help_heading": "دستورهای کارشناس:",
    "agent.usage": "طرز استفاده: {usage}",
    "agent.unknown_command_close": (
        "دستور «{name}» را نمی‌شناسم. منظورتان {close} بود؟ برای دیدن فهرست دستورها help را بفرستید."
    ),
    "unknown_command_close": (
        "دستور /{name} را نمی‌شناسم. منظورتان {close} بود؟ برای دیدن کارهایی که از من برمی‌آید، "
        "/help را بفرستید."
    ),
    # -- command help: one line per command of the registry (conversations/commands) -----------
    "help.requester.start": "شروع دوباره: خوشامد و همین راهنما",
    "help.requester.ticket": "تیکت‌های شما و وضعیت آن‌ها",
    "help.requester.cancel": "کنار گذاشتن سؤال فعلی، یا پس گرفتن تیکت باز شما",
    "help.requester.lang": "تغییر زبان",
    "help.requester.help": "همین راهنما",
    "help.agent.help": "همین فهرست",
    "help.agent.queue": "تیکت‌هایی که هنوز بسته نشده‌اند، فوری‌ترها اول",
    "help.agent.show": "یک تیکت، زمان‌سنج SLA و گفتگوی آن",
    "help.agent.claim": "برداشتن تیکت N، یا فوری‌ترین تیکت بدون مسئول",
    "help.agent.unclaim": "برگرداندن تیکت به صف (مسئول آن، یا سرپرست)",
    "help.agent.assign": "سپردن تیکت به کس دیگر",
    "help.agent.transfer": "واگذاری با خلاصه: گیرنده باید آن را بپذیرد",
    "help.agent.accept": "پذیرفتن واگذاری به شما یا تیم شما",
    "help.agent.decline": "نپذیرفتن واگذاری؛ تیکت نزد مسئولش می‌ماند",
    "help.agent.priority": "تغییر اولویت؛ مهلت‌های SLA دوباره حساب می‌شوند",
    "help.agent.reply": "پاسخ به درخواست‌کننده (تیکت بدون مسئول مال شما می‌شود)",
    "help.agent.note": "یادداشت داخلی که درخواست‌کننده هرگز نمی‌بیند",
    "help.agent.faq": "پاسخ با یک مقاله پایگاه دانش، و به خاطر سپردن اینکه پاسخ این سؤال بود",
    "help.agent.pending": "در انتظار درخواست‌کننده؛ پاسخ او تیکت را دوباره باز می‌کند",
    "help.agent.resolve": (
        "حل تیکت؛ درخواست‌کننده خلاصه و نظرسنجی را می‌گیرد؛ نام مقاله آن را پیوند می‌دهد"
    ),
    "help.agent.reopen": "باز کردن دوباره تیکت حل‌شده یا بسته",
    "help.agent.close": "بستن نهایی تیکت",
    "help.agent.merge": "N تکراری M است: N بسته می‌شود و درخواست‌کننده‌اش M را دنبال می‌کند",
    "help.agent.available": "تخصیص نوبتی می‌تواند به شما تیکت بدهد",
    "help.agent.away": "تخصیص نوبتی به شما تیکت نمی‌دهد",
    # -- reports (conversations/reports/render.py) ---------------------------------------------
    "report.heading": "*گزارش {start} تا {end}* (دوره قبل: {previous_start} تا {previous_end})",
    "report.tickets": (
        "تیکت‌ها: {created_now} ایجاد ({created_before} {created_arrow})، {resolved_now} "
        "حل‌شده ({resolved_before} {resolved_arrow})، {reopened} بازگشایی، مانده {backlog}"
    ),
    "report.first_response_minutes": (
        "اولین پاسخ: میانه {p50_now} ({p50_before} {p50_arrow})، صدک ۹۰ {p90}، n={n}"
    ),
    "report.resolution_minutes": (
        "زمان حل: میانه {p50_now} ({p50_before} {p50_arrow})، صدک ۹۰ {p90}، n={n}"
    ),
    "report.sla": (
        "رعایت SLA: اولین پاسخ {first_now} از {first_n} ({first_before} {first_arrow})، "
        "حل {resolution} از {resolution_n}؛ {breaches} نقض"
    ),
    "report.csat": (
        "رضایت: میانگین {average_now} ({average_before} {average_arrow})، {satisfied} راضی، "
        "{responses} پاسخ به {sent} نظرسنجی"
    ),
    "report.self_service": (
        "خودیاری: {questions} سؤال، {confirmed} حل با دکمه، {assumed} احتمالاً حل‌شده، "
        "کاهش تیکت {deflection_now} ({deflection_before} {deflection_arrow})"
    ),
    "report.quality": "حل در اولین تماس: {fcr}؛ بازگشایی: {reopen}",
    "report.live": (
        "اکنون: {open} باز، {unassigned} بدون مسئول، {unattended} بی‌پاسخ، {breached} گذشته از SLA"
    ),
    "help.agent.report": "خلاصه دوره، در کنار دوره قبل",
}
