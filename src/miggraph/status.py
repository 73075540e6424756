"""Which activities an answer counts: those the sources report as held, unless planned ones are asked for.

Counting a plan as participation overstates what happened, so every query and network view that
counts or links through activities takes a parameter `?statusIn` (a one-variable VALUES block
whose default is `status:held`). `--include-planned` on `query`, `network`, `map` and `export`
sets it to held and planned; a user may also set it with `--param statusIn=...`.
"""

from __future__ import annotations

from . import query as query_mod
from .errors import MiggraphError

PARAMETER = "statusIn"
HELD = "status:held"
PLANNED = "status:planned"


def values(include_planned: bool) -> list[str]:
    """The statuses an answer covers."""
    return [HELD, PLANNED] if include_planned else [HELD]


def bind(text: str, include_planned: bool, name: str = "query") -> str:
    """`text` with its status parameter set; a query without one cannot take --include-planned."""
    if PARAMETER not in query_mod.parameters(text):
        if include_planned:
            raise MiggraphError(f"--include-planned: {name} does not filter activities by status "
                                f"(it has no ?{PARAMETER} parameter)")
        return text
    return query_mod.bind(text, {PARAMETER: values(include_planned)})
