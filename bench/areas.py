"""Benchmark of the area resolver: ``python -m bench.areas`` (see bench/README.md).

Builds a large mixed list of strings (the seed service-area list plus
variants generated from the division table with a fixed random seed),
then measures

- the table's cold load time, in fresh processes (import + load);
- the table's resident memory (RSS delta around the load, and the Python
  heap it holds according to tracemalloc);
- strings resolved per second on one core. The resolver keeps no cache of
  results, so every string is resolved from scratch, duplicates included;

and runs a naive baseline (every division name tried with ``in`` against the
string, the deepest hits kept) on a smaller sample in the same process, so
the two speeds are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from baoxiu.areas import resolver

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = REPO_ROOT.parent / "shared" / "data" / "service-areas-seed.txt"
SEED_FIXTURE = REPO_ROOT / "baoxiu" / "areas" / "tests" / "fixtures" / "seed_expected.tsv"

TARGET_PER_SECOND = 50_000
TARGET_LOAD_SECONDS = 0.5
TARGET_MEGABYTES = 100

ROADS = "人民路 建设大道 解放路 中山路 文化街 滨江大道 科技园路 工业大道 新华街 和平路".split()
ZONES = "高新区 经开区 经济技术开发区 工业园区 临空经济区 新区 综合保税区".split()
NOISE_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
)
LATIN = "abcdefghijklmnopqrstuvwxyz0123456789 -#"


# The corpus.


def seed_lines() -> list[str]:
    """The seed list: from the shared file beside the repository, else from the test fixture."""
    if SEED_FILE.exists():
        return SEED_FILE.read_text(encoding="utf-8").splitlines()
    rows = SEED_FIXTURE.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split("\t")[0] for row in rows]


class CorpusBuilder:
    """Different ways of writing the same divisions, drawn from the table."""

    def __init__(self, table: resolver.AreaTable, rng: random.Random, seeds: list[str]):
        self.table, self.rng, self.seeds = table, rng, seeds
        by_level: dict[str, list[resolver.Division]] = {}
        for record in table.divisions.values():
            by_level.setdefault(record.level, []).append(record)
        self.counties = by_level.get("county", [])
        self.cities = by_level.get("city", [])
        self.townships = by_level.get("township", [])
        names = Counter(d.name for d in self.counties)
        self.repeated = sorted(name for name, count in names.items() if count > 1)
        self.history = sorted(table.history_codes.items())

    def parent(self, record: resolver.Division) -> resolver.Division | None:
        return self.table.division(record.parent_code) if record.parent_code else None

    def short(self, record: resolver.Division) -> str:
        """A colloquial short form if the rules give one (深圳, 黔西南, 宁蒗), else the name."""
        bare = [form for form, is_bare in resolver.name_forms(record.name, record.level) if is_bare]
        return self.rng.choice(bare) if bare else record.name

    def full(self) -> str:
        return self.rng.choice(self.counties + self.townships[:200]).full_name

    def city_county(self) -> str:
        record = self.rng.choice(self.counties)
        parent = self.parent(record)
        return (parent.name if parent else "") + record.name

    def short_forms(self) -> str:
        record = self.rng.choice(self.counties)
        chain = []
        node = self.parent(record)
        while node is not None:
            chain.insert(0, self.short(node) if self.rng.random() < 0.7 else node.name)
            node = self.parent(node)
        if chain and self.rng.random() < 0.5:
            chain = chain[1:]  # drop the province
        county = record.name if self.rng.random() < 0.6 else self.short(record)
        return "".join(chain) + county

    def township(self) -> str:
        if not self.townships:
            return self.full()
        record = self.rng.choice(self.townships)
        parent = self.parent(record)
        return (self.short(parent) if self.rng.random() < 0.3 else parent.name) + record.name

    def street(self) -> str:
        place = self.rng.choice((self.full, self.city_county, self.short_forms))()
        number = self.rng.randint(1, 999)
        suffix = f"{self.rng.choice(ROADS)}{number}号"
        if self.rng.random() < 0.3:
            suffix += f"{self.rng.randint(1, 30)}栋{self.rng.randint(101, 2808)}室"
        return place + suffix

    def historical(self) -> str:
        if not self.history:
            return self.full()
        old_code, (old_name, new_codes) = self.rng.choice(self.history)
        choice = self.rng.random()
        if choice < 0.2:
            return old_code
        if choice < 0.5:
            return old_name
        parent = self.parent(self.table.division(new_codes[0]))
        return (parent.name if parent else "") + old_name

    def ambiguous(self) -> str:
        return self.rng.choice(self.repeated) if self.repeated else self.full()

    def code(self) -> str:
        return self.rng.choice(self.counties + self.townships).code

    def zone(self) -> str:
        city = self.rng.choice(self.cities)
        zone = self.rng.choice(ZONES)
        if zone == "新区":
            zone = "".join(self.rng.choices(NOISE_CHARS, k=2)) + zone
        return city.name + zone

    def unknown_county(self) -> str:
        city = self.rng.choice(self.cities)
        return city.name + "".join(self.rng.choices(NOISE_CHARS, k=2)) + self.rng.choice("区县市")

    def noise(self) -> str:
        kind = self.rng.random()
        if kind < 0.1:
            return ""
        if kind < 0.5:
            return "".join(self.rng.choices(LATIN, k=self.rng.randint(1, 20)))
        return "".join(self.rng.choices(NOISE_CHARS, k=self.rng.randint(2, 16)))

    def seed(self) -> str:
        return self.rng.choice(self.seeds)

    def build(self, count: int) -> list[str]:
        mix: list[tuple[Callable[[], str], int]] = [
            (self.full, 12),
            (self.city_county, 18),
            (self.short_forms, 15),
            (self.township, 6),
            (self.street, 18),
            (self.historical, 5),
            (self.ambiguous, 5),
            (self.code, 3),
            (self.zone, 4),
            (self.unknown_county, 4),
            (self.noise, 5),
            (self.seed, 5),
        ]
        makers = [maker for maker, _weight in mix]
        weights = [weight for _maker, weight in mix]
        strings = list(self.seeds)
        for maker in self.rng.choices(makers, weights, k=max(0, count - len(strings))):
            strings.append(maker())
        self.rng.shuffle(strings)
        return strings


def build_corpus(table: resolver.AreaTable, count: int, seed: int) -> list[str]:
    return CorpusBuilder(table, random.Random(seed), seed_lines()).build(count)


# The baseline.


class NaiveResolver:
    """What one writes first: try every division name with ``in``, keep the deepest hits."""

    DEPTH = {"province": 0, "city": 1, "county": 2, "township": 3}

    def __init__(self, table: resolver.AreaTable):
        self.table = table
        self.names = [(d.name, d.code, self.DEPTH[d.level]) for d in table.divisions.values()]

    def resolve(self, text: str) -> tuple[str, str | None]:
        hits = [(depth, code) for name, code, depth in self.names if name in text]
        if not hits:
            return "unresolved", None
        deepest = max(depth for depth, _code in hits)
        codes = [code for depth, code in hits if depth == deepest]
        return ("ok", codes[0]) if len(codes) == 1 else ("ambiguous", None)


# Measurements.


def strings_per_second(resolve: Callable[[str], object], strings: list[str], rounds: int) -> float:
    """Median rate over ``rounds`` passes, after a short warm-up."""
    for text in strings[:1000]:
        resolve(text)
    rates = []
    for _round in range(rounds):
        started = time.perf_counter()
        for text in strings:
            resolve(text)
        rates.append(len(strings) / (time.perf_counter() - started))
    return statistics.median(rates)


_LOAD_PROBE = """
import json, os, resource, sys, time, tracemalloc

def rss():
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

trace = sys.argv[2] == "trace"
if trace:
    tracemalloc.start()
before = rss()
started = time.perf_counter()
from baoxiu.areas.resolver import AreaTable
table = AreaTable.load(sys.argv[1] or None)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "rss_delta": rss() - before,
    "traced": tracemalloc.get_traced_memory()[0] if trace else None,
    "divisions": len(table.divisions),
    "keys": len(table.names),
}))
"""


def cold_load(data_dir: str, trace: bool) -> dict:
    """Import the resolver and load the table in a fresh interpreter."""
    # Our own interpreter running our own probe script: no untrusted input.
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _LOAD_PROBE, data_dir, "trace" if trace else "plain"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def check_seed_fixture(table: resolver.AreaTable) -> tuple[int, int]:
    rows = SEED_FIXTURE.read_text(encoding="utf-8").splitlines()[1:]
    good = 0
    for row in rows:
        text, status, code = row.split("\t")[:3]
        result = table.resolve(text)
        good += (result.status, result.code or "") == (status, code)
    return good, len(rows)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def run(*, count: int, seed: int, baseline_sample: int, rounds: int, data_dir: str | None) -> dict:
    """All the figures, as a dict (also what ``main`` prints)."""
    loads = [cold_load(data_dir or "", trace=False) for _ in range(3)]
    traced = cold_load(data_dir or "", trace=True)
    table = resolver.AreaTable.load(data_dir)
    corpus = build_corpus(table, count, seed)
    statuses = Counter(table.resolve(text).status for text in corpus)
    rate = strings_per_second(table.resolve, corpus, rounds)
    distinct = list(dict.fromkeys(corpus))
    distinct_rate = strings_per_second(table.resolve, distinct, rounds)

    sample = corpus[:baseline_sample]
    naive = NaiveResolver(table)
    naive_rate = strings_per_second(naive.resolve, sample, 1)
    agree = sum(
        naive.resolve(text) == ((r := table.resolve(text)).status, r.code) for text in sample
    )
    return {
        "data_dir": str(
            data_dir or os.environ.get(resolver.DATA_DIR_ENV) or resolver.DEFAULT_DATA_DIR
        ),
        "divisions": len(table.divisions),
        "keys": len(table.names),
        "history_codes": len(table.history_codes),
        "count": len(corpus),
        "distinct": len(distinct),
        "seed": seed,
        "statuses": dict(statuses),
        "seed_fixture": check_seed_fixture(table),
        "per_second": rate,
        "distinct_per_second": distinct_rate,
        "naive_per_second": naive_rate,
        "naive_sample": len(sample),
        "naive_agreement": agree / len(sample) if sample else 0.0,
        "load_seconds": statistics.median(load["seconds"] for load in loads),
        "load_seconds_all": [load["seconds"] for load in loads],
        "rss_bytes": statistics.median(load["rss_delta"] for load in loads),
        "traced_bytes": traced["traced"],
    }


def report(figures: dict, pinned: str) -> str:
    mb = 1024 * 1024
    total = figures["count"]
    mix = "  ".join(
        f"{status} {figures['statuses'].get(status, 0) / total:.1%}"
        for status in ("ok", "ambiguous", "unresolved")
    )
    good, rows = figures["seed_fixture"]
    ratio = figures["per_second"] / figures["naive_per_second"]
    met = (
        figures["per_second"] >= TARGET_PER_SECOND
        and figures["load_seconds"] < TARGET_LOAD_SECONDS
        and figures["rss_bytes"] < TARGET_MEGABYTES * mb
    )
    loads = ", ".join(f"{s:.3f}" for s in figures["load_seconds_all"])
    lines = [
        "Area resolver benchmark",
        f"  table       {figures['data_dir']}",
        f"              {figures['divisions']:,} divisions, {figures['keys']:,} index keys, "
        f"{figures['history_codes']:,} historical codes",
        f"  corpus      {total:,} strings (seed list + generated variants), random seed "
        f"{figures['seed']}, {figures['distinct']:,} distinct",
        f"  answers     {mix}",
        f"  seed list   {good}/{rows} as in the test fixture",
        f"  timing      one process, {pinned}; the resolver caches no results",
        "",
        f"  {'':34}{'resolver':>14}{'naive scan':>14}{'ratio':>10}",
        f"  {'strings/s, one core':34}{figures['per_second']:>14,.0f}"
        f"{figures['naive_per_second']:>14,.0f}{ratio:>9.0f}x",
        f"  {'strings measured':34}{total:>14,}{figures['naive_sample']:>14,}",
        f"  {'strings/s, distinct strings only':34}{figures['distinct_per_second']:>14,.0f}",
        f"  {'naive answer = resolver answer':34}{'':>14}{figures['naive_agreement']:>14.1%}",
        "",
        f"  table load, cold process       {figures['load_seconds']:.3f} s "
        f"(import + load, median of {loads})",
        f"  resident memory for the table  {figures['rss_bytes'] / mb:.1f} MB RSS delta "
        f"({figures['traced_bytes'] / mb:.1f} MB Python heap by tracemalloc)",
        f"  targets  >= {TARGET_PER_SECOND:,} strings/s, load < {TARGET_LOAD_SECONDS} s, "
        f"< {TARGET_MEGABYTES} MB: {'met' if met else 'NOT met'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.areas", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="strings in the corpus")
    parser.add_argument("--seed", type=int, default=2016, help="random seed of the corpus")
    parser.add_argument(
        "--baseline-sample", type=int, default=2_000, help="strings given to the naive scan"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the corpus")
    parser.add_argument("--data-dir", default=None, help="another build of the division table")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    pinned = pin_to_one_core()
    figures = run(
        count=args.count,
        seed=args.seed,
        baseline_sample=args.baseline_sample,
        rounds=args.rounds,
        data_dir=args.data_dir,
    )
    print(json.dumps(figures, ensure_ascii=False) if args.json else report(figures, pinned))
    return 0


if __name__ == "__main__":
    sys.exit(main())
