"""Reads for areas: divisions, coverage, and "do we serve this address?"."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from baoxiu.areas import resolver
from baoxiu.areas.choices import DivisionLevel, ServiceAnswer
from baoxiu.areas.models import Coverage, Division


def division_ancestry(code: str) -> list[str]:
    """``code`` and the codes of every division above it, nearest first."""
    codes = []
    current = resolver.division(code)
    while current is not None:
        codes.append(current.code)
        current = resolver.division(current.parent_code) if current.parent_code else None
    return codes


def descendant_prefix(code: str, level: str) -> str:
    """The code prefix shared by every division inside this one."""
    if level == DivisionLevel.PROVINCE:
        return code[:2]
    if level == DivisionLevel.CITY:
        return code[:4]
    return code


@dataclass(frozen=True)
class ServiceCheck:
    resolution: resolver.Resolution
    answer: str
    coverages: list[Coverage] = field(default_factory=list)

    @property
    def emergency_available(self) -> bool:
        return any(c.emergency_available for c in self.coverages)

    @property
    def response_hours(self) -> int | None:
        return min((c.response_hours for c in self.coverages), default=None)

    @property
    def outlets(self) -> list:
        seen, outlets = set(), []
        for coverage in self.coverages:
            if coverage.outlet_id not in seen:
                seen.add(coverage.outlet_id)
                outlets.append(coverage.outlet)
        return outlets


def service_check(text: str) -> ServiceCheck:
    """Whether the network serves the address in ``text``, by whom and how fast.

    Coverage of a division covers everything inside it. An address known only
    to a city where some of its districts are served needs more detail.
    """
    resolution = resolver.resolve(text)
    if resolution.status != "ok":
        return ServiceCheck(resolution, ServiceAnswer.NEED_DETAIL)
    coverages = coverages_for_division(resolution.code)
    if coverages:
        return ServiceCheck(resolution, ServiceAnswer.SERVED, coverages)
    if resolution.level in (DivisionLevel.PROVINCE, DivisionLevel.CITY):
        prefix = descendant_prefix(resolution.code, resolution.level)
        if Coverage.objects.filter(division__code__startswith=prefix, outlet__active=True).exists():
            return ServiceCheck(resolution, ServiceAnswer.NEED_DETAIL)
    return ServiceCheck(resolution, ServiceAnswer.NOT_SERVED)


def coverages_for_division(code: str) -> list[Coverage]:
    """Active outlets' coverage that applies to the division (on it or on any division above)."""
    return list(
        Coverage.objects.filter(division_id__in=division_ancestry(code), outlet__active=True)
        .select_related("outlet", "division")
        .order_by("response_hours", "outlet__code")
    )


def ticket_in_service_area(ticket) -> bool:
    """Whether some active outlet covers the division the ticket's address was placed on."""
    code = ticket.address.division_id
    return code is not None and bool(coverages_for_division(code))


def division_children(code: str | None) -> QuerySet[Division]:
    qs = Division.objects.filter(parent_id=code) if code else Division.objects.filter(parent=None)
    return qs.annotate(child_count=Count("children")).order_by("code")


def coverage_report() -> QuerySet[Division]:
    """Every division some outlet covers, with its outlets and active technicians counted."""
    active = Q(coverages__outlet__active=True)
    return (
        Division.objects.filter(coverages__isnull=False)
        .annotate(
            outlet_count=Count("coverages__outlet", filter=active, distinct=True),
            technician_count=Count(
                "coverages__outlet__technicians",
                filter=active & Q(coverages__outlet__technicians__active=True),
                distinct=True,
            ),
            emergency_outlets=Count(
                "coverages__outlet",
                filter=active & Q(coverages__emergency_available=True),
                distinct=True,
            ),
        )
        .order_by("technician_count", "code")
    )


@dataclass(frozen=True)
class Placement:
    """Where an address lies, as far as the resolver can tell without guessing."""

    status: str  # ok | ambiguous | unresolved
    code: str | None = None
    level: str | None = None
    full_name: str = ""
    point: tuple[float, float] | None = None  # (lng, lat)
    candidates: tuple[tuple[str, str], ...] = ()
    note: str = ""

    @property
    def precise(self) -> bool:
        return self.status == "ok" and self.level in (DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP)


def _placement(resolution: resolver.Resolution) -> Placement:
    return Placement(
        status=resolution.status,
        code=resolution.code,
        level=resolution.level,
        full_name=resolution.name or "",
        point=resolution.point,
        candidates=tuple(tuple(c) for c in resolution.candidates),
        note=resolution.note or "",
    )


def address_placement(
    *, address_text: str, area_name: str = "", division_code: str = ""
) -> Placement:
    """Place a customer's address on a division.

    A division the user picked wins (it must exist). Otherwise the address
    is resolved on its own, then with the district field in front of it;
    a county or township beats a city, and an ambiguous reading is reported
    with its candidates rather than guessed.
    """
    if division_code:
        chosen = resolver.division(division_code)
        if chosen is None:
            return Placement(status="unresolved")
        return Placement(
            status="ok",
            code=chosen.code,
            level=chosen.level,
            full_name=chosen.full_name,
            point=chosen.point,
        )
    attempts = [address_text, f"{area_name}{address_text}", area_name]
    results = [_placement(resolver.resolve(text)) for text in attempts if text and text.strip()]
    for placement in results:
        if placement.precise:
            return placement
    for placement in results:
        if placement.status == "ambiguous":
            return placement
    for placement in results:
        if placement.status == "ok":
            return placement
    return results[0] if results else Placement(status="unresolved")
