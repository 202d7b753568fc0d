"""What agents read, on every configured database: the queue and its views, and one ticket shown
with its conversation."""

from __future__ import annotations

from tests.harness import COFFEE, PRINTER, DeskHarness, refused


async def test_queue_lists_tickets_most_pressing_first_and_filters_by_view(
    desk: DeskHarness,
) -> None:
    empty = await desk.agent("Ali", "queue")
    assert empty.ok and empty.text == "The queue is empty."

    coffee = await desk.person("Sara").open_ticket(COFFEE)
    printer = await desk.person("Omid").open_ticket(PRINTER)
    assert (await desk.ticket_row(printer)).priority == "urgent"
    assert (await desk.ticket_row(coffee)).priority != "urgent"
    await desk.agent("Ali", f"claim {coffee}")

    everything = await desk.agent("Ali", "queue")
    assert everything.ok
    lines = everything.text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"#{printer} [urgent] new:") and "assignee: -" in lines[0]
    assert lines[1].startswith(f"#{coffee} ") and "open" in lines[1]
    assert "coffee machine" in lines[1] and "assignee: Ali" in lines[1]
    assert (await desk.agent("Ali", "queue all")).text == everything.text
    assert (await desk.agent("Ali", "list")).text == everything.text

    mine = await desk.agent("Ali", "queue mine")
    assert mine.ok and mine.text.splitlines() == [lines[1]]
    assert (await desk.agent("Bea", "queue mine")).text == "The queue is empty."
    unassigned = await desk.agent("Ali", "queue unassigned")
    assert unassigned.ok and unassigned.text.splitlines() == [lines[0]]
    urgent = await desk.agent("Ali", "queue URGENT")
    assert urgent.ok and urgent.text.splitlines() == [lines[0]]

    bad = await desk.agent("Ali", "queue weekly")
    assert refused(bad, "Usage: queue [all|mine|unassigned|urgent|pending|breached|<team>]")


async def test_show_gives_the_ticket_its_sla_and_its_conversation(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"reply {number} Someone is on the way")

    for token in (str(number), f"#{number}"):
        shown = await desk.agent("Bea", f"show {token}")
        assert shown.ok
        header, *lines = shown.text.splitlines()
        assert header == f"*#{number}* {COFFEE}"
        assert "status: open" in lines[0] and "requester: Sara (web)" in lines[0]
        assert "assignee: Ali" in lines[0]
        assert lines[1] == "SLA: first response done, resolution due in 1 d"
        assert lines[2] == "FAQs already tried: none"
        assert lines[3:] == [f"[requester] Sara: {COFFEE}", "[agent] Ali: Someone is on the way"]
