"""Routing engines behind one interface (see :mod:`.base`), picked by name.

``vroom``: the field-service engine (assignment, re-optimisation); ``pyvrp``:
the batch-quality engine (next-day appointment plans); ``fake``: a small
deterministic greedy for tests and the demo. Engines are imported on first
use, so the solvers' native libraries load only where they are needed.
"""

from __future__ import annotations

import importlib

from .base import (
    Break,
    BreakTaken,
    Engine,
    Job,
    Problem,
    Route,
    Solution,
    Stop,
    UnsupportedProblem,
    Vehicle,
)

ENGINES = {
    "vroom": ("baoxiu.dispatch.engines.vroom", "VroomEngine"),
    "pyvrp": ("baoxiu.dispatch.engines.pyvrp", "PyVRPEngine"),
    "fake": ("baoxiu.dispatch.engines.fake", "FakeEngine"),
}

__all__ = [
    "ENGINES",
    "Break",
    "BreakTaken",
    "Engine",
    "Job",
    "Problem",
    "Route",
    "Solution",
    "Stop",
    "UnsupportedProblem",
    "Vehicle",
    "get_engine",
]


def get_engine(name: str, **options: object) -> Engine:
    """A new engine by name (``vroom``, ``pyvrp``, ``fake``); ``options`` go to its constructor."""
    try:
        module_name, class_name = ENGINES[name]
    except KeyError:
        raise ValueError(
            f"unknown routing engine {name!r}; choose from {sorted(ENGINES)}"
        ) from None
    return getattr(importlib.import_module(module_name), class_name)(**options)
