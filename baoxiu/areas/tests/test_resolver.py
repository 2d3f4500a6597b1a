"""The resolver: free text → division, never a silent guess.

Plain tests: the resolver reads the committed TSV files and needs no database.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from baoxiu.areas import resolver
from baoxiu.areas.management.commands.areas import resolve_stream

CITY = resolver.LEVEL_SUFFIXES["city"]
COUNTY = resolver.LEVEL_SUFFIXES["county"]
PROVINCE = resolver.LEVEL_SUFFIXES["province"]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "seed_expected.tsv"
REPO_ROOT = Path(__file__).resolve().parents[3]
SEED_FILE = REPO_ROOT.parent / "shared" / "data" / "service-areas-seed.txt"


def _expected_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


EXPECTED = _expected_rows()


@pytest.fixture(scope="module")
def table() -> resolver.AreaTable:
    return resolver.get_table()


# The seed list (../shared/data/service-areas-seed.txt), every line checked by hand.


def test_fixture_holds_every_seed_line_in_order():
    if not SEED_FILE.exists():
        pytest.skip(f"{SEED_FILE} is not beside the repository; the fixture's own inputs are used")
    seed_lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    assert [row["input"] for row in EXPECTED] == seed_lines


@pytest.mark.parametrize("row", EXPECTED, ids=[row["input"] for row in EXPECTED])
def test_seed_line(table, row):
    result = table.resolve(row["input"])
    assert (result.status, result.code or "", result.name or "") == (
        row["status"],
        row["code"],
        row["name"],
    )


def test_seed_trap_hainan_gonghe_is_in_qinghai(table):
    result = table.resolve("海南共和县")
    assert (result.status, result.code, result.level) == ("ok", "632521", "county")
    assert result.name == "青海省海南藏族自治州共和县"


def test_seed_trap_luling_new_area_is_the_city_with_a_note(table):
    result = table.resolve("吉安市庐陵新区")
    assert (result.status, result.code, result.level) == ("ok", "360800", "city")
    assert result.note == "庐陵新区不是行政区划，已按吉安市处理"


# Our own cases, none of them from the seed list.

OK_CASES = [
    # Full forms, including counties directly under a province.
    ("广东省深圳市南山区", "440305", "county", "广东省深圳市南山区"),
    ("浙江省杭州市余杭区", "330110", "county", "浙江省杭州市余杭区"),
    ("四川省成都市武侯区", "510107", "county", "四川省成都市武侯区"),
    ("北京市海淀区", "110108", "county", "北京市海淀区"),
    ("海南省陵水黎族自治县", "469028", "county", "海南省陵水黎族自治县"),
    ("湖北省仙桃市", "429004", "county", "湖北省仙桃市"),
    ("青海省海南藏族自治州共和县", "632521", "county", "青海省海南藏族自治州共和县"),
    (
        "新疆维吾尔自治区伊犁哈萨克自治州伊宁市",
        "654002",
        "county",
        "新疆维吾尔自治区伊犁哈萨克自治州伊宁市",
    ),
    ("广东省 深圳市 福田区", "440304", "county", "广东省深圳市福田区"),
    ("中国广东省深圳市福田区", "440304", "county", "广东省深圳市福田区"),
    ("3. 北京市西城区", "110102", "county", "北京市西城区"),
    # City + county, no province.
    ("深圳市宝安区", "440306", "county", "广东省深圳市宝安区"),
    ("苏州市姑苏区", "320508", "county", "江苏省苏州市姑苏区"),
    ("武汉市江夏区", "420115", "county", "湖北省武汉市江夏区"),
    ("沧州新华区", "130902", "county", "河北省沧州市新华区"),
    ("杭州西湖", "330106", "county", "浙江省杭州市西湖区"),
    # Autonomous prefectures by their colloquial short forms.
    ("凉山州西昌市", "513401", "county", "四川省凉山彝族自治州西昌市"),
    ("黔西南州兴仁市", "522302", "county", "贵州省黔西南布依族苗族自治州兴仁市"),
    ("黔南都匀市", "522701", "county", "贵州省黔南布依族苗族自治州都匀市"),
    ("湘西吉首市", "433101", "county", "湖南省湘西土家族苗族自治州吉首市"),
    ("延边州延吉市", "222401", "county", "吉林省延边朝鲜族自治州延吉市"),
    ("恩施利川市", "422802", "county", "湖北省恩施土家族苗族自治州利川市"),
    ("大理州弥渡县", "532925", "county", "云南省大理白族自治州弥渡县"),
    ("西双版纳景洪市", "532801", "county", "云南省西双版纳傣族自治州景洪市"),
    ("阿坝州马尔康市", "513201", "county", "四川省阿坝藏族羌族自治州马尔康市"),
    ("伊犁州奎屯市", "654003", "county", "新疆维吾尔自治区伊犁哈萨克自治州奎屯市"),
    ("巴音郭楞库尔勒市", "652801", "county", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市"),
    ("海西格尔木市", "632801", "county", "青海省海西蒙古族藏族自治州格尔木市"),
    ("海南州", "632500", "city", "青海省海南藏族自治州"),
    # Leagues (盟).
    ("兴安盟乌兰浩特市", "152201", "county", "内蒙古自治区兴安盟乌兰浩特市"),
    ("锡林郭勒盟二连浩特市", "152501", "county", "内蒙古自治区锡林郭勒盟二连浩特市"),
    ("锡林郭勒西乌珠穆沁旗", "152526", "county", "内蒙古自治区锡林郭勒盟西乌珠穆沁旗"),
    ("阿拉善盟阿拉善右旗", "152922", "county", "内蒙古自治区阿拉善盟阿拉善右旗"),
    ("兴安盟", "152200", "city", "内蒙古自治区兴安盟"),
    # Province short forms.
    ("内蒙古包头市", "150200", "city", "内蒙古自治区包头市"),
    ("广西南宁市青秀区", "450103", "county", "广西壮族自治区南宁市青秀区"),
    ("宁夏固原市原州区", "640402", "county", "宁夏回族自治区固原市原州区"),
    ("新疆乌鲁木齐市天山区", "650102", "county", "新疆维吾尔自治区乌鲁木齐市天山区"),
    ("西藏拉萨市城关区", "540102", "county", "西藏自治区拉萨市城关区"),
    ("黑龙江哈尔滨市道里区", "230102", "county", "黑龙江省哈尔滨市道里区"),
    ("广东深圳福田区", "440304", "county", "广东省深圳市福田区"),
    ("北京", "110000", "province", "北京市"),
    # County short forms of autonomous counties and banners.
    ("宁蒗县", "530724", "county", "云南省丽江市宁蒗彝族自治县"),
    ("丽江宁蒗", "530724", "county", "云南省丽江市宁蒗彝族自治县"),
    ("峨边县", "511132", "county", "四川省乐山市峨边彝族自治县"),
    ("莫力达瓦旗", "150722", "county", "内蒙古自治区呼伦贝尔市莫力达瓦达斡尔族自治旗"),
    ("鄂温克旗", "150724", "county", "内蒙古自治区呼伦贝尔市鄂温克族自治旗"),
    ("重庆彭水县", "500243", "county", "重庆市彭水苗族土家族自治县"),
    # Townships under the no-county cities.
    ("东莞市虎门镇", "441900121", "township", "广东省东莞市虎门镇"),
    ("东莞长安镇", "441900119", "township", "广东省东莞市长安镇"),
    ("中山市小榄镇", "442000118", "township", "广东省中山市小榄镇"),
    ("儋州市那大镇", "460400100", "township", "海南省儋州市那大镇"),
    ("嘉峪关市峪泉镇", "620200100", "township", "甘肃省嘉峪关市峪泉镇"),
    ("嘉峪关雄关街道", "620200002", "township", "甘肃省嘉峪关市雄关街道"),
    ("广东省东莞市石龙镇", "441900102", "township", "广东省东莞市石龙镇"),
    # Townships under Hainan's directly administered units.
    ("琼海市博鳌镇", "469002104", "township", "海南省琼海市博鳌镇"),
    ("陵水文罗镇", "469028105", "township", "海南省陵水黎族自治县文罗镇"),
    ("保亭黎族苗族自治县保城镇", "469029100", "township", "海南省保亭黎族苗族自治县保城镇"),
    ("海南省文昌市龙楼镇", "469005109", "township", "海南省文昌市龙楼镇"),
    # Street addresses: the text after the county is left alone.
    ("浙江省杭州市西湖区文三路90号", "330106", "county", "浙江省杭州市西湖区"),
    (
        "广东省深圳市南山区科技园南区深南大道10000号",
        "440305",
        "county",
        "广东省深圳市南山区",
    ),
    ("上海市浦东新区世纪大道100号", "310115", "county", "上海市浦东新区"),
    ("北京市朝阳区建国路88号SOHO现代城", "110105", "county", "北京市朝阳区"),
    ("江苏省南京市鼓楼区中山北路1号", "320106", "county", "江苏省南京市鼓楼区"),
    ("东莞市虎门镇连升路8号", "441900121", "township", "广东省东莞市虎门镇"),
    # Unique bare names.
    ("东阳市", "330783", "county", "浙江省金华市东阳市"),
    ("宝安区", "440306", "county", "广东省深圳市宝安区"),
    # Province short forms alone mean the province; 海南州 and 吉林市 say otherwise.
    ("海南", "460000", "province", "海南省"),
    ("吉林", "220000", "province", "吉林省"),
    ("河南", "410000", "province", "河南省"),
    ("吉林市", "220200", "city", "吉林省吉林市"),
    ("吉林船营区", "220204", "county", "吉林省吉林市船营区"),
    # Traps resolved by the hierarchy: 海南 + a county of 海南藏族自治州.
    ("海南贵德县", "632523", "county", "青海省海南藏族自治州贵德县"),
    ("海南兴海县", "632524", "county", "青海省海南藏族自治州兴海县"),
    ("海南三亚市", "460200", "city", "海南省三亚市"),
    ("青海海南州", "632500", "city", "青海省海南藏族自治州"),
    ("红河弥勒市", "532504", "county", "云南省红河哈尼族彝族自治州弥勒市"),
    ("红河县", "532529", "county", "云南省红河哈尼族彝族自治州红河县"),
    # Codes: six digits, nine digits, twelve-digit statistical codes.
    ("440305", "440305", "county", "广东省深圳市南山区"),
    ("441900108", "441900108", "township", "广东省东莞市谢岗镇"),
    ("440305000000", "440305", "county", "广东省深圳市南山区"),
    ("440300", "440300", "city", "广东省深圳市"),
]


@pytest.mark.parametrize(("text", "code", "level", "name"), OK_CASES, ids=[c[0] for c in OK_CASES])
def test_resolves_to_one_division(table, text, code, level, name):
    result = table.resolve(text)
    assert (result.status, result.code, result.level, result.name) == ("ok", code, level, name)
    assert result.candidates == ()


HISTORY_CASES = [
    ("平果县", "451082", "平果县已改为平果市"),
    ("广西百色市平果县", "451082", "平果县已改为平果市"),
    ("百色市田阳县", "451003", "田阳县已改为田阳区"),
    ("河北省唐山市滦县", "130284", "滦县已改为滦州市"),
    ("重庆市江北区", "500157", "江北区已并入两江新区"),
    ("新疆哈密市伊州区", "650502", ""),
    ("山东省莱芜市莱城区", "370116", "莱芜市已并入济南市；莱城区已并入莱芜区"),
    ("451023", "451082", "451023是平果县的旧代码，平果县已改为平果市"),
    ("130223", "130284", "130223是滦县的旧代码，滦县已改为滦州市"),
]


@pytest.mark.parametrize(("text", "code", "note"), HISTORY_CASES, ids=[c[0] for c in HISTORY_CASES])
def test_historical_names_and_codes_map_to_the_successor(table, text, code, note):
    result = table.resolve(text)
    assert (result.status, result.code, result.note) == ("ok", code, note)


AMBIGUOUS_CASES = [
    ("鼓楼区", ["320106", "320302", "350102", "410204"]),
    ("朝阳区", ["110105", "220104"]),
    ("城关区", ["540102", "620102"]),
    ("新华区", ["130105", "130902", "410402"]),
    ("南山区", ["230404", "440305"]),
    ("西湖区", ["330106", "360103"]),
    ("普陀区", ["310107", "330903"]),
    ("和平区", ["120101", "210102"]),
    ("朝阳", ["110105", "211300", "211321", "220104"]),
    ("中山", ["210202", "442000"]),
    ("鼓楼区中山路88号", ["320106", "320302", "350102", "410204"]),
]


@pytest.mark.parametrize(("text", "codes"), AMBIGUOUS_CASES, ids=[c[0] for c in AMBIGUOUS_CASES])
def test_names_found_in_several_places_are_ambiguous(table, text, codes):
    result = table.resolve(text)
    assert (result.status, result.code, result.level, result.name) == (
        "ambiguous",
        None,
        None,
        None,
    )
    assert [code for code, _name in result.candidates] == codes
    assert [name for _code, name in result.candidates] == [
        table.division(code).full_name for code in codes
    ]


SPLIT_CASES = [
    # Former units split between several successors: the candidates are the successors.
    ("杭州市江干区", ["330102", "330114"], "江干区已分设，请在候选中选择"),
    ("重庆市渝北区", ["500109", "500157"], "渝北区已分设，请在候选中选择"),
    ("330104", ["330102", "330114"], "330104是江干区的旧代码，江干区已分设，请在候选中选择"),
]


@pytest.mark.parametrize(("text", "codes", "note"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_a_split_former_unit_lists_its_successors(table, text, codes, note):
    result = table.resolve(text)
    assert (result.status, [c for c, _n in result.candidates], result.note) == (
        "ambiguous",
        codes,
        note,
    )


def test_a_former_name_inside_a_current_division_of_that_name_gives_way(table):
    # 哈密市 is the prefecture today; the county-level 哈密市 became 伊州区 inside it.
    assert table.resolve("新疆哈密市").code == "650500"
    # 江北区 is 宁波's today and was 重庆's until 2025: neither lies inside the other.
    assert [c for c, _n in table.resolve("江北区").candidates] == ["330205", "500157"]


def test_ambiguous_lists_full_names_and_the_part_understood(table):
    result = table.resolve("江苏鼓楼区")
    assert result.candidates == (("320106", "江苏省南京市鼓楼区"), ("320302", "江苏省徐州市鼓楼区"))
    assert result.understood == ("320000", "江苏省")


UNKNOWN_COUNTY_CASES = [
    ("深圳市南湾区", "440300", "广东省深圳市没有南湾区"),
    ("吉安市大安县", "360800", "江西省吉安市没有大安县"),
    ("深圳市东阳市", "440300", "广东省深圳市没有东阳市"),
    ("广东省南湾区", "440000", "广东省没有南湾区"),
    ("海南省共和县", "460000", "海南省没有共和县"),
    ("广东省高新区", "440000", "高新区不是行政区划，只识别到广东省"),
]


@pytest.mark.parametrize(
    ("text", "understood", "note"), UNKNOWN_COUNTY_CASES, ids=[c[0] for c in UNKNOWN_COUNTY_CASES]
)
def test_unknown_county_under_a_known_place_is_unresolved(table, text, understood, note):
    result = table.resolve(text)
    assert (result.status, result.code, result.candidates) == ("unresolved", None, ())
    assert result.understood == (understood, table.division(understood).full_name)
    assert result.note == note


ZONE_CASES = [
    ("郑州市郑东新区", "410100", "郑东新区不是行政区划，已按郑州市处理"),
    ("成都市天府新区", "510100", "天府新区不是行政区划，已按成都市处理"),
    ("西安市高新区", "610100", "高新区不是行政区划，已按西安市处理"),
    ("苏州市工业园区", "320500", "工业园区不是行政区划，已按苏州市处理"),
    ("长沙经开区", "430100", "经开区不是行政区划，已按长沙市处理"),
    ("合肥市经济技术开发区", "340100", "经济技术开发区不是行政区划，已按合肥市处理"),
]


@pytest.mark.parametrize(("text", "code", "note"), ZONE_CASES, ids=[c[0] for c in ZONE_CASES])
def test_development_zone_after_a_city_resolves_to_the_city(table, text, code, note):
    result = table.resolve(text)
    assert (result.status, result.code, result.level, result.note) == ("ok", code, "city", note)


PARTIAL_CASES = [
    # Streets that start like a division name are no division.
    ("北京市朝阳门内大街", "110000", "只识别到北京市"),
    ("南京市中山北路", "320100", "只识别到江苏省南京市"),
    ("东莞市松山湖", "441900", "只识别到广东省东莞市"),
    ("深圳市南山镇", "440300", "只识别到广东省深圳市"),
]


@pytest.mark.parametrize(("text", "code", "note"), PARTIAL_CASES, ids=[c[0] for c in PARTIAL_CASES])
def test_text_after_a_city_that_names_no_division_keeps_the_city(table, text, code, note):
    result = table.resolve(text)
    assert (result.status, result.code, result.note) == ("ok", code, note)


NOTHING_CASES = [
    ("", "空白输入"),
    ("   ", "空白输入"),
    ("\t", "空白输入"),
    ("asdf", "未识别到行政区划"),
    ("123", "不是现行的行政区划代码"),
    ("999999", "不是现行的行政区划代码"),
    ("北京路", "未识别到行政区划"),
    ("中山北路", "未识别到行政区划"),
    ("深圳大学", "未识别到行政区划"),
    ("谢岗镇", "乡镇、街道须写明所在的市或县"),
]


@pytest.mark.parametrize(("text", "note"), NOTHING_CASES, ids=[repr(c[0]) for c in NOTHING_CASES])
def test_empty_and_garbage_are_unresolved(table, text, note):
    result = table.resolve(text)
    assert result == resolver.Resolution(input=text, status="unresolved", note=note)


# Short forms are derived by rule from the official names, not listed by hand.

SHORT_FORM_CASES = [
    ("黔西南布依族苗族自治州", CITY, "黔西南"),
    ("凉山彝族自治州", CITY, "凉山"),
    ("大理白族自治州", CITY, "大理"),
    ("湘西土家族苗族自治州", CITY, "湘西"),
    ("延边朝鲜族自治州", CITY, "延边"),
    ("海南藏族自治州", CITY, "海南"),
    ("伊犁哈萨克自治州", CITY, "伊犁"),
    ("克孜勒苏柯尔克孜自治州", CITY, "克孜勒苏"),
    ("大兴安岭地区", CITY, "大兴安岭"),
    ("锡林郭勒盟", CITY, "锡林郭勒"),
    ("宁蒗彝族自治县", COUNTY, "宁蒗"),
    ("龙胜各族自治县", COUNTY, "龙胜"),
    ("积石山保安族东乡族撒拉族自治县", COUNTY, "积石山"),
    ("东乡族自治县", COUNTY, "东乡"),
    ("鄂伦春自治旗", COUNTY, "鄂伦春"),
    ("内蒙古自治区", PROVINCE, "内蒙古"),
    ("广西壮族自治区", PROVINCE, "广西"),
    ("新疆维吾尔自治区", PROVINCE, "新疆"),
    ("黑龙江省", PROVINCE, "黑龙江"),
]


@pytest.mark.parametrize(("name", "suffixes", "stem"), SHORT_FORM_CASES)
def test_short_form_is_derived_from_the_official_name(name, suffixes, stem):
    assert resolver.short_form(name, suffixes)[0] == stem


def test_every_autonomous_unit_is_found_by_its_derived_short_form(table):
    autonomous = [d for d in table.divisions.values() if "自治" in d.name]
    assert len(autonomous) > 100
    for record in autonomous:
        stem = resolver.short_form(record.name, resolver.LEVEL_SUFFIXES[record.level])[0]
        assert "族" not in stem, record.name
        assert record.name.startswith(stem), record.name
        # The short form with the level word, e.g. 黔西南州, 宁蒗县, 广西自治区.
        word = {"province": "自治区", "city": "州", "county": record.name[-1]}[record.level]
        # Inside its parent: a bare short form may also be some other place's
        # former name (东乡县 was also 抚州's until 2016).
        parent = table.division(record.parent_code)
        result = table.resolve((parent.full_name if parent else "") + stem + word)
        assert (result.status, result.code) == ("ok", record.code), record.name


def test_every_division_resolves_by_its_full_name_or_code(table):
    for record in table.divisions.values():
        assert table.resolve(record.full_name).code == record.code, record.full_name
        assert table.resolve(record.code).code == record.code, record.code


# Lookups.


def test_division_lookup():
    record = resolver.division("110105")
    assert (record.code, record.name, record.full_name, record.level, record.parent_code) == (
        "110105",
        "朝阳区",
        "北京市朝阳区",
        "county",
        "110000",
    )
    lng, lat = record.point
    assert 116 < lng < 117 and 39.5 < lat < 40.5
    assert resolver.division("451023") is None  # historical codes are not current divisions


def test_township_lookup_names_its_county_level_parent():
    record = resolver.division("469028105")
    assert (record.full_name, record.level, record.parent_code) == (
        "海南省陵水黎族自治县文罗镇",
        "township",
        "469028",
    )
    assert record.point is not None


def test_children():
    assert "441900108" in [d.code for d in resolver.children("441900")]
    assert all(d.level == "township" for d in resolver.children("441900"))
    provinces = resolver.children(None)
    assert {"110000", "460000", "650000"} <= {d.code for d in provinces}
    assert all(d.level == "province" for d in provinces)
    assert [d.code for d in resolver.children("460000")][:2] == ["460100", "460200"]


def test_to_json_has_the_contract_keys(table):
    data = table.resolve("朝阳区").to_json()
    assert data == {
        "input": "朝阳区",
        "status": "ambiguous",
        "code": None,
        "level": None,
        "name": None,
        "point": None,
        "candidates": [
            {"code": "110105", "name": "北京市朝阳区"},
            {"code": "220104", "name": "吉林省长春市朝阳区"},
        ],
        "understood": None,
        "note": "“朝阳区”可指2个地方，请写明上级地名",
    }


# The command line: `baoxiu areas resolve`, one JSON object per input line.

CLI_INPUT = "北京市朝阳区\n\n鼓楼区\n深圳市南湾区\r\n吉安市庐陵新区"


def _check_cli_output(output: str) -> None:
    lines = output.splitlines()
    assert len(lines) == 5
    docs = [json.loads(line) for line in lines]
    assert [(d["input"], d["status"], d["code"], d["level"]) for d in docs] == [
        ("北京市朝阳区", "ok", "110105", "county"),
        ("", "unresolved", None, None),
        ("鼓楼区", "ambiguous", None, None),
        ("深圳市南湾区", "unresolved", None, None),
        ("吉安市庐陵新区", "ok", "360800", "city"),
    ]
    assert docs[0]["name"] == "北京市朝阳区"
    assert [c["code"] for c in docs[2]["candidates"]] == ["320106", "320302", "350102", "410204"]
    assert docs[3]["understood"] == {"code": "440300", "name": "广东省深圳市"}
    assert all(
        {"input", "status", "code", "level", "name", "candidates"} <= doc.keys() for doc in docs
    )
    assert "北京市" in lines[0]  # UTF-8, not \\u escapes


def test_resolve_stream_writes_one_json_line_per_input_line(table):
    out = io.StringIO()
    assert resolve_stream(io.StringIO(CLI_INPUT), out, table) == 5
    _check_cli_output(out.getvalue())


def test_areas_resolve_command():
    out = io.StringIO()
    call_command("areas", "resolve", stdin=io.StringIO(CLI_INPUT), stdout=out)
    _check_cli_output(out.getvalue())
