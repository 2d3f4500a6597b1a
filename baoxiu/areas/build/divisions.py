"""The division table: MCA's hierarchy cut to what baoxiu needs."""

from __future__ import annotations

from dataclasses import dataclass

from .readers import McaRecord

LEVELS = {1: "province", 2: "city", 3: "county", 4: "township"}
# Prefecture-level cities that have no county-level units: their townships hang
# directly on the city.
NO_COUNTY_CITIES = ("441900", "442000", "460400", "620200")
# Hong Kong and Macao are listed by the MCA but are not part of mainland China's
# division system (no county-level units below them); Taiwan has no MCA code.
EXCLUDED_PROVINCES = ("810000", "820000")
HAINAN = "460000"


@dataclass
class Division:
    code: str
    parent_code: str
    level: str
    name: str
    lng: float | None = None
    lat: float | None = None
    point_source: str = ""


def township_parent_wanted(parent: McaRecord) -> bool:
    """Townships are kept under the no-county cities and Hainan's 4690xx units."""
    if parent.code in NO_COUNTY_CITIES:
        return True
    return parent.level == 3 and parent.parent_code == HAINAN


def build_divisions(records: list[McaRecord]) -> dict[str, Division]:
    by_code = {r.code: r for r in records}
    if len(by_code) != len(records):
        raise ValueError("the MCA table repeats a code")
    divisions: dict[str, Division] = {}
    for record in records:
        if record.code[:2] + "0000" in EXCLUDED_PROVINCES:
            continue
        if record.level == 4 and not township_parent_wanted(by_code[record.parent_code]):
            continue
        if record.name in ("市辖区", "县") or record.name.endswith("直辖县级行政区划"):
            continue  # MCA placeholder rows (the 2025 table has none; guard anyway)
        divisions[record.code] = Division(
            code=record.code,
            parent_code=record.parent_code,
            level=LEVELS[record.level],
            name=record.name,
        )
    check_shape(divisions)
    return dict(sorted(divisions.items()))


def check_shape(divisions: dict[str, Division]) -> None:
    """Fail the build if the table breaks the output contract."""
    problems = []
    for division in divisions.values():
        code, parent = division.code, division.parent_code
        if division.level == "province":
            if len(code) != 6 or code[2:] != "0000" or parent:
                problems.append(f"{code}: bad province row")
            continue
        if parent not in divisions:
            problems.append(f"{code}: parent {parent!r} missing")
            continue
        parent_level = divisions[parent].level
        if division.level == "city":
            ok = len(code) == 6 and code[4:] == "00" and parent_level == "province"
        elif division.level == "county":
            ok = len(code) == 6 and code[4:] != "00" and parent_level in ("province", "city")
        else:
            ok = len(code) == 9 and code.startswith(parent) and parent_level in ("city", "county")
        if not ok or not code.startswith(parent[:2]):
            problems.append(f"{code}: {division.level} under {parent_level} {parent}")
    for city in NO_COUNTY_CITIES:
        children = [d for d in divisions.values() if d.parent_code == city]
        if not children or any(d.level != "township" for d in children):
            problems.append(f"{city}: expected townships only below a no-county city")
    if problems:
        raise ValueError("division table:\n" + "\n".join(problems))
