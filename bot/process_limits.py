"""What ``deskbot serve`` does so that a flood of connections degrades it instead of its log.

Every connection is a file descriptor, and the usual soft limit (1,024) is far below the hard
one: ``raise_open_file_limit`` lifts the soft limit at start. At the limit, asyncio cannot accept
and reports it to the loop's exception handler once per attempt, each with a traceback: a
slow-client flood wrote 322,722 of them (143 MB) in 20 s. ``QuietLoopErrors`` logs each kind of
loop error once per interval, with how many it left out.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Kinds of loop error remembered at once.
_KINDS_CAP = 1000

#: Enough for tens of thousands of sockets; systems with a lower hard limit get their hard limit.
WANTED_OPEN_FILES = 65_536


def raise_open_file_limit(wanted: int = WANTED_OPEN_FILES) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (never lower it, never
    past the hard limit); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:  # e.g. a container that forbids it
            log.warning("could not raise the open-file limit from %d: %s", soft, error)
            return soft
        log.info("open-file limit raised from %d to %d", soft, target)
        return target
    return soft


class QuietLoopErrors:
    """An asyncio exception handler that logs each kind of error (its message) at most once per
    ``interval`` seconds, saying how many of that kind it did not log since."""

    def __init__(
        self, *, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # The message and the exception's type: one task's failure must not hide another's.
        error = context.get("exception")
        kind = f"{context.get('message')}" + (f" [{type(error).__name__}]" if error else "")
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval:
            self._left_out[kind] = self._left_out.get(kind, 0) + 1
            return
        if len(self._last) >= _KINDS_CAP:  # messages that vary without end must not fill memory
            self._last.clear()
            self._left_out.clear()
        self._last[kind] = now
        left_out = self._left_out.pop(kind, 0)
        if left_out:
            context = {
                **context,
                "message": f"{context.get('message')} (and {left_out} more like it since the "
                "last one logged)",
            }
        loop.default_exception_handler(context)


def serving_loop() -> asyncio.AbstractEventLoop:
    """A new event loop whose errors are logged by ``QuietLoopErrors``."""
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(QuietLoopErrors())
    return loop
