"""serve lifts the open-file limit and logs a flood of loop errors once per interval."""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
from collections.abc import Iterator

import pytest

from bot.process_limits import QuietLoopErrors, raise_open_file_limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _accept_failed(error: OSError) -> dict[str, object]:
    # What asyncio's selector loop reports when accept() finds no file descriptor left.
    return {
        "message": "socket.accept() out of system resource",
        "exception": error,
        "socket": socket.socket(),
    }


def test_a_flood_of_one_error_is_logged_once_per_interval(loop, caplog) -> None:
    clock = Clock()
    handler = QuietLoopErrors(interval=60, clock=clock)
    caplog.set_level(logging.ERROR, logger="asyncio")
    error = OSError(24, "Too many open files")

    for _ in range(10_000):
        context = _accept_failed(error)
        handler(loop, context)
        context["socket"].close()
    assert len(caplog.records) == 1
    assert "out of system resource" in caplog.records[0].getMessage()

    clock.now += 60
    context = _accept_failed(error)
    handler(loop, context)
    context["socket"].close()
    assert len(caplog.records) == 2
    assert "and 9999 more like it" in caplog.records[1].getMessage()


def test_different_errors_are_each_logged(loop, caplog) -> None:
    handler = QuietLoopErrors(interval=60, clock=Clock())
    caplog.set_level(logging.ERROR, logger="asyncio")
    handler(loop, {"message": "Task exception was never retrieved", "exception": KeyError("a")})
    handler(loop, {"message": "Task exception was never retrieved", "exception": ValueError()})
    handler(loop, {"message": "Task exception was never retrieved", "exception": KeyError("b")})
    assert len(caplog.records) == 2  # a KeyError and a ValueError; the second KeyError waits


@pytest.fixture
def open_files() -> Iterator[tuple[int, int]]:
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    yield limits
    resource.setrlimit(resource.RLIMIT_NOFILE, limits)


def test_the_open_file_limit_is_raised_to_what_the_system_allows(open_files) -> None:
    _, hard = open_files
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    now = raise_open_file_limit(wanted=4096)

    expected = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    assert now == expected
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == (expected, hard)


def test_the_open_file_limit_is_never_lowered(open_files) -> None:
    soft, hard = open_files
    assert raise_open_file_limit(wanted=16) == soft
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard)
