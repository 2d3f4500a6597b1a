"""VRPTW benchmark instances: a small VRPLIB reader and the DIMACS conventions.

Reads the CVRPTW files of ``../shared/bench-data/`` (Solomon, Gehring &
Homberger): ``NAME``, ``DIMENSION``, ``VEHICLES``, ``CAPACITY``,
``SERVICE_TIME``, ``EDGE_WEIGHT_TYPE : EUC_2D``, then ``NODE_COORD_SECTION``,
``DEMAND_SECTION``, optionally ``SERVICE_TIME_SECTION``,
``TIME_WINDOW_SECTION`` and ``DEPOT_SECTION``. Node 1 is the depot.

The distance-only DIMACS convention of ``bks.csv``: every distance and
travel time is the Euclidean distance truncated to one decimal. Scaled by
ten that is an integer, ``floor(10 * d)``, so the engines work on integer
matrices, with time windows and service times scaled by ten as well; a
distance is printed back in the original unit with one decimal.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from baoxiu.dispatch.engines.base import Job, Problem, Vehicle

SCALE = 10  # one decimal, as integers


@dataclass(frozen=True)
class Instance:
    """One CVRPTW instance in its original units (node 0 is the depot)."""

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]
    services: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]

    @property
    def customers(self) -> int:
        return len(self.coords) - 1


def read_instance(path: Path) -> Instance:
    """Parse one VRPLIB CVRPTW file; raises ValueError on anything it does not understand."""
    specs: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="ascii").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif current is None and ":" in line:
            key, value = line.split(":", 1)
            specs[key.strip()] = value.strip()
        elif current is not None:
            sections[current].append(line.split())
        else:
            raise ValueError(f"{path.name}: unexpected line {line!r}")

    if specs.get("EDGE_WEIGHT_TYPE") != "EUC_2D":
        raise ValueError(f"{path.name}: only EUC_2D instances are supported")
    dimension = int(specs["DIMENSION"])

    def column(section: str, width: int) -> list[list[str]]:
        rows = sections.get(section)
        if rows is None or len(rows) != dimension:
            raise ValueError(f"{path.name}: {section} must have {dimension} rows")
        for position, row in enumerate(rows, start=1):
            if len(row) != width or int(row[0]) != position:
                raise ValueError(f"{path.name}: bad row {row} in {section}")
        return rows

    coords = tuple((float(r[1]), float(r[2])) for r in column("NODE_COORD_SECTION", 3))
    demands = tuple(int(r[1]) for r in column("DEMAND_SECTION", 2))
    windows = tuple((int(r[1]), int(r[2])) for r in column("TIME_WINDOW_SECTION", 3))
    if "SERVICE_TIME_SECTION" in sections:
        services = tuple(int(r[1]) for r in column("SERVICE_TIME_SECTION", 2))
    else:
        service = int(float(specs.get("SERVICE_TIME", "0")))
        services = (0,) + (service,) * (dimension - 1)
    depots = [int(r[0]) for r in sections.get("DEPOT_SECTION", [["1"], ["-1"]]) if r[0] != "-1"]
    if depots != [1]:
        raise ValueError(f"{path.name}: node 1 must be the only depot")
    return Instance(
        name=specs.get("NAME", path.stem),
        vehicles=int(specs["VEHICLES"]),
        capacity=int(specs["CAPACITY"]),
        coords=coords,
        demands=demands,
        services=services,
        windows=windows,
    )


def dimacs_matrix(coords: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Integer distances (= travel times) ``floor(10 * euclidean)`` between all nodes.

    With integer coordinates (all of Solomon and Gehring & Homberger) this is
    exact: ``isqrt(100 * (dx² + dy²))``, computed in floating point and then
    corrected by one where rounding put it on the wrong side.
    """
    xy = np.asarray(coords, dtype=np.float64)
    if not np.array_equal(xy, np.round(xy)):
        delta = xy[:, None, :] - xy[None, :, :]
        return np.floor(SCALE * np.sqrt((delta**2).sum(axis=2))).astype(np.int64)
    ixy = xy.astype(np.int64)
    delta = ixy[:, None, :] - ixy[None, :, :]
    squared = SCALE * SCALE * (delta**2).sum(axis=2)
    root = np.floor(np.sqrt(squared.astype(np.float64))).astype(np.int64)
    root -= root * root > squared
    root += (root + 1) * (root + 1) <= squared
    return root


def dimacs_distance(a: tuple[float, float], b: tuple[float, float]) -> int:
    """One scaled DIMACS distance, computed on its own (the checker uses this, not the matrix)."""
    dx, dy = a[0] - b[0], a[1] - b[1]
    if float(dx).is_integer() and float(dy).is_integer():
        return math.isqrt(SCALE * SCALE * (int(dx) ** 2 + int(dy) ** 2))
    return math.floor(SCALE * math.hypot(dx, dy))


def to_problem(instance: Instance) -> Problem:
    """The instance as an engine problem: one job per customer, the fleet from ``VEHICLES``.

    Location 0 is the depot; job ``"c<i>"`` is customer ``i`` at location ``i``.
    Each vehicle leaves the depot no earlier than it opens and must be back
    before it closes; service must start inside the customer's window.
    """
    durations = dimacs_matrix(instance.coords)
    depot_open, depot_close = instance.windows[0]
    vehicles = tuple(
        Vehicle(
            id=f"v{k + 1}",
            start=0,
            end=0,
            capacity=instance.capacity,
            shift=(SCALE * depot_open, SCALE * depot_close),
        )
        for k in range(instance.vehicles)
    )
    jobs = tuple(
        Job(
            id=f"c{i}",
            location=i,
            service=SCALE * instance.services[i],
            time_windows=((SCALE * instance.windows[i][0], SCALE * instance.windows[i][1]),),
            demand=instance.demands[i],
        )
        for i in range(1, len(instance.coords))
    )
    return Problem(durations=durations, vehicles=vehicles, jobs=jobs)


def read_bks(path: Path) -> dict[str, float]:
    """Best-known distances by instance name from a ``bks.csv`` (empty if the file is absent)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(handle)}
