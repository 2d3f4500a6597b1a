"""The committed division data keeps its contract (no database needed).

The files are written by `make areas-data`; these tests pin what other code
relies on: the columns, the tree, the points, the history mapping, and the
counts stated in the data README.
"""

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
DIVISIONS_HEADER = "code\tparent_code\tlevel\tname\tlng\tlat\tpoint_source"
HISTORY_HEADER = "old_code\told_name\tnew_code\tyear\tnote"
EXPECTED_COUNTS = {"province": 31, "city": 333, "county": 2845, "township": 236}
NO_COUNTY_CITIES = {"441900", "442000", "460400", "620200"}
POINT_SOURCES = {"seat", "centroid", "manual", "parent"}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def divisions() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in _read("divisions.tsv")}


@cache
def history() -> list[dict[str, str]]:
    return _read("history.tsv")


def successors(old_code: str) -> set[str]:
    return {row["new_code"] for row in history() if row["old_code"] == old_code}


def test_headers_are_exact():
    assert (DATA / "divisions.tsv").read_text(encoding="utf-8").split("\n", 1)[0] == (
        DIVISIONS_HEADER
    )
    assert (DATA / "history.tsv").read_text(encoding="utf-8").split("\n", 1)[0] == HISTORY_HEADER


def test_codes_are_unique_and_sorted():
    codes = [row["code"] for row in _read("divisions.tsv")]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_counts_per_level_are_the_ones_the_readme_states():
    counts = Counter(row["level"] for row in divisions().values())
    assert counts == EXPECTED_COUNTS
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for level, count in EXPECTED_COUNTS.items():
        assert re.search(rf"^\| {level} \| {count} \|", readme, re.MULTILINE), level


def test_every_parent_exists_and_levels_match_code_shape():
    table = divisions()
    for code, row in table.items():
        level, parent = row["level"], row["parent_code"]
        if level == "province":
            assert re.fullmatch(r"\d{2}0000", code) and parent == "", code
            continue
        assert parent in table, code
        parent_level = table[parent]["level"]
        if level == "city":
            assert re.fullmatch(r"\d{4}00", code) and not code.endswith("0000"), code
            assert parent_level == "province", code
        elif level == "county":
            assert re.fullmatch(r"\d{6}", code) and not code.endswith("00"), code
            assert parent_level in ("province", "city"), code
        else:
            assert level == "township", code
            assert re.fullmatch(r"\d{9}", code) and code.startswith(parent), code
            assert parent_level in ("city", "county"), code
        assert code[:2] == parent[:2], code


def test_no_placeholder_rows():
    names = {row["name"] for row in divisions().values()}
    assert {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"} & names == set()


def test_townships_exist_exactly_under_no_county_cities_and_hainan_direct_units():
    table = divisions()
    parents = {row["parent_code"] for row in table.values() if row["level"] == "township"}
    hainan_direct = {
        code
        for code, row in table.items()
        if row["level"] == "county" and row["parent_code"] == "460000"
    }
    assert len(hainan_direct) == 15
    assert parents == NO_COUNTY_CITIES | hainan_direct
    for city in NO_COUNTY_CITIES:
        assert table[city]["level"] == "city"
        children = {row["level"] for row in table.values() if row["parent_code"] == city}
        assert children == {"township"}, city


def test_every_county_and_township_has_a_point_inside_china():
    for code, row in divisions().items():
        assert row["point_source"] in POINT_SOURCES | {""}, code
        if row["level"] in ("county", "township"):
            assert row["lng"] and row["lat"], code
        if row["lng"]:
            assert re.fullmatch(r"\d+\.\d{6}", row["lng"]), code
            assert re.fullmatch(r"\d+\.\d{6}", row["lat"]), code
            assert 73 <= float(row["lng"]) <= 136, code
            assert 3 <= float(row["lat"]) <= 54, code
            assert row["point_source"] in POINT_SOURCES, code


def test_townships_take_their_parents_point():
    table = divisions()
    for code, row in table.items():
        if row["level"] == "township":
            parent = table[row["parent_code"]]
            assert row["point_source"] == "parent", code
            assert (row["lng"], row["lat"]) == (parent["lng"], parent["lat"]), code
        else:
            assert row["point_source"] != "parent", code


def test_specific_divisions():
    table = divisions()

    def fact(code):
        row = table[code]
        return row["name"], row["parent_code"], row["level"]

    assert fact("451082") == ("平果市", "451000", "county")
    assert fact("469028") == ("陵水黎族自治县", "460000", "county")
    assert fact("441900108") == ("谢岗镇", "441900", "township")
    assert fact("442000001") == ("石岐街道", "442000", "township")
    assert fact("460400115") == ("东成镇", "460400", "township")
    assert fact("469028105") == ("文罗镇", "469028", "township")
    assert fact("632521") == ("共和县", "632500", "county")
    assert fact("632500") == ("海南藏族自治州", "630000", "city")
    assert fact("630000") == ("青海省", "", "province")
    assert fact("522301") == ("兴义市", "522300", "county")
    assert fact("522300") == ("黔西南布依族苗族自治州", "520000", "city")
    assert fact("150000") == ("内蒙古自治区", "", "province")
    assert fact("110101") == ("东城区", "110000", "county")
    assert fact("429004") == ("仙桃市", "420000", "county")
    assert fact("500157") == ("两江新区", "500000", "county")
    assert "451023" not in table and "330103" not in table and "500105" not in table


def test_history_maps_old_codes_to_their_current_successors():
    assert successors("451023") == {"451082"}  # 平果县 → 平果市, 2019
    assert successors("330103") == {"330105"}  # 下城区 merged into 拱墅区, 2021
    assert successors("330104") == {"330102", "330114"}  # 江干区 split, 2021
    assert successors("652201") == {"650502"}  # county-level 哈密市 → 伊州区
    assert successors("140203") == {"140214"}  # 大同矿区 → 云冈区, not 阳泉矿区 140303
    assert successors("500105") == {"500157"}  # 江北区 → 两江新区, 2025
    assert successors("371200") == {"370100"}  # prefecture 莱芜市 → 济南市
    assert successors("460321") == {"460302"}  # 西沙群岛 → 西沙区, 2020


def test_history_rows_point_at_current_codes():
    table = divisions()
    assert history(), "history.tsv is empty"
    for row in history():
        assert row["new_code"] in table, row
        assert re.fullmatch(r"\d{6}", row["old_code"]), row
        assert 2016 <= int(row["year"]) <= 2025, row
        assert row["note"], row
        if row["old_code"] in table:
            # a rename: same code, a former name
            assert row["old_code"] == row["new_code"], row
            assert row["old_name"] != table[row["old_code"]]["name"], row


def test_history_includes_renames_with_unchanged_codes():
    renames = {
        (row["old_code"], row["old_name"])
        for row in history()
        if row["old_code"] == row["new_code"]
    }
    assert renames == {
        ("130502", "桥东区"),
        ("130503", "桥西区"),
        ("210112", "东陵区"),
        ("360402", "庐山区"),
    }


def test_history_rows_are_unique():
    keys = [(row["old_code"], row["old_name"], row["new_code"]) for row in history()]
    assert len(keys) == len(set(keys))
