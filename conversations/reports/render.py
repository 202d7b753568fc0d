"""A report as text (a terminal, a chat message) and as CSV rows, in the reader's language.
Every figure shows its sample size and the previous period beside it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from conversations.copy import durations, text


def _arrow(now: float | None, before: float | None) -> str:
    if now is None or before is None or now == before:
        return "="
    return "↑" if now > before else "↓"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def _time(minutes: float | None, lang: str) -> str:
    return "-" if minutes is None else durations.humanize(timedelta(minutes=minutes), lang)


def summary(report: Mapping[str, Any], lang: str) -> str:
    """A compact summary: what an agent gets from ``report week``."""
    now, before = report, report["previous"]

    def t(key: str, **params: object) -> str:
        return text(lang, f"report.{key}", **params)

    def compare(name: str, get: Any, show: Any = _num) -> dict[str, str]:
        """``<name>_now``, ``<name>_before`` and ``<name>_arrow`` for a template."""
        a, b = get(now), get(before)
        return {f"{name}_now": show(a), f"{name}_before": show(b), f"{name}_arrow": _arrow(a, b)}

    tickets = now["tickets"]
    lines = [
        t(
            "heading",
            start=now["period"]["from"],
            end=now["period"]["to"],
            previous_start=before["period"]["from"],
            previous_end=before["period"]["to"],
        ),
        t(
            "tickets",
            **compare("created", lambda r: r["tickets"]["created"]),
            **compare("resolved", lambda r: r["tickets"]["resolved"]),
            reopened=tickets["reopened"],
            backlog=tickets["backlog"],
        ),
    ]
    for key in ("first_response_minutes", "resolution_minutes"):
        speed = now[key]
        lines.append(
            t(
                key,
                **compare("p50", lambda r, k=key: r[k]["p50"], lambda m: _time(m, lang)),
                p90=_time(speed["p90"], lang),
                n=speed["n"],
            )
        )
    sla = now["sla"]
    lines.append(
        t(
            "sla",
            **compare("first", lambda r: r["sla"]["first_response_hit_rate"], _share),
            first_n=sla["first_response_n"],
            resolution=_share(sla["resolution_hit_rate"]),
            resolution_n=sla["resolution_n"],
            breaches=sla["breaches"],
        )
    )
    csat = now["csat"]
    lines.append(
        t(
            "csat",
            **compare("average", lambda r: r["csat"]["average"]),
            satisfied=_share(csat["satisfied_rate"]),
            responses=csat["responses"],
            sent=csat["surveys_sent"],
        )
    )
    service = now["self_service"]
    lines.append(
        t(
            "self_service",
            questions=service["questions"],
            confirmed=service["solved_confirmed"],
            assumed=service["solved_assumed"],
            **compare("deflection", lambda r: r["self_service"]["deflection_rate"], _share),
        )
    )
    lines.append(t("quality", fcr=_share(now["fcr_rate"]), reopen=_share(now["reopen_rate"])))
    live = now.get("live")
    if live:
        lines.append(
            t(
                "live",
                open=live["open"],
                unassigned=live["unassigned"],
                unattended=live["unattended"],
                breached=live["breached"],
            )
        )
    return "\n".join(lines)


def csv_rows(report: Mapping[str, Any]) -> Iterator[tuple[str, str, object, object]]:
    """``(section, figure, value, previous)`` for every scalar figure of the period."""
    before = report["previous"]
    for section, value in report.items():
        if section in ("previous", "series", "heatmap", "filters", "by", "period", "live"):
            continue
        if isinstance(value, Mapping) and section not in ("by_channel", "by_priority"):
            for figure, number in value.items():
                yield section, figure, number, before.get(section, {}).get(figure)
        elif isinstance(value, int | float) or value is None:
            yield "quality", section, value, before.get(section)
        elif section in ("by_channel", "by_priority"):
            for key, counts in value.items():
                previous = before.get(section, {}).get(key, {})
                for figure, number in counts.items():
                    yield section, f"{key}.{figure}", number, previous.get(figure)
    for figure, number in (report.get("live") or {}).items():
        yield "live", figure, number, None
