"""The dispatch simulator's day: what it is made of, how one is generated, the file format.

Imports Django models (through the SLA defaults): set Django up first.

A :class:`Scenario` is one city's working day: technicians (skills, home
point, shifts), requests arriving over time (point, fault, required skills,
duration, priority, time window) and the travel model. Times are seconds
from the start of the day (``start``, a local date and time); a shift may
begin before it (negative seconds) or end after midnight.

The generator's parameters are fixed here, each from a stated assumption
(bench/README.md lists them), and were set before any policy was measured:

- **City.** A 30 × 30 km square centred on Hangzhou's point in the division
  table (杭州市, 330100). Chinese cities are dense in the middle and thin out
  towards the edges, so points are a mixture: a share from a round normal
  "core" (σ = 4 km, redrawn until inside the square) and the rest uniform over
  the square. Customers (60 % core) live more centrally than technicians
  (40 % core): technicians tend to live where rent is lower.
- **Arrivals.** ``REQUESTS_PER_TECHNICIAN_HOUR`` = 1.25, the issue's default
  load (1,500 requests for 100 technicians in 12 hours). Arrival times follow
  ``HOURLY_PROFILE``, relative rates by clock hour: a morning peak as people
  leave home (08–10 h), a midday dip, a higher evening peak as they come home
  and find the lock dead (17–20 h), little at night. The day starts at 08:00.
- **Faults.** ``EMERGENCY_SHARE`` = 15 % of requests are locked-out
  emergencies (电池耗尽/无法开门, the demo catalog's only emergency fault); the
  rest follow the demo catalog's relative frequencies. Durations, required
  skills and priorities are the catalog's own (``baoxiu.demo.data``).
- **Time windows.** From the report to the SLA arrival deadline of the
  request's priority (``DEFAULT_SLA_MINUTES``: emergency 30 min, urgent 4 h,
  normal 24 h).
- **Technicians.** As the demo network is built: outlets of ten; each outlet's
  first technician holds lock-opening and electrical (so every outlet can open
  a locked door) plus fingerprint or lock-body, every other technician 2–4 of
  the six demo skills at random. Work shifts are the demo network's
  (``WORKING_HOURS``: 08:00–17:00, 08:30–18:30, 09:00–21:00, 07:00–19:00).
  ``ON_CALL_SHARE`` = 10 % of technicians — drawn from those who can open a
  locked door — are on the emergency rota from the end of their shift until
  07:00 the next morning. No lunch breaks are simulated.

Two of these can be changed from the command line to see how the figures
move (``--requests``, ``--lockout-share``); the defaults above are the
benchmark's day.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from baoxiu.catalog.choices import Priority
from baoxiu.demo import data
from baoxiu.dispatch import travel
from baoxiu.dispatch.selectors import DEFAULT_SLA_MINUTES

FORMAT = "baoxiu-dispatch-scenario/1"
TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # a Tuesday; any working day would do
DAY_START = time(8, 0)

# 杭州市 (330100) in baoxiu/areas/data/divisions.tsv.
CITY_CENTRE = (120.209789, 30.246920)
CITY_CODE = "330100"
CITY_SIDE_KM = 30.0
CORE_SIGMA_KM = 4.0
REQUEST_CORE_SHARE = 0.6
HOME_CORE_SHARE = 0.4
KM_PER_DEGREE_LAT = 111.2

REQUESTS_PER_TECHNICIAN_HOUR = 1.25
EMERGENCY_SHARE = 0.15
EMERGENCY_FAULT = "locked-out"
# Relative request rate by clock hour, 00 h to 23 h.
HOURLY_PROFILE = (
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 1.6, 1.3, 1.1,
    0.9, 0.9, 1.0, 1.0, 1.1, 1.4, 1.7, 1.7, 1.4, 1.0, 0.7, 0.5,
)  # fmt: skip

OUTLET_SIZE = 10
LOCKOUT_SHARE = 1 / OUTLET_SIZE  # technicians sure to hold the lockout skills
ON_CALL_SHARE = 0.10
ON_CALL_UNTIL = time(7, 0)  # the next morning
LOCKOUT_SKILLS = frozenset({"lock-opening", "electrical"})

# The platform's arrival promise per priority, minutes.
ARRIVE_MINUTES = {priority: terms["arrive"] for priority, terms in DEFAULT_SLA_MINUTES.items()}

WORK = "work"
ON_CALL = "on_call"


@dataclass(frozen=True)
class Shift:
    start_s: int
    end_s: int
    kind: str = WORK  # "work": any job; "on_call": emergencies only

    def covers(self, t: float) -> bool:
        return self.start_s <= t < self.end_s


@dataclass(frozen=True)
class SimTechnician:
    id: str
    outlet: str
    skills: frozenset[str]
    home: tuple[float, float]  # (lng, lat)
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class SimRequest:
    id: str
    at_s: int  # reported
    point: tuple[float, float]
    fault: str
    skills: frozenset[str]
    minutes: int  # service duration
    priority: str
    window_s: tuple[int, int]  # arrival expected between these

    @property
    def emergency(self) -> bool:
        return self.priority == Priority.EMERGENCY


@dataclass(frozen=True)
class TravelModel:
    """The estimate's constants (baoxiu/dispatch/travel.py); the defaults are the platform's."""

    detour_factor: float = travel.DETOUR_FACTOR
    urban_kmh: float = travel.URBAN_KMH
    suburban_kmh: float = travel.SUBURBAN_KMH
    rural_kmh: float = travel.RURAL_KMH
    urban_km: float = travel.URBAN_KM
    suburban_km: float = travel.SUBURBAN_KM

    def provider(self) -> travel.EstimateProvider:
        return travel.EstimateProvider(**self.__dict__)


@dataclass(frozen=True)
class Scenario:
    start: datetime  # the day's time zero, aware
    hours: float  # requests arrive in [0, hours)
    technicians: tuple[SimTechnician, ...]
    requests: tuple[SimRequest, ...]  # by report time
    travel: TravelModel = TravelModel()
    generator: dict = field(default_factory=dict)  # how it was made, if generated

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)


# --- the generator ----------------------------------------------------------------


class _City:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lng0, self.lat0 = CITY_CENTRE
        self.km_per_lng = KM_PER_DEGREE_LAT * math.cos(math.radians(self.lat0))
        self.half = CITY_SIDE_KM / 2

    def point(self, core_share: float) -> tuple[float, float]:
        if self.rng.random() < core_share:
            while True:
                x = self.rng.gauss(0.0, CORE_SIGMA_KM)
                y = self.rng.gauss(0.0, CORE_SIGMA_KM)
                if abs(x) <= self.half and abs(y) <= self.half:
                    break
        else:
            x = self.rng.uniform(-self.half, self.half)
            y = self.rng.uniform(-self.half, self.half)
        return (
            round(self.lng0 + x / self.km_per_lng, 6),
            round(self.lat0 + y / KM_PER_DEGREE_LAT, 6),
        )


def _seconds_from_start(clock: time, *, next_day: bool = False) -> int:
    start = DAY_START.hour * 3600 + DAY_START.minute * 60
    seconds = clock.hour * 3600 + clock.minute * 60 + clock.second - start
    return seconds + (86400 if next_day else 0)


def _guaranteed_lockout(j: int, share: float) -> bool:
    """Every 1/share-th technician (share 0.1: the first of each outlet of ten)."""
    return j == 0 or math.floor(j * share + 1e-9) > math.floor((j - 1) * share + 1e-9)


def _technicians(
    count: int, city: _City, rng: random.Random, lockout_share: float
) -> list[SimTechnician]:
    codes = [code for code, _name in data.SKILLS]
    rows = []
    for j in range(count):
        if _guaranteed_lockout(j, lockout_share):
            skills = {*LOCKOUT_SKILLS, rng.choice(["fingerprint", "lock-body"])}
        else:
            skills = set(rng.sample(codes, rng.randint(2, 4)))
        start, end = rng.choice(data.WORKING_HOURS)
        rows.append(
            SimTechnician(
                id=f"T{j + 1:04d}",
                outlet=f"O{j // OUTLET_SIZE + 1:03d}",
                skills=frozenset(skills),
                home=city.point(HOME_CORE_SHARE),
                shifts=(Shift(_seconds_from_start(start), _seconds_from_start(end)),),
            )
        )
    able = [k for k, t in enumerate(rows) if LOCKOUT_SKILLS <= t.skills]
    rota = sorted(rng.sample(able, min(len(able), round(count * ON_CALL_SHARE))))
    for k in rota:
        tech = rows[k]
        night = Shift(
            tech.shifts[0].end_s, _seconds_from_start(ON_CALL_UNTIL, next_day=True), ON_CALL
        )
        rows[k] = SimTechnician(tech.id, tech.outlet, tech.skills, tech.home, (*tech.shifts, night))
    return rows


def _arrival_times(count: int, hours: float, rng: random.Random) -> list[int]:
    """``count`` report times in [0, hours) drawn from HOURLY_PROFILE (piecewise constant)."""
    segments = []  # (start s, end s, weight)
    t, end = 0.0, hours * 3600
    clock0 = DAY_START.hour * 3600 + DAY_START.minute * 60
    while t < end:
        clock = (clock0 + t) % 86400
        step = min(3600 - clock % 3600, end - t)
        segments.append((t, t + step, HOURLY_PROFILE[int(clock // 3600)] * step))
        t += step
    chosen = rng.choices(segments, weights=[s[2] for s in segments], k=count)
    return sorted(min(int(rng.uniform(a, b)), int(end) - 1) for a, b, _w in chosen)


def _requests(count: int, hours: float, city: _City, rng: random.Random) -> list[SimRequest]:
    faults = {f.code: f for f in data.FAULT_TYPES}
    others = [f for f in data.FAULT_TYPES if f.code != EMERGENCY_FAULT]
    emergencies = set(rng.sample(range(count), round(count * EMERGENCY_SHARE)))
    rows = []
    for k, at in enumerate(_arrival_times(count, hours, rng)):
        if k in emergencies:
            fault = faults[EMERGENCY_FAULT]
        else:
            fault = rng.choices(others, weights=[f.weight for f in others])[0]
        rows.append(
            SimRequest(
                id=f"R{k + 1:05d}",
                at_s=at,
                point=city.point(REQUEST_CORE_SHARE),
                fault=fault.code,
                skills=frozenset(fault.skills),
                minutes=fault.minutes,
                priority=str(fault.priority),
                window_s=(at, at + ARRIVE_MINUTES[fault.priority] * 60),
            )
        )
    return rows


def requests_for(technicians: int, hours: float) -> int:
    return round(REQUESTS_PER_TECHNICIAN_HOUR * technicians * hours)


def generate(
    *,
    technicians: int = 100,
    hours: float = 12.0,
    seed: int = 1,
    requests: int | None = None,
    lockout_share: float = LOCKOUT_SHARE,
) -> Scenario:
    """A reproducible day: the same arguments give the same scenario on any machine.

    ``requests`` defaults to the issue's load (``REQUESTS_PER_TECHNICIAN_HOUR``);
    ``lockout_share`` is the share of technicians sure to hold the two
    lockout skills (the rest may hold them by chance).
    """
    if technicians < 1 or hours <= 0 or not 0 < lockout_share <= 1:
        raise ValueError("need technicians, positive hours and a lockout share in (0, 1]")
    count = requests_for(technicians, hours) if requests is None else requests
    rng = random.Random(seed)
    city = _City(rng)
    techs = _technicians(technicians, city, rng, lockout_share)
    reqs = _requests(count, hours, city, rng)
    return Scenario(
        start=datetime.combine(DAY, DAY_START, tzinfo=TZ),
        hours=hours,
        technicians=tuple(techs),
        requests=tuple(reqs),
        generator={
            "seed": seed,
            "technicians": technicians,
            "hours": hours,
            "requests": count,
            "city_centre": list(CITY_CENTRE),
            "city_side_km": CITY_SIDE_KM,
            "emergency_share": EMERGENCY_SHARE,
            "lockout_share": lockout_share,
        },
    )


# --- the file format ---------------------------------------------------------------


def to_json(scenario: Scenario) -> dict:
    return {
        "format": FORMAT,
        "start": scenario.start.isoformat(),
        "hours": scenario.hours,
        "travel": {"model": "estimate", **scenario.travel.__dict__},
        "generator": scenario.generator,
        "technicians": [
            {
                "id": t.id,
                "outlet": t.outlet,
                "skills": sorted(t.skills),
                "home": list(t.home),
                "shifts": [
                    {"start_s": s.start_s, "end_s": s.end_s, "kind": s.kind} for s in t.shifts
                ],
            }
            for t in scenario.technicians
        ],
        "requests": [
            {
                "id": r.id,
                "at_s": r.at_s,
                "point": list(r.point),
                "fault": r.fault,
                "skills": sorted(r.skills),
                "minutes": r.minutes,
                "priority": r.priority,
                "window_s": list(r.window_s),
            }
            for r in scenario.requests
        ],
    }


def _point(value) -> tuple[float, float]:
    lng, lat = (float(v) for v in value)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValueError(f"point {value} is not (lng, lat) in degrees")
    return (lng, lat)


def _unique(ids: Iterable[str], what: str) -> None:
    ids = list(ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique")


def from_json(document: dict) -> Scenario:
    """Read a scenario; a malformed one raises ``ValueError`` naming what is wrong."""
    if document.get("format") != FORMAT:
        raise ValueError(f"not a scenario file: format must be {FORMAT!r}")
    model = dict(document.get("travel") or {"model": "estimate"})
    if model.pop("model", "estimate") != "estimate":
        raise ValueError("the only travel model is 'estimate'")
    start = datetime.fromisoformat(document["start"])
    if start.tzinfo is None:
        raise ValueError("start must carry a UTC offset")
    techs = []
    for row in document["technicians"]:
        shifts = tuple(
            Shift(int(s["start_s"]), int(s["end_s"]), s.get("kind", WORK)) for s in row["shifts"]
        )
        for s in shifts:
            if s.kind not in (WORK, ON_CALL) or s.end_s <= s.start_s:
                raise ValueError(f"technician {row['id']}: bad shift {s}")
        techs.append(
            SimTechnician(
                id=str(row["id"]),
                outlet=str(row.get("outlet", "")),
                skills=frozenset(row["skills"]),
                home=_point(row["home"]),
                shifts=shifts,
            )
        )
    reqs = []
    for row in document["requests"]:
        priority = Priority(row["priority"])
        at = int(row["at_s"])
        window = tuple(int(v) for v in row.get("window_s") or ())
        if not window:
            window = (at, at + ARRIVE_MINUTES[priority] * 60)
        if len(window) != 2 or window[1] < window[0]:
            raise ValueError(f"request {row['id']}: bad window {window}")
        reqs.append(
            SimRequest(
                id=str(row["id"]),
                at_s=at,
                point=_point(row["point"]),
                fault=str(row.get("fault", "")),
                skills=frozenset(row["skills"]),
                minutes=int(row["minutes"]),
                priority=str(priority),
                window_s=window,
            )
        )
    _unique((t.id for t in techs), "technician")
    _unique((r.id for r in reqs), "request")
    reqs.sort(key=lambda r: (r.at_s, r.id))
    return Scenario(
        start=start,
        hours=float(
            document.get("hours") or math.ceil(max((r.at_s for r in reqs), default=0) / 3600)
        ),
        technicians=tuple(techs),
        requests=tuple(reqs),
        travel=TravelModel(**{k: float(v) for k, v in model.items()}),
        generator=dict(document.get("generator") or {}),
    )


def dump(scenario: Scenario, path: Path | str) -> None:
    text = json.dumps(to_json(scenario), ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")


def load(path: Path | str) -> Scenario:
    return from_json(json.loads(Path(path).read_text(encoding="utf-8")))
