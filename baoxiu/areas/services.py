"""Writes for areas: the division table and outlets' coverage."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from baoxiu.areas import resolver
from baoxiu.areas.models import Coverage, CoverageImport, Division
from baoxiu.core.errors import ValidationFailed

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_IMPORT_LINES = 5000


def _read_divisions(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _full_names(rows: list[dict[str, str]]) -> dict[str, str]:
    by_code = {row["code"]: row for row in rows}
    names: dict[str, str] = {}

    def full(code: str) -> str:
        if code not in names:
            row = by_code[code]
            parent = row["parent_code"]
            names[code] = (full(parent) if parent else "") + row["name"]
        return names[code]

    for code in by_code:
        full(code)
    return names


def divisions_sync(*, path: Path | None = None, using: str = "default") -> int:
    """Bring the Division table in line with the committed division file.

    Idempotent: existing rows are updated in place, new ones added. Rows no
    longer in the file are kept (coverage and addresses may point at them).
    Returns the number of rows in the file.
    """
    rows = _read_divisions(path or DATA_DIR / "divisions.tsv")
    full_names = _full_names(rows)

    def point(value: str) -> Decimal | None:
        return Decimal(value) if value else None

    divisions = [
        Division(
            code=row["code"],
            parent_id=row["parent_code"] or None,
            level=row["level"],
            name=row["name"],
            full_name=full_names[row["code"]],
            longitude=point(row["lng"]),
            latitude=point(row["lat"]),
            point_source=row["point_source"],
        )
        for row in rows
    ]
    # Parents first, so the foreign key is satisfied whatever the backend checks when.
    divisions.sort(key=lambda d: (len(d.code), d.code))
    with transaction.atomic(using=using):
        Division.objects.using(using).bulk_create(
            divisions,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "parent",
                "level",
                "name",
                "full_name",
                "longitude",
                "latitude",
                "point_source",
            ],
        )
    return len(divisions)


def divisions_sync_if_needed(*, using: str = "default") -> int:
    """Sync unless the table already holds exactly the file's codes; returns rows written."""
    path = DATA_DIR / "divisions.tsv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as handle:
        expected = sum(1 for _line in handle) - 1
    if Division.objects.using(using).count() == expected:
        return 0
    return divisions_sync(path=path, using=using)


@dataclass(frozen=True)
class PreviewLine:
    number: int
    input: str
    resolution: resolver.Resolution

    @property
    def candidate_codes(self) -> list[str]:
        return [code for code, _name in self.resolution.candidates]


def coverage_preview(*, text: str) -> list[PreviewLine]:
    """Resolve every non-blank line of a pasted or uploaded service-area list."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationFailed(
            _("一次最多导入 %(n)d 行。") % {"n": MAX_IMPORT_LINES}, code="too_many_lines"
        )
    return [PreviewLine(n, line, resolver.resolve(line)) for n, line in lines]


def coverage_import(
    *,
    outlet,
    text: str,
    choices: dict[int, str] | None = None,
    emergency_available: bool = False,
    response_hours: int = 24,
    actor=None,
    source: str = "",
) -> CoverageImport:
    """Save an outlet's coverage from a service-area list.

    ``choices`` maps a line number to the code picked for an ambiguous line
    (it must be one of that line's candidates). Lines that stay ambiguous or
    unresolved are not saved and are listed in the returned record's
    ``skipped``; nothing is dropped silently. Re-importing a line updates
    the promise on the existing coverage instead of duplicating it.
    """
    if not 1 <= response_hours <= 720:
        raise ValidationFailed(_("响应时限应在 1 到 720 小时之间。"), code="invalid_response_hours")
    choices = choices or {}
    preview = coverage_preview(text=text)
    skipped: list[dict] = []
    chosen: list[tuple[PreviewLine, str]] = []
    for line in preview:
        resolution = line.resolution
        code = None
        if resolution.status == "ok":
            code = resolution.code
        elif resolution.status == "ambiguous" and choices.get(line.number) in line.candidate_codes:
            code = choices[line.number]
        if code is None:
            skipped.append({"line": line.number, "input": line.input, "status": resolution.status})
        else:
            chosen.append((line, code))
    with transaction.atomic():
        for line, code in chosen:
            Coverage.objects.update_or_create(
                outlet=outlet,
                division_id=code,
                defaults={
                    "emergency_available": emergency_available,
                    "response_hours": response_hours,
                    "announced_as": line.input[:100],
                },
            )
        return CoverageImport.objects.create(
            outlet=outlet,
            created_by=actor,
            source=source[:100],
            lines_total=len(preview),
            lines_saved=len(chosen),
            skipped=skipped,
        )
