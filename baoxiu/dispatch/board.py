"""What the dispatcher board shows, read in a fixed number of queries.

The queue is every unassigned ticket ordered by how soon its next promise
falls due (the dispatch clock, then arrival), with the latest suggestion;
beside it the technicians with their state and load, and a plot of both by
coordinates (an SVG drawn from longitude/latitude — no map tiles needed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q

from baoxiu.dispatch.choices import OPEN_CLOCK_STATES, ClockKind
from baoxiu.dispatch.models import DispatchSuggestion, SlaClock
from baoxiu.dispatch.selectors import alerts_open
from baoxiu.tickets.choices import OPEN_STATUSES, UNASSIGNED_STATUSES, TicketStatus
from baoxiu.tickets.selectors import tickets_visible_to
from baoxiu.workforce.models import Technician

QUEUE_LIMIT = 200
ON_THE_WAY_LIMIT = 100
ON_THE_WAY = (TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, TicketStatus.EN_ROUTE)
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 640, 420, 16


@dataclass
class QueueRow:
    ticket: object
    due_at: datetime | None
    due_kind: str
    suggestion: DispatchSuggestion | None

    @property
    def candidates(self) -> list[dict]:
        return self.suggestion.candidates if self.suggestion else []


@dataclass
class TechnicianRow:
    technician: Technician
    state: str  # idle / assigned / en_route / on_site
    open_jobs: int


@dataclass
class MapPoint:
    kind: str  # job / technician
    label: str
    x: float
    y: float
    css: str


@dataclass
class OnTheWayRow:
    ticket: object
    eta: datetime | None
    due_at: datetime | None

    @property
    def late(self) -> bool:
        return bool(self.eta and self.due_at and self.eta > self.due_at)


@dataclass
class Board:
    queue: list[QueueRow]
    technicians: list[TechnicianRow]
    alerts: list
    on_the_way: list[OnTheWayRow] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT


def _queue(user, area: str) -> list[QueueRow]:
    open_clocks = SlaClock.objects.filter(
        state__in=OPEN_CLOCK_STATES, kind__in=[ClockKind.DISPATCH, ClockKind.ARRIVE]
    ).order_by("due_at")
    latest_suggestion = DispatchSuggestion.objects.order_by("-created_at", "-id")
    tickets = list(
        tickets_visible_to(user)
        .filter(status__in=UNASSIGNED_STATUSES, address__area_code__startswith=area)
        .prefetch_related(
            Prefetch("sla_clocks", queryset=open_clocks, to_attr="open_clocks"),
            Prefetch("dispatch_suggestions", queryset=latest_suggestion, to_attr="suggestions"),
        )
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    rows = []
    for ticket in tickets:
        clock = ticket.open_clocks[0] if ticket.open_clocks else None
        rows.append(
            QueueRow(
                ticket=ticket,
                due_at=clock.due_at if clock else None,
                due_kind=ClockKind(clock.kind).label if clock else "",
                suggestion=ticket.suggestions[0] if ticket.suggestions else None,
            )
        )
    far_future = datetime.max.replace(tzinfo=None)
    rows.sort(key=lambda r: r.due_at.replace(tzinfo=None) if r.due_at else far_future)
    return rows


def _on_the_way(user, area: str) -> list[OnTheWayRow]:
    """Tickets a technician holds but has not reached yet, with ETA against the promise."""
    from baoxiu.dispatch.assignment import ticket_etas

    arrive = SlaClock.objects.filter(kind=ClockKind.ARRIVE, state__in=OPEN_CLOCK_STATES)
    tickets = list(
        tickets_visible_to(user)
        .filter(status__in=ON_THE_WAY, address__area_code__startswith=area)
        .prefetch_related(Prefetch("sla_clocks", queryset=arrive, to_attr="arrive_clocks"))
        .order_by("created_at")[:ON_THE_WAY_LIMIT]
    )
    etas = ticket_etas(tickets)
    rows = [
        OnTheWayRow(
            ticket=t,
            eta=etas.get(t.pk),
            due_at=t.arrive_clocks[0].due_at if t.arrive_clocks else None,
        )
        for t in tickets
    ]
    rows.sort(key=lambda r: (not r.late, r.eta or r.ticket.created_at))
    return rows


def _technicians(area: str) -> list[TechnicianRow]:
    busy = {
        TicketStatus.EN_ROUTE: "en_route",
        TicketStatus.ON_SITE: "on_site",
        TicketStatus.IN_PROGRESS: "on_site",
    }
    technicians = (
        Technician.objects.filter(active=True, outlet__area_code__startswith=area)
        .select_related("outlet")
        .annotate(
            open_jobs=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)),
            on_site=Count(
                "tickets",
                filter=Q(tickets__status__in=[TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS]),
            ),
            en_route=Count("tickets", filter=Q(tickets__status=TicketStatus.EN_ROUTE)),
        )
        .order_by("outlet__code", "name")
    )
    rows = []
    for tech in technicians:
        if tech.on_site:
            state = busy[TicketStatus.ON_SITE]
        elif tech.en_route:
            state = busy[TicketStatus.EN_ROUTE]
        elif tech.open_jobs:
            state = "assigned"
        else:
            state = "idle"
        rows.append(TechnicianRow(tech, state, tech.open_jobs))
    return rows


def _project(points: list[tuple[str, str, float, float, str]]) -> list[MapPoint]:
    """Equirectangular projection of (lng, lat) onto the SVG box, scaled to fit."""
    if not points:
        return []
    lngs = [p[2] for p in points]
    lats = [p[3] for p in points]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    span_x = max((max(lngs) - min(lngs)) * math.cos(mid_lat), 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)
    return [
        MapPoint(
            kind=kind,
            label=label,
            x=round(MAP_MARGIN + (lng - min(lngs)) * math.cos(mid_lat) * scale, 1),
            y=round(MAP_HEIGHT - MAP_MARGIN - (lat - min(lats)) * scale, 1),
            css=css,
        )
        for kind, label, lng, lat, css in points
    ]


def board_for(user, *, area: str = "") -> Board:
    """The board, optionally for one area: a division code prefix (``4403`` = 深圳市)."""
    area = "".join(ch for ch in area if ch.isdigit())[:9]
    queue = _queue(user, area)
    technicians = _technicians(area)
    raw = []
    for row in queue:
        address = row.ticket.address
        if address.longitude is not None:
            raw.append(
                (
                    "job",
                    row.ticket.code,
                    float(address.longitude),
                    float(address.latitude),
                    f"job {row.ticket.priority}",
                )
            )
    for row in technicians:
        tech = row.technician
        lng, lat = (
            tech.last_longitude or tech.home_longitude,
            tech.last_latitude or tech.home_latitude,
        )
        raw.append(("technician", tech.name, float(lng), float(lat), f"tech {row.state}"))
    return Board(
        queue=queue,
        technicians=technicians,
        alerts=list(alerts_open()[:50]),
        on_the_way=_on_the_way(user, area),
        points=_project(raw),
    )
