"""Hypothesis strategies for the fuzz tests of every inbound parser and JSON endpoint.

Each fuzz test runs a bounded number of examples, derandomized (the same ones in every run), so
CI is never red by chance and a failure shows the same example again.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    # The fixtures (a server, a database) are shared by the examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Text as people type it, and what broken or forged payloads carry besides.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\ud800", "\udfff", "\u200c", "\u202e", "ی", "ك", "۴", "😀"]),
    ),
    max_size=60,
)

#: Any JSON value: huge and negative integers, floats, deep-ish nesting, odd strings.
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


def objects_with(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects that may hold any of ``keys`` (each with its plausible values or any JSON
    value), and any other keys."""
    return st.fixed_dictionaries(
        {},
        optional={key: strategy | JSON for key, strategy in keys.items()},
    ).flatmap(lambda known: st.dictionaries(TEXT, JSON, max_size=2).map(lambda x: {**x, **known}))
