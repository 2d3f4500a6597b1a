"""Benchmark 3's decision path, another tree's against this one's, in one process.

``python -m bench.dispatch_sim_ab OTHER/baoxiu/dispatch/assignment.py [--passes 2]``

Sequential runs of ``bench.dispatch_sim --latency-only`` on two trees compare
two moments of a machine whose load may move in between. Here the other
tree's ``assignment.py`` is loaded beside this tree's (it must import against
this tree's models) and both decide the same new emergency tickets of one
benchmark-3 city, ticket by ticket, alternating which goes first: as is, then
with the start-up heap frozen. Then, for a sample of tickets as emergency,
urgent and normal work at several hours, every candidate (the whole ranking)
and every planner input must be the same on both. Prints p50 / p99 / max per
path, the median of the per-decision ratios, queries and collector runs.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import tempfile
import time
from dataclasses import astuple
from datetime import timedelta
from pathlib import Path

import numpy as np

from bench.dispatch_sim import setup_django

# Hours from the benchmark's 15:00 at which the identity check decides: 03:00,
# 08:30, 12:00, 15:00, 19:30 and 21:00 (rota only, shift changes, the lunch break).
IDENTITY_HOURS = (12, -6.5, -3, 0, 4.5, 6)
IDENTITY_TICKETS = 120


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("assignment_other", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _ms(values: list[float]) -> str:
    v = np.array(values) * 1000
    return f"p50 {np.percentile(v, 50):6.1f}  p99 {np.percentile(v, 99):6.1f}  max {v.max():6.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch_sim_ab", description=__doc__)
    parser.add_argument("other", type=Path, help="the other tree's baoxiu/dispatch/assignment.py")
    parser.add_argument("--passes", type=int, default=2, help="passes over the 500 tickets")
    parser.add_argument("--tickets", type=int, default=500)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="baoxiu-bench-ab-") as folder:
        owned = setup_django(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test.utils import CaptureQueriesContext

        from baoxiu.catalog.choices import Priority
        from baoxiu.core.runtime import freeze_startup_heap
        from baoxiu.dispatch import assignment as this
        from baoxiu.tickets.models import Ticket
        from bench import dispatch_sim_latency as latency

        try:
            other = _load(args.other)
            paths = {"other": other, "this": this}
            call_command("migrate", verbosity=0)
            city = latency.build_city(new_tickets=args.tickets + latency.WARMUP, seed=1)
            gc.collect()

            def decide(module, pk):
                started = time.perf_counter()
                ticket = Ticket.objects.select_related("address", "fault_type").get(pk=pk)
                top = module.assignment_candidates(ticket=ticket, now=city.now)
                return time.perf_counter() - started, [c.technician_id for c in top]

            probe = Ticket.objects.select_related("address", "fault_type").get(
                pk=city.new_ticket_ids[0]
            )
            for name, module in paths.items():
                with CaptureQueriesContext(connection) as queries:
                    module.assignment_candidates(ticket=probe, now=city.now)
                print(f"{name}: {len(queries)} queries a decision (ticket read not counted)")

            for phase in ("as is", "start-up heap frozen"):
                if phase != "as is":
                    freeze_startup_heap()
                times = {name: [] for name in paths}
                runs = {name: 0 for name in paths}
                agree = 0
                for p in range(args.passes):
                    for n, pk in enumerate(city.new_ticket_ids):
                        order = list(paths) if (n + p) % 2 == 0 else list(reversed(paths))
                        tops = {}
                        for name in order:
                            before = gc.get_stats()[2]["collections"]
                            seconds, tops[name] = decide(paths[name], pk)
                            runs[name] += gc.get_stats()[2]["collections"] - before
                            if n >= latency.WARMUP:
                                times[name].append(seconds)
                        agree += n >= latency.WARMUP and tops["other"] == tops["this"]
                print(f"{phase}: {len(times['this'])} decisions each, alternating which goes first")
                for name in paths:
                    print(f"  {name:6} {_ms(times[name])} ms; full collections {runs[name]}")
                ratio = statistics.median(
                    a / b for a, b in zip(times["other"], times["this"], strict=True)
                )
                print(f"  median per-decision ratio other / this: {ratio:.2f}")
                print(f"  same top three: {agree}/{len(times['this'])}")
            gc.unfreeze()

            tickets = [
                Ticket.objects.select_related("address", "fault_type").get(pk=pk)
                for pk in city.new_ticket_ids[:IDENTITY_TICKETS]
            ]
            kinds = (Priority.EMERGENCY, Priority.URGENT, Priority.NORMAL)
            same = checked = 0
            for hours in IDENTITY_HOURS:
                now = city.now + timedelta(hours=hours)
                for k, ticket in enumerate(tickets):
                    ticket.priority = kinds[k % 3]  # in memory only
                    ranked, inputs = [], []
                    for module in (other, this):
                        ranked.append(
                            [
                                astuple(c)
                                for c in module.assignment_candidates(
                                    ticket=ticket, now=now, limit=None
                                )
                            ]
                        )
                        rows = module.eligible_technicians(ticket, now=now)
                        inputs.append([astuple(s) for s in module._states(rows, ticket, now)])
                    checked += 1
                    same += ranked[0] == ranked[1] and inputs[0] == inputs[1]
            print(f"whole ranking and planner inputs identical: {same}/{checked}")
        finally:
            if owned:
                connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
