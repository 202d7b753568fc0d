"""Reports: figures a support lead can trust, computed in SQL from what the desk recorded (the
ticket rows, the event log, suggestions, surveys, SLA alerts), on SQLite and PostgreSQL alike.
Every figure is defined in docs/metrics.md, carries its sample size, and is counted over a set
of tickets that the drill-down lists, so a card and the table behind it cannot disagree.

``period`` (the period, the filters), ``sql`` (portable SQL pieces), ``ticket_sets`` (which
tickets each figure counts), ``figures`` (the result and its stable JSON), ``compute`` (the
queries), ``render`` (text for a terminal or a chat)."""
