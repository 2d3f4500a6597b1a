"""Free text → administrative division, without guessing.

``resolve("广东省深圳市南山区")`` answers with one of three statuses:

- ``ok``: exactly one division fits (code, level, full name, point);
- ``ambiguous``: several divisions fit equally well, all listed as candidates;
- ``unresolved``: no division fits, with the part that was understood (often
  the city) when there is one.

The table is read from ``data/divisions.tsv`` and ``data/history.tsv`` beside
this module once per process and kept in memory; no database is involved, so
the API, the pages, the import and the command line all share this one
function.

How a string is read: after normalising (NFKC, so full-width forms become
half-width), the text is scanned from the left. At each position every name
in the index that starts there is tried (a dict lookup per candidate length,
the lengths taken from the first character), and each match must be
consistent with the divisions already read: it must lie inside one of them.
Of all readings, the one that covers the most text wins. The scan stops at
the first text that is no division, so a street address after the county
("西湖区文三路90号") is left alone rather than searched for stray names.

The index holds official names, historical names (``history.tsv``) and
short forms derived from the official names by rule: the level word is
dropped (深圳市 → 深圳, 大兴安岭地区 → 大兴安岭, 兴安盟 → 兴安), and for
autonomous units the ethnic groups as well (黔西南布依族苗族自治州 → 黔西南 and
黔西南州, 宁蒗彝族自治县 → 宁蒗县 and 宁蒗, 广西壮族自治区 → 广西). A short form
without its level word is a weaker match: it only counts where it is not the
start of a street or landmark name (北京路, 中山大学) or of another level
(南山镇 is not 南山区), and a county's short form at the very start must be
followed by nothing or by another division. Townships count only inside a
division named before them (东莞市谢岗镇, 陵水文罗镇).

A bare province short form means the province (海南, 吉林, 河南), unless the
following name shows otherwise: 海南共和县 is 共和县 in 海南藏族自治州, because
共和县 does not lie in 海南省.
"""

from __future__ import annotations

import gc
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
# Lets tests and benchmarks point at another build of the table.
DATA_DIR_ENV = "BAOXIU_AREAS_DATA_DIR"

OK, AMBIGUOUS, UNRESOLVED = "ok", "ambiguous", "unresolved"
PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"

# The 55 minority groups as they appear in autonomous units' names, plus 各
# (龙胜各族自治县). Multi-character names may appear without 族 (伊犁哈萨克自治州).
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_SUFFIXES = sorted(
    {g + "族" for g in ETHNIC_GROUPS} | {g for g in ETHNIC_GROUPS if len(g) >= 2},
    key=len,
    reverse=True,
)

# Level words, longest first, stripped to get a unit's short form.
_PROVINCE_SUFFIXES = ("自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "市", "县", "区", "旗")
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")
LEVEL_SUFFIXES = {
    PROVINCE: _PROVINCE_SUFFIXES,
    CITY: _CITY_SUFFIXES,
    COUNTY: _COUNTY_SUFFIXES,
    TOWNSHIP: _TOWNSHIP_SUFFIXES,
}

# Skipped between names, and before the first one.
_SEPARATORS = frozenset(" \t\r\n,，、;；/\\|-—_·.。:：()（）[]【】<>《》\"'“”‘’")
_LEADING_WORDS = ("中华人民共和国", "中国")
# Words some lists put between names (NBS tables): they name no division of their own.
_FILLERS = ("省直辖县级行政区划", "自治区直辖县级行政区划", "直辖县级行政区划", "市辖区")
_FILLER_STARTS = frozenset(filler[0] for filler in _FILLERS)

# A short form followed by these is the start of a street or landmark name (北京路,
# 中山北路, 朝阳门, 深圳大学), not a division.
_STREET_CHARS = frozenset("路街道巷弄胡门桥站号")
# A short form followed by a level word it does not carry names something else (南山镇 ≠ 南山区).
_LEVEL_CHARS = frozenset("省市区县旗州盟镇乡村")
_LANDMARK_WORDS = frozenset(
    "大学 学院 大厦 广场 公园 机场 医院 中学 小学 大桥 车站 火车 码头 商场 花园 大道 大街".split()
)

# Text after a city naming a zone that is no division: resolve to the city, say so.
_ZONE_SUFFIXES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "工业园区",
    "开发区",
    "高新区",
    "经开区",
    "示范区",
    "试验区",
    "实验区",
    "保税区",
    "度假区",
    "管理区",
    "合作区",
    "经济区",
    "自贸区",
    "商务区",
    "旅游区",
    "风景区",
    "产业园",
    "物流园",
    "软件园",
    "科技城",
    "新区",
    "园区",
    "新城",
    "片区",
)
# Text after a city or province ending like this names a county that does not exist.
_COUNTY_LIKE_SUFFIXES = ("区", "县", "市", "旗")
_NOT_COUNTY_ENDINGS = (
    "小区",
    "社区",
    "校区",
    "景区",
    "街区",
    "厂区",
    "营区",
    "超市",
    "门市",
    "城市",
)
_MAX_UNKNOWN_NAME = 9


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    full_name: str
    level: str
    parent_code: str | None
    point: tuple[float, float] | None
    point_source: str = ""


@dataclass(frozen=True, slots=True)
class Resolution:
    input: str
    status: str
    code: str | None = None
    level: str | None = None
    name: str | None = None
    point: tuple[float, float] | None = None
    candidates: tuple[tuple[str, str], ...] = ()
    understood: tuple[str, str] | None = None
    note: str = ""

    def to_json(self) -> dict:
        return {
            "input": self.input,
            "status": self.status,
            "code": self.code,
            "level": self.level,
            "name": self.name,
            "point": list(self.point) if self.point else None,
            "candidates": [{"code": code, "name": name} for code, name in self.candidates],
            "understood": (
                {"code": self.understood[0], "name": self.understood[1]}
                if self.understood
                else None
            ),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True, eq=False)  # interned: identity is equality
class _Entry:
    """One division a name can stand for."""

    code: str
    # The code and its ancestors' codes: the divisions this one lies in or restates.
    lineage: tuple[str, ...]
    # A short form without its level word (深圳, 宁蒗): accepted only where it
    # cannot be the start of some other word.
    bare: bool
    # A county's bare short form that comes first must be followed by another
    # division or by nothing (中山北路 is a street, 西湖文三路 is no address).
    strict_first: bool
    # A township counts only inside a division already named: the table lists
    # the townships of a few places only, and township names repeat everywhere.
    township: bool
    # Where one name fits several divisions equally, the stronger readings win:
    # an official name (2) over a short form (1) over a township's short form (0),
    # so 临汾市古县 is the county 古县, not 古县乡, and 杭州西湖 is 西湖区, not 西湖街道.
    strength: int
    # For a historical name: the note that explains the change.
    history_note: str = ""


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    entries: tuple[_Entry, ...]


def short_form(name: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
    """``(stem, suffix)`` of an official name, ethnic groups removed from autonomous names.

    >>> short_form("黔西南布依族苗族自治州", LEVEL_SUFFIXES[CITY])
    ('黔西南', '自治州')
    >>> short_form("曹县", LEVEL_SUFFIXES[COUNTY]) is None  # a one-character stem says too little
    True
    """
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = _strip_ethnic(stem)
            return (stem, suffix) if len(stem) >= 2 else None
    return None


def _strip_ethnic(stem: str) -> str:
    while True:
        for suffix in _ETHNIC_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
                stem = stem[: -len(suffix)]
                break
        else:
            break
    # 东乡族自治县, 鄂温克族自治旗: the group is the name itself.
    if stem.endswith("族") and len(stem) > 2:
        stem = stem[:-1]
    return stem


def name_forms(name: str, level: str) -> list[tuple[str, bool]]:
    """Every way of writing a division's name: ``(form, bare)`` pairs, official name first."""
    forms = [(name, False)]
    if level == PROVINCE:
        split = short_form(name, _PROVINCE_SUFFIXES)
        if split:
            stem, suffix = split
            forms.append((stem, True))
            if suffix == "自治区":
                forms.append((stem + "自治区", False))
    elif level == CITY:
        split = short_form(name, _CITY_SUFFIXES)
        if split:
            stem, suffix = split
            forms.append((stem, True))
            if suffix == "自治州":
                forms += [(stem + "州", False), (stem + "自治州", False)]
    elif level == COUNTY:
        split = short_form(name, _COUNTY_SUFFIXES)
        if split:
            stem, suffix = split
            forms.append((stem, True))
            if suffix.startswith("自治"):
                word = suffix[-1]  # 县 or 旗
                forms += [(stem + word, False), (stem + suffix, False)]
    elif level == TOWNSHIP:
        split = short_form(name, _TOWNSHIP_SUFFIXES)
        if split:
            stem, suffix = split
            forms.append((stem, True))
            if suffix == "街道":
                forms += [(stem + "街道办事处", False), (stem + "街道办", False)]
    return list(dict.fromkeys(forms))


def level_of_code(code: str) -> str:
    if len(code) == 9:
        return TOWNSHIP
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


_LEVEL_ORDER = {PROVINCE: 0, CITY: 1, COUNTY: 2, TOWNSHIP: 3}
_MANY_ENTRIES = 8


class AreaTable:
    """The division table and its name index, built once and then only read."""

    def __init__(self, divisions: dict[str, Division], history: list[dict[str, str]]):
        self.divisions = divisions
        children: dict[str | None, list[str]] = {}
        for code, record in divisions.items():
            children.setdefault(record.parent_code, []).append(code)
        self._children = {parent: tuple(sorted(codes)) for parent, codes in children.items()}
        # Every division's ancestors, nearest first (at most three codes).
        self._ancestors: dict[str, tuple[str, ...]] = {}
        for code in sorted(divisions, key=lambda c: _LEVEL_ORDER[divisions[c].level]):
            parent = divisions[code].parent_code
            self._ancestors[code] = (parent, *self._ancestors[parent]) if parent else ()
        self._index: dict[str, list[_Entry]] = {}
        self._entries: dict[tuple, _Entry] = {}
        for record in divisions.values():
            for form, bare in name_forms(record.name, record.level):
                self._add(form, self._entry(record.code, record.level, bare))
        self.history_codes: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._add_history(history)
        self.names = {key: _best_entries(entries) for key, entries in self._index.items()}
        del self._index, self._entries
        # Names shared by many divisions (朝阳, 城关 with every township listed): their
        # entries by containing division, so that reading inside a known place does
        # not test them one by one.
        self._inside: dict[str, dict[str, tuple[_Entry, ...]]] = {}
        for key, entries in self.names.items():
            if len(entries) > _MANY_ENTRIES:
                inside: dict[str, list[_Entry]] = {}
                for entry in entries:
                    for code in entry.lineage:
                        inside.setdefault(code, []).append(entry)
                self._inside[key] = {code: tuple(found) for code, found in inside.items()}
        lengths: dict[str, set[int]] = {}
        for key in self.names:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {char: tuple(sorted(ls, reverse=True)) for char, ls in lengths.items()}

    @classmethod
    def load(cls, data_dir: Path | str | None = None) -> AreaTable:
        # The load allocates many small objects that all live on: the cyclic
        # garbage collector would scan them again and again for nothing.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._load(Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR))
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def _load(cls, data_dir: Path) -> AreaTable:
        column, rows = _read_tsv(data_dir / "divisions.tsv")
        history_path = data_dir / "history.tsv"
        history: list[dict[str, str]] = []
        if history_path.exists():
            history_column, history_rows = _read_tsv(history_path)
            history = [{name: row[i] for name, i in history_column.items()} for row in history_rows]
        code_, parent_, level_, name_ = (
            column[k] for k in ("code", "parent_code", "level", "name")
        )
        lng_, lat_, source_ = (column.get(k) for k in ("lng", "lat", "point_source"))
        rows.sort(key=lambda row: _LEVEL_ORDER[row[level_]])  # parents before children
        divisions: dict[str, Division] = {}
        for row in rows:
            code, parent_code, name = row[code_], row[parent_] or None, row[name_]
            lng = row[lng_] if lng_ is not None else ""
            lat = row[lat_] if lat_ is not None else ""
            divisions[code] = Division(
                code=code,
                name=name,
                full_name=divisions[parent_code].full_name + name if parent_code else name,
                level=row[level_],
                parent_code=parent_code,
                point=(float(lng), float(lat)) if lng and lat else None,
                point_source=row[source_] if source_ is not None else "",
            )
        del rows
        return cls(dict(sorted(divisions.items())), history)

    def _entry(self, code: str, level: str, bare: bool, note: str = "") -> _Entry:
        key = (code, level, bare, note)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(
                code=code,
                lineage=(code, *self._ancestors[code]),
                bare=bare,
                strict_first=bare and level == COUNTY,
                township=level == TOWNSHIP,
                strength=0 if bare and level == TOWNSHIP else 1 if bare else 2,
                history_note=note,
            )
        return entry

    def _add(self, key: str, entry: _Entry) -> None:
        entries = self._index.get(key)
        if entries is None:
            self._index[key] = [entry]
        elif entry not in entries:
            entries.append(entry)

    def _add_history(self, rows: list[dict[str, str]]) -> None:
        successors: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            old_code, new_code = row["old_code"].strip(), row["new_code"].strip()
            if new_code in self.divisions:
                successors.setdefault((old_code, row["old_name"].strip()), []).append(new_code)
        for (old_code, old_name), new_codes in successors.items():
            new_codes = sorted(set(new_codes))
            if old_code not in self.divisions:
                self.history_codes[old_code] = (old_name, tuple(new_codes))
            for new_code in new_codes:
                new = self.divisions[new_code]
                note = _history_note(old_code, old_name, new_codes, new)
                for form, bare in name_forms(old_name, level_of_code(old_code)):
                    self._add(form, self._entry(new_code, new.level, bare, note))

    # Lookups.

    def division(self, code: str) -> Division | None:
        return self.divisions.get(code)

    def children(self, code: str | None) -> list[Division]:
        return [self.divisions[c] for c in self._children.get(code, ())]

    def is_inside(self, code: str, container: str) -> bool:
        return container in self._ancestors[code]

    # Resolving.

    def resolve(self, text: str) -> Resolution:
        original = text
        text = unicodedata.normalize("NFKC", text or "").strip()
        if not text:
            return Resolution(input=original, status=UNRESOLVED, note="空白输入")
        if text.isdigit():
            return self._resolve_code(original, text)
        pos = self._skip_leading(text)
        tokens = self._read(text, pos, None)[1]
        if not tokens:
            note = "未识别到行政区划"
            if self._township_at(text, pos):
                note = "乡镇、街道须写明所在的市或县"
            return Resolution(input=original, status=UNRESOLVED, note=note)
        return self._conclude(original, text, tokens)

    def _township_at(self, text: str, pos: int) -> bool:
        for length in self._lengths.get(text[pos], ()) if pos < len(text) else ():
            entries = self.names.get(text[pos : pos + length], ())
            if any(e.township and not e.bare for e in entries):
                return True
        return False

    def _resolve_code(self, original: str, digits: str) -> Resolution:
        code = digits
        if len(code) == 12:  # statistical codes pad the GB/T 2260 code with zeros
            code = code[:6] if code.endswith("000000") else code[:9]
        if code in self.divisions:
            return self._ok(original, code)
        if code in self.history_codes:
            old_name, new_codes = self.history_codes[code]
            new = self.divisions[new_codes[0]]
            note = f"{code}是{old_name}的旧代码，" + _history_note(code, old_name, new_codes, new)
            if len(new_codes) == 1:
                return self._ok(original, new.code, note=note)
            return self._ambiguous(original, new_codes, note=note)
        return Resolution(input=original, status=UNRESOLVED, note="不是现行的行政区划代码")

    def _skip_leading(self, text: str) -> int:
        pos = self._skip(text, 0)
        if pos < len(text) and text[pos].isdigit():  # a list number: "3. 北京市朝阳区", "3、…"
            end = pos
            while end < len(text) and text[end].isdigit():
                end += 1
            if end < len(text) and text[end] in ".、)）":
                pos = self._skip(text, end + 1)
        for word in _LEADING_WORDS:
            if text.startswith(word, pos):
                return self._skip(text, pos + len(word))
        return pos

    def _skip(self, text: str, pos: int) -> int:
        n = len(text)
        while pos < n:
            char = text[pos]
            if char in _SEPARATORS:
                pos += 1
                continue
            if char in _FILLER_STARTS:
                for filler in _FILLERS:
                    if text.startswith(filler, pos):
                        pos += len(filler)
                        break
                else:
                    return pos
                continue
            return pos
        return pos

    def _read(
        self, text: str, pos: int, context: frozenset[str] | None
    ) -> tuple[int, tuple[_Token, ...]]:
        """The reading of ``text[pos:]`` that covers the most text: ``(end, tokens)``.

        ``context`` holds the divisions the previous name may stand for; every
        name read here must lie inside one of them (or restate one).
        """
        best_end, best_tokens = pos, ()
        n = len(text)
        if pos >= n:
            return best_end, best_tokens
        lengths = self._lengths.get(text[pos])
        if not lengths:
            return best_end, best_tokens
        names = self.names
        for length in lengths:
            end = pos + length
            if end > n:
                continue
            key = text[pos:end]
            entries = names.get(key)
            if entries is None:
                continue
            if context is None:
                entries = tuple(e for e in entries if not e.township)
            elif len(entries) > _MANY_ENTRIES:
                inside = self._inside[key]
                found = [e for code in context for e in inside.get(code, ())]
                entries = tuple(dict.fromkeys(found)) if len(context) > 1 else tuple(found)
            else:
                entries = tuple(e for e in entries if not context.isdisjoint(e.lineage))
            if not entries:
                continue
            next_pos = self._skip(text, end) if end < n else n
            if next_pos < n:
                follow_end, follow = self._read(text, next_pos, frozenset(e.code for e in entries))
            else:
                follow = ()
            if not follow:  # else another division follows, which vouches for a short form
                entries = self._accept_last(text, end, next_pos, entries, context is None)
                follow_end = end
            if not entries:
                continue
            tokens = (_Token(pos, end, entries), *follow)
            if follow_end > best_end or (
                follow_end == best_end and best_tokens and len(tokens) < len(best_tokens)
            ):
                best_end, best_tokens = follow_end, tokens
        return best_end, best_tokens

    def _accept_last(
        self, text: str, end: int, next_pos: int, entries: tuple[_Entry, ...], first: bool
    ) -> tuple[_Entry, ...]:
        """The entries a name may stand for when no other division follows it."""
        if next_pos >= len(text) or next_pos > end:  # end of text, or a separator
            return entries
        after = text[end : end + 2]
        street = (
            after[0] in _LEVEL_CHARS
            or after in _LANDMARK_WORDS
            or any(char in _STREET_CHARS for char in after)
        )
        return tuple(
            e
            for e in entries
            if not e.bare or not (street or e.township or (first and e.strict_first))
        )

    def _conclude(self, original: str, text: str, tokens: tuple[_Token, ...]) -> Resolution:
        last = tokens[-1]
        strongest = max(e.strength for e in last.entries)
        entries = [e for e in last.entries if e.strength == strongest]
        current = {e.code for e in entries if not e.history_note}
        # A former name of something inside a current division of that name gives
        # way to it: 哈密市 is the prefecture today, not the former county-level
        # 哈密市 (now 伊州区 inside it). 江北区 stays ambiguous (宁波 today, 重庆 until 2025).
        codes = sorted(
            {e.code for e in entries if not e.history_note or current.isdisjoint(e.lineage)}
        )
        if len(codes) > 1:
            provinces = [c for c in codes if self.divisions[c].level == PROVINCE]
            # 海南, 吉林, 河南 alone: the province (海南州, 吉林市 say so when they mean otherwise).
            if len(provinces) == 1:
                codes = provinces
        if len(codes) > 1:
            split = {e.history_note for e in entries if e.code in codes}
            note = f"“{text[last.start : last.end]}”可指{len(codes)}个地方，请写明上级地名"
            return self._ambiguous(
                original,
                codes,
                understood=self._common_ancestor(codes, tokens[:-1]),
                # One former unit split between these successors (杭州市江干区): say so.
                note=split.pop() if len(split) == 1 and "" not in split else note,
            )
        code = codes[0]
        chosen = self.divisions[code]
        notes = [note for token in tokens if (note := self._history_note_on(token, code))]
        rest = text[self._skip(text, last.end) :]
        if rest and chosen.level in (PROVINCE, CITY):
            zone, county_like = _unknown_name(rest)
            if zone and chosen.level == CITY:
                notes.append(f"{zone}不是行政区划，已按{chosen.name}处理")
            elif zone or county_like:
                return Resolution(
                    input=original,
                    status=UNRESOLVED,
                    understood=self._pair(code),
                    note=(
                        f"{zone}不是行政区划，只识别到{chosen.full_name}"
                        if zone
                        else f"{chosen.full_name}没有{county_like}"
                    ),
                )
            else:
                notes.append(f"只识别到{chosen.full_name}")
        return self._ok(original, code, note="；".join(dict.fromkeys(notes)))

    def _history_note_on(self, token: _Token, code: str) -> str:
        """The note for a name read as a former name on the way to ``code``, if it was one."""
        on_path = [e for e in token.entries if e.code == code or self.is_inside(code, e.code)]
        if any(not e.history_note for e in on_path):
            return ""  # a current name fits as well (新疆哈密市伊州区)
        return on_path[0].history_note if on_path else ""

    def _common_ancestor(
        self, codes: list[str], earlier: tuple[_Token, ...]
    ) -> tuple[str, str] | None:
        """The deepest division named earlier that contains all ``codes`` (山西城区 → 山西省)."""
        common = set(self._ancestors[codes[0]]).intersection(*(self._ancestors[c] for c in codes))
        named = {e.code for t in earlier for e in t.entries} & common
        if not named:
            return None
        return self._pair(max(named, key=lambda c: len(self._ancestors[c])))

    def _pair(self, code: str) -> tuple[str, str]:
        return code, self.divisions[code].full_name

    def _ok(self, original: str, code: str, note: str = "") -> Resolution:
        record = self.divisions[code]
        return Resolution(
            input=original,
            status=OK,
            code=code,
            level=record.level,
            name=record.full_name,
            point=record.point,
            note=note,
        )

    def _ambiguous(
        self,
        original: str,
        codes,
        understood: tuple[str, str] | None = None,
        note: str = "",
    ) -> Resolution:
        return Resolution(
            input=original,
            status=AMBIGUOUS,
            candidates=tuple(self._pair(c) for c in sorted(codes)),
            understood=understood,
            note=note,
        )


def _best_entries(entries: list[_Entry]) -> tuple[_Entry, ...]:
    """One entry per division: a current name beats a historical one, a full form a bare one."""
    if len(entries) == 1:
        return (entries[0],)
    best: dict[str, _Entry] = {}
    for entry in entries:
        known = best.get(entry.code)
        if known is None or (known.history_note, known.bare) > (entry.history_note, entry.bare):
            best[entry.code] = entry
    return tuple(best.values())


def _history_note(old_code: str, old_name: str, new_codes: list[str], new: Division) -> str:
    if new.code == old_code:
        return f"{old_name}已更名为{new.name}"
    if len(new_codes) > 1:
        return f"{old_name}已分设，请在候选中选择"
    old_split = short_form(old_name, LEVEL_SUFFIXES[level_of_code(old_code)])
    same_place = new.name.startswith(old_split[0] if old_split else old_name[:-1])
    # 平果县 → 平果市, 滦县 → 滦州市: the same place with a new status. 江北区 → 两江新区: merged.
    return f"{old_name}已{'改为' if same_place else '并入'}{new.name}"


def _unknown_name(rest: str) -> tuple[str, str]:
    """``(zone, county_like)``: the unknown name at the start of ``rest``, if it is one.

    A zone (庐陵新区, 高新区) is no division. A county-like name (南湾区) would
    be one if it existed. A street (深南大道) or anything else is neither.
    """
    for end in range(2, min(len(rest), _MAX_UNKNOWN_NAME) + 1):
        char = rest[end - 1]
        if not _is_cjk(char) or char in _STREET_CHARS:
            break
        head = rest[:end]
        for suffix in _ZONE_SUFFIXES:
            # 高新区 and 经开区 name a zone on their own; 新区 and 园区 need a name in front.
            if head.endswith(suffix) and len(head) > min(len(suffix), 2):
                return head, ""
        if head.endswith(_COUNTY_LIKE_SUFFIXES) and not head.endswith(_NOT_COUNTY_ENDINGS):
            return "", head
    return "", ""


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _read_tsv(path: Path) -> tuple[dict[str, int], list[list[str]]]:
    """``({column name: index}, rows)`` of a tab-separated file without quoting.

    Rows stay lists: far lighter than one dict per row, and much faster than
    the csv module for this plain format.
    """
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
        width = len(header)
        rows = []
        for line in handle:
            if line.strip():
                row = line.rstrip("\r\n").split("\t")
                rows.append(row + [""] * (width - len(row)) if len(row) < width else row)
    return {name: i for i, name in enumerate(header)}, rows


_tables: dict[str, AreaTable] = {}
_tables_lock = threading.Lock()


def get_table(data_dir: Path | str | None = None) -> AreaTable:
    """The table for ``data_dir`` (default: ``data/`` beside this module), loaded once."""
    key = str(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
    table = _tables.get(key)
    if table is None:
        with _tables_lock:
            table = _tables.get(key)
            if table is None:
                table = _tables[key] = AreaTable.load(key)
    return table


def resolve(text: str) -> Resolution:
    """Resolve free text to a division: ``ok``, ``ambiguous`` or ``unresolved``."""
    return get_table().resolve(text)


def division(code: str) -> Division | None:
    """The current division with this code, or None."""
    return get_table().division(code)


def children(code: str | None) -> list[Division]:
    """The divisions directly under ``code`` (the provinces for None), by code."""
    return get_table().children(code)
