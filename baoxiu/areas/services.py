"""Writes for areas: the division table and outlets' coverage."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from baoxiu.areas import resolver
from baoxiu.areas.models import Coverage, CoverageImport, Division
from baoxiu.core.errors import ValidationFailed

MAX_IMPORT_LINES = 5000


def _degrees(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.6f}")


def divisions_sync(*, data_dir: Path | str | None = None, using: str = "default") -> int:
    """Bring the Division table in line with the committed division table.

    Reads the resolver's table (the same file, already parsed, with full
    names), so the database and the resolver can never disagree.
    Idempotent: existing rows are updated in place, new ones added. Rows no
    longer in the file are kept (coverage and addresses may point at them).
    Returns the number of divisions in the table.
    """
    table = resolver.get_table(data_dir)
    divisions = [
        Division(
            code=record.code,
            parent_id=record.parent_code or None,
            level=record.level,
            name=record.name,
            full_name=record.full_name,
            longitude=_degrees(record.point[0] if record.point else None),
            latitude=_degrees(record.point[1] if record.point else None),
            point_source=record.point_source,
        )
        for record in table.divisions.values()
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
    """Sync unless the table already holds as many divisions as the file; returns rows written."""
    if Division.objects.using(using).count() == len(resolver.get_table().divisions):
        return 0
    return divisions_sync(using=using)


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
