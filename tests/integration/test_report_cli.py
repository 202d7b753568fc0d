"""``deskbot report`` and ``deskbot export tickets``: the stable JSON keys, the CSV header, and
bad input answered with a message naming the option and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from conversations.reports.export import COLUMNS


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/deskbot.db"


def test_the_json_report_has_the_promised_keys(database: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--database-url",
            database,
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-07",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-07"}
    for key in (
        "tickets",
        "first_response_minutes",
        "resolution_minutes",
        "sla",
        "csat",
        "self_service",
        "fcr_rate",
        "reopen_rate",
        "by_channel",
        "by_priority",
        "articles",
        "agents",
    ):
        assert key in report, key
    assert report["tickets"] == {"created": 0, "resolved": 0, "reopened": 0, "backlog": 0}
    assert report["first_response_minutes"] == {"p50": None, "p90": None, "n": 0}


def test_the_export_starts_with_its_header(database: str) -> None:
    result = CliRunner().invoke(main, ["export", "tickets", "--database-url", database])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == list(COLUMNS)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--from", "2026-13-01"], "--from"),
        (["--from", "2026-11-10", "--to", "2026-11-01"], "--to"),
        (["--by", "month"], "--by"),
        (["--priority", "extreme"], "--priority"),
        (["--format", "pdf"], "--format"),
    ],
)
def test_bad_input_names_the_option(database: str, args: list[str], names: str) -> None:
    result = CliRunner().invoke(main, ["report", "--database-url", database, *args])
    assert result.exit_code != 0
    assert names in result.output
    assert "Traceback" not in result.output
