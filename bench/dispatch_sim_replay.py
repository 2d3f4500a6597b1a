"""Event-driven replay of a scenario under an online dispatch policy.

The clock jumps from event to event: a request is reported, a shift starts
or ends, a technician reaches a customer, a repair is done. Technicians
drive at the scenario's travel model (the platform's estimate, one
``matrix`` call per drive), work for the fault's duration, and stay where
they finished. Rules every policy lives by:

- A technician starts a drive only while on duty for that job: inside a work
  shift, or inside an on-call shift for an emergency. Work in hand at the
  end of a shift is finished; nothing new is started after it.
- A technician idle when a shift starts starts it from home.
- One job at a time: drive, work, then the next one.

The policies (:class:`Greedy`, :class:`Baoxiu`) decide who gets what; the
outcome of a replay is one :class:`Visit` per request served and each
technician's busy intervals, which :func:`summarise` turns into figures the
same way for every policy, the hindsight plan included.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import numpy as np

from baoxiu.catalog.choices import Priority
from baoxiu.dispatch.assignment import (
    EmergencyCover,
    HeldJob,
    TechState,
    next_emergency,
    rank_with_handover,
)
from baoxiu.tickets.choices import TicketStatus
from bench.dispatch_sim_scenario import (
    ARRIVE_MINUTES,
    LOCKOUT_SKILLS,
    WORK,
    Scenario,
    SimRequest,
    SimTechnician,
)

# Events at the same second: shifts open first, then work ends, arrivals,
# shifts close, and new requests last (so a shift ending at 17:00 does not
# take a request reported at 17:00).
SHIFT_START, FINISH, ARRIVE, SHIFT_END, REPORT = range(5)
IDLE, DRIVING, WORKING = "idle", "driving", "working"
EMERGENCY_PROMISE_S = 30 * 60


@dataclass
class Visit:
    """What happened to one request (times in seconds from the day's start)."""

    request: SimRequest
    tech: str | None = None
    assigned_s: float | None = None
    depart_s: float | None = None
    arrive_s: float | None = None  # reaches the customer
    finish_s: float | None = None
    km: float = 0.0
    assignments: int = 0
    handbacks: int = 0  # queued work handed back at the end of a shift
    turned_back_km: float = 0.0  # driven towards it by technicians sent to an emergency instead
    turned_back: int = 0
    promised_s: float | None = None  # the planner's ETA at the (last) assignment
    promised_on_time: bool | None = None


@dataclass
class TechRun:
    spec: SimTechnician
    position: tuple[float, float]
    state: str = IDLE
    visit: Visit | None = None
    leg: tuple[tuple[float, float], tuple[float, float], float, float] | None = None
    queue: list[Visit] = field(default_factory=list)
    busy: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, request)

    @property
    def idle(self) -> bool:
        return self.state == IDLE

    def on_duty(self, t: float, emergency: bool) -> bool:
        return any(s.covers(t) and (s.kind == WORK or emergency) for s in self.spec.shifts)

    def can_take(self, request: SimRequest, t: float) -> bool:
        return request.skills <= self.spec.skills and self.on_duty(t, request.emergency)

    def plan(self) -> list[Visit]:
        """Queued work in the order it will be done: emergencies first, each kind first come."""
        return sorted(self.queue, key=lambda v: not v.request.emergency)

    def where(self, t: float) -> tuple[float, float]:
        """The position a phone would report now (along the straight line while driving)."""
        if self.state == DRIVING and self.leg is not None:
            (x0, y0), (x1, y1), depart, arrive = self.leg
            f = 0.0 if arrive <= depart else min(1.0, max(0.0, (t - depart) / (arrive - depart)))
            return (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
        return self.position


@dataclass
class Outcome:
    policy: str
    visits: dict[str, Visit]
    busy: dict[str, list[tuple[float, float, str]]]
    notes: dict = field(default_factory=dict)


class Replay:
    def __init__(self, scenario: Scenario, policy):
        self.scenario = scenario
        self.policy = policy
        self.provider = scenario.travel.provider()
        self.techs = [TechRun(spec, spec.home) for spec in scenario.technicians]
        self.visits = {r.id: Visit(r) for r in scenario.requests}
        # The planner knows a job by its ticket id; the simulator by the request's.
        self.ticket_ids = {r.id: k for k, r in enumerate(scenario.requests, start=1)}
        self.by_ticket = {k: self.visits[r.id] for k, r in enumerate(scenario.requests, start=1)}
        self.now = 0.0
        self._heap: list = []
        self._seq = itertools.count()
        for tech in self.techs:
            for shift in tech.spec.shifts:
                if shift.end_s <= 0:
                    continue
                self._push(max(shift.start_s, 0), SHIFT_START, tech)
                self._push(shift.end_s, SHIFT_END, tech)
        for request in scenario.requests:
            self._push(request.at_s, REPORT, self.visits[request.id])

    def _push(self, t: float, kind: int, payload) -> None:
        heapq.heappush(self._heap, (t, kind, next(self._seq), payload))

    def run(self) -> Outcome:
        while self._heap:
            t, kind, _seq, payload = heapq.heappop(self._heap)
            self.now = t
            if kind == REPORT:
                self.policy.report(self, payload, t)
            elif kind == SHIFT_START:
                tech = payload
                if tech.idle:
                    tech.position = tech.spec.home
                self.policy.shift_started(self, tech, t)
            elif kind == SHIFT_END:
                self.policy.shift_ended(self, payload, t)
            elif kind == ARRIVE:
                tech, visit = payload
                if tech.visit is not visit or tech.leg is None or tech.leg[3] != t:
                    continue  # turned back on the way (``divert``)
                visit.arrive_s = t
                tech.state, tech.position, tech.leg = WORKING, visit.request.point, None
                self._push(t + visit.request.minutes * 60, FINISH, payload)
            elif kind == FINISH:
                tech, visit = payload
                visit.finish_s = t
                tech.busy.append((visit.depart_s, t, visit.request.id))
                tech.state, tech.visit = IDLE, None
                self.policy.freed(self, tech, t)
        return Outcome(
            policy=self.policy.name,
            visits=self.visits,
            busy={tech.spec.id: tech.busy for tech in self.techs},
            notes=self.policy.notes(self),
        )

    def assign(self, tech: TechRun, visit: Visit, t: float) -> None:
        visit.tech, visit.assigned_s = tech.spec.id, t
        visit.assignments += 1

    def divert(self, tech: TechRun, t: float) -> Visit:
        """Turn a driving technician back where they are; their job is dropped.

        The kilometres already driven stay counted (``Visit.turned_back_km``).
        """
        visit = tech.visit
        if tech.state != DRIVING or visit is None:
            raise AssertionError(f"{tech.spec.id} is not driving at {t}")
        (_x0, _y0), (_x1, _y1), depart, arrive = tech.leg
        done = 1.0 if arrive <= depart else min(1.0, max(0.0, (t - depart) / (arrive - depart)))
        visit.turned_back_km += visit.km * done
        visit.km, visit.depart_s, visit.tech = 0.0, None, None
        tech.position = tech.where(t)
        tech.state, tech.visit, tech.leg = IDLE, None, None
        return visit

    def start(self, tech: TechRun, visit: Visit, t: float) -> None:
        """Send an idle technician to ``visit`` now."""
        if not tech.idle or not tech.can_take(visit.request, t) or visit.depart_s is not None:
            raise AssertionError(f"{tech.spec.id} cannot start {visit.request.id} at {t}")
        answer = self.provider.matrix(np.array([tech.position]), np.array([visit.request.point]))
        seconds = float(answer.durations_s[0, 0])
        visit.tech, visit.depart_s = tech.spec.id, t
        visit.km = float(answer.distances_m[0, 0]) / 1000
        tech.state, tech.visit = DRIVING, visit
        tech.leg = (tech.position, visit.request.point, t, t + seconds)
        self._push(t + seconds, ARRIVE, (tech, visit))


class Greedy:
    """Nearest idle technician who may take the job; otherwise a first-come queue.

    What most small networks do: a job goes to the closest technician with
    nothing to do (the required skills, on shift — or on call for an
    emergency); when nobody is free it waits, and a technician who becomes
    free takes the oldest waiting job they can do. ``emergencies_first``
    lets waiting emergencies jump that queue (a variant, not the baseline).
    """

    def __init__(self, *, emergencies_first: bool = False):
        self.emergencies_first = emergencies_first
        self.name = "greedy, emergencies first" if emergencies_first else "greedy"
        self.waiting: list[Visit] = []

    def report(self, sim: Replay, visit: Visit, t: float) -> None:
        request = visit.request
        free = [tech for tech in sim.techs if tech.idle and tech.can_take(request, t)]
        if not free:
            self.waiting.append(visit)
            return
        seconds = sim.provider.matrix(
            np.array([tech.position for tech in free]), np.array([request.point])
        ).durations_s[:, 0]
        tech = free[int(np.argmin(seconds))]
        sim.assign(tech, visit, t)
        sim.start(tech, visit, t)

    def _next(self, sim: Replay, tech: TechRun, t: float) -> None:
        order = self.waiting
        if self.emergencies_first:
            order = sorted(self.waiting, key=lambda v: not v.request.emergency)
        for visit in order:
            if tech.can_take(visit.request, t):
                self.waiting.remove(visit)
                sim.assign(tech, visit, t)
                sim.start(tech, visit, t)
                return

    def freed(self, sim: Replay, tech: TechRun, t: float) -> None:
        self._next(sim, tech, t)

    def shift_started(self, sim: Replay, tech: TechRun, t: float) -> None:
        if tech.idle:
            self._next(sim, tech, t)

    def shift_ended(self, sim: Replay, tech: TechRun, t: float) -> None:
        pass

    def notes(self, sim: Replay) -> dict:
        return {"never_assigned": len(self.waiting)}


class Baoxiu:
    """The platform's immediate assignment, decided by ``rank_technicians``.

    At each report every eligible technician (skills; working now, or on call
    for an emergency — coverage is the whole city) is handed to the planner
    with their position and the jobs they hold, in the order they will do
    them. The decision rule is ``ticket_auto_dispatch``'s: the best candidate
    is assigned when they arrive by the deadline. When nobody can, the
    platform raises a late-risk alert; an emergency then goes to the earliest
    arrival only if that technician has nothing before it, otherwise it waits
    and is decided again whenever a technician comes free (a repair done, a
    shift starting), oldest first. Other late work is left to the dispatcher;
    here the dispatcher assigns the best late option (what a dispatcher would
    do). Misses are counted. Work that is not an emergency is ranked with the
    platform's emergency cover (``settings.DISPATCH_EMERGENCY_RESERVE``): a
    technician who can open a locked door is held from it when, without them,
    too few others on duty for emergencies could reach the job's area or the
    area they leave within 30 minutes; the held rank after everyone else (when
    only held technicians could take a job the platform leaves it to the
    dispatcher, who here assigns the best of them; counted). A technician works
    through the jobs they hold: emergencies first (the planner put them
    before work not yet started), the rest first come first served. At the
    end of a shift, held work not yet started goes back to dispatch and is
    decided again. A request nobody may take (no one with the skills on
    duty) waits and is decided again whenever a shift starts.
    """

    def __init__(
        self,
        *,
        count_queued_emergencies: bool = False,
        emergency_reserve: int | None = None,
        divert_en_route: bool | None = None,
        emergency_handover: int | None = None,
    ):
        from django.conf import settings

        # The platform's setting unless a run asks for another reserve.
        if emergency_reserve is None:
            emergency_reserve = settings.DISPATCH_EMERGENCY_RESERVE
        self.emergency_reserve = emergency_reserve
        if divert_en_route is None:
            divert_en_route = settings.DISPATCH_DIVERT_EN_ROUTE
        self.divert_en_route = divert_en_route
        if emergency_handover is None:
            emergency_handover = settings.DISPATCH_EMERGENCY_HANDOVER
        self.emergency_handover = emergency_handover if divert_en_route else 0
        # What-if, not the platform: the planner is told that emergencies already
        # queued come before a new one (they are handed to it as driven to first).
        self.count_queued_emergencies = count_queued_emergencies
        self.name = (
            "baoxiu what-if: queued emergencies counted" if count_queued_emergencies else "baoxiu"
        )
        self.pending: list[Visit] = []
        self.decisions = 0
        self.late_decisions = 0
        self.no_technician = 0
        self.handbacks = 0
        self.emergency_behind_emergency = 0
        self.waiting: list[Visit] = []  # late emergencies waiting for someone to come free
        self.waited = 0
        self.held_best = 0
        self.turned_back = 0
        self.handed_over = 0
        self._waited_ids: set[str] = set()

    def report(self, sim: Replay, visit: Visit, t: float) -> None:
        self.dispatch(sim, visit, t, reported=True)

    def dispatch(self, sim: Replay, visit: Visit, t: float, *, reported: bool = False) -> None:
        request = visit.request
        eligible = [k for k, tech in enumerate(sim.techs) if tech.can_take(request, t)]
        if not eligible:
            self.no_technician += reported
            self.pending.append(visit)
            return
        ahead = self.count_queued_emergencies and request.emergency
        states = [self._state(k, sim.techs[k], sim, t, ahead, request) for k in eligible]
        cover = None
        if not request.emergency and self.emergency_reserve > 0:
            # As assignment_candidates does: who could answer an emergency now.
            responders = tuple(
                self._state(k, tech, sim, t)
                for k, tech in enumerate(sim.techs)
                if LOCKOUT_SKILLS <= tech.spec.skills and tech.on_duty(t, True)
            )
            within = ARRIVE_MINUTES[Priority.EMERGENCY] * 60
            cover = EmergencyCover(responders, self.emergency_reserve, within)

        # As assignment_candidates does, with the simulation's hand-over inputs.
        handover = None
        if request.emergency and self.emergency_handover > 0:

            def handover(owners):
                return self._handover_deadlines(sim, owners), None

        ranked = rank_with_handover(
            states,
            handover_inputs_for=handover,
            limit=None,
            point=request.point,
            now=sim.scenario.at(t),
            jump_queue=request.emergency,
            deadline=sim.scenario.at(request.window_s[1]),
            provider=sim.provider,
            cover=cover,
            divert_en_route=self.divert_en_route,
        )
        best = ranked[0]
        self.decisions += 1
        self.held_best += best.held
        self.late_decisions += not best.on_time
        if request.emergency and not best.on_time and best.free_at > sim.scenario.at(t):
            # As ticket_auto_dispatch does: a late emergency is not promised to
            # someone still busy; it waits and is decided again when one comes free.
            self.waited += visit.request.id not in self._waited_ids
            self._waited_ids.add(visit.request.id)
            self.waiting.append(visit)
            return
        tech = sim.techs[best.technician_id]
        if request.emergency and any(v.request.emergency for v in tech.queue):
            self.emergency_behind_emergency += 1
        visit.promised_s = (best.eta - sim.scenario.start).total_seconds()
        visit.promised_on_time = best.on_time
        sim.assign(tech, visit, t)
        tech.queue.append(visit)
        dropped = []
        # The what-if planner is told queued emergencies are driven to: turning
        # back from one of those is giving it up from the queue (below), not a drive.
        pretended = self.count_queued_emergencies and tech.state != DRIVING
        if best.diverts and not pretended:
            # As ticket_auto_dispatch does: the job they were driving to goes back
            # to dispatch, and is decided again at once.
            dropped.append(sim.divert(tech, t))
            dropped[-1].turned_back += 1
            self.turned_back += 1
        if best.hands_over:
            # ... and so does the emergency they give up, driven to or queued.
            self.handed_over += 1
            given_up = sim.by_ticket[best.hands_over]
            if given_up in tech.queue:
                tech.queue.remove(given_up)
                given_up.tech = None
                given_up.turned_back += 1
                dropped.append(given_up)
        if tech.idle:
            self._next(sim, tech, t)
        for visit in dropped:
            self.dispatch(sim, visit, t)

    def _handover_deadlines(self, sim: Replay, owners: list[TechState]) -> dict:
        """As ``handover_inputs`` reads them: the arrival deadline of each owner's
        next emergency (``next_emergency``), by ticket id, but for those taken
        back ``emergency_handover`` times already."""
        deadlines = {}
        for state in owners:
            job = next_emergency(state)
            visit = sim.by_ticket[job.ticket_id] if job is not None else None
            if visit is not None and visit.turned_back < self.emergency_handover:
                deadlines[job.ticket_id] = sim.scenario.at(visit.request.window_s[1])
        return deadlines

    @staticmethod
    def _state(
        index: int,
        tech: TechRun,
        sim: Replay,
        t: float,
        emergencies_ahead: bool = False,
        new: SimRequest | None = None,
    ) -> TechState:
        jobs = []
        at = sim.scenario.at
        if tech.visit is not None:
            request = tech.visit.request
            if tech.state == WORKING:
                status, arrived = TicketStatus.ON_SITE, at(tech.visit.arrive_s)
            else:
                status, arrived = TicketStatus.EN_ROUTE, None
            jobs.append(
                HeldJob(
                    status,
                    request.point,
                    request.minutes,
                    arrived,
                    at(request.at_s),
                    sim.ticket_ids[request.id],
                    priority=_priority(request),
                )
            )
        for visit in tech.plan():
            request = visit.request
            status = TicketStatus.ACCEPTED
            if emergencies_ahead and request.emergency:
                status = TicketStatus.EN_ROUTE
            jobs.append(
                HeldJob(
                    status,
                    request.point,
                    request.minutes,
                    None,
                    at(request.at_s),
                    sim.ticket_ids[request.id],
                    priority=_priority(request),
                )
            )
        # As the platform does: hold lockout-capable technicians back from other work.
        reserve = bool(
            new is not None
            and not new.emergency
            and (tech.spec.skills & LOCKOUT_SKILLS) - new.skills
        )
        return TechState(
            id=index,
            name=tech.spec.id,
            outlet=tech.spec.outlet,
            position=tech.where(t),
            jobs=tuple(jobs),
            reserve=reserve,
        )

    def _next(self, sim: Replay, tech: TechRun, t: float) -> None:
        if not tech.idle:
            return
        for visit in tech.plan():
            if tech.can_take(visit.request, t):
                tech.queue.remove(visit)
                sim.start(tech, visit, t)
                return

    def _redispatch_waiting(self, sim: Replay, t: float) -> None:
        """waiting_emergencies_redispatch: the waiting emergencies again, oldest first."""
        waiting, self.waiting = sorted(self.waiting, key=lambda v: v.request.at_s), []
        for visit in waiting:
            self.dispatch(sim, visit, t)

    def freed(self, sim: Replay, tech: TechRun, t: float) -> None:
        self._redispatch_waiting(sim, t)
        self._next(sim, tech, t)

    def shift_started(self, sim: Replay, tech: TechRun, t: float) -> None:
        waiting, self.pending = self.pending, []
        for visit in waiting:
            self.dispatch(sim, visit, t)
        self._redispatch_waiting(sim, t)
        self._next(sim, tech, t)

    def shift_ended(self, sim: Replay, tech: TechRun, t: float) -> None:
        returned = [v for v in tech.queue if not tech.can_take(v.request, t)]
        for visit in returned:
            tech.queue.remove(visit)
        for visit in sorted(returned, key=lambda v: v.request.at_s):
            visit.handbacks += 1
            self.handbacks += 1
            self.dispatch(sim, visit, t)

    def notes(self, sim: Replay) -> dict:
        emergency_visits = [
            v for v in sim.visits.values() if v.request.emergency and v.promised_s is not None
        ]
        slips = [
            (v.arrive_s - v.promised_s) / 60 for v in emergency_visits if v.arrive_s is not None
        ]
        return {
            "decisions": self.decisions,
            "decided_late": self.late_decisions,
            "emergency_reserve": self.emergency_reserve,
            "held_best": self.held_best,
            "divert_en_route": self.divert_en_route,
            "turned_back": self.turned_back,
            "emergency_handover": self.emergency_handover,
            "handed_over": self.handed_over,
            "turned_back_km": sum(v.turned_back_km for v in sim.visits.values()),
            "no_technician_at_report": self.no_technician,
            "handed_back_at_shift_end": self.handbacks,
            "never_assigned": len(self.pending) + len(self.waiting),
            "emergencies_waited_for_a_free_technician": self.waited,
            "emergency_assigned_behind_another_emergency": self.emergency_behind_emergency,
            "emergency_eta_slip_min_mean": float(np.mean(slips)) if slips else None,
        }


def replay(scenario: Scenario, policy) -> Outcome:
    return Replay(scenario, policy).run()


# --- figures ------------------------------------------------------------------------


def _work_windows(scenario: Scenario) -> dict[str, list[tuple[float, float]]]:
    return {
        t.id: [(max(s.start_s, 0), s.end_s) for s in t.shifts if s.kind == WORK and s.end_s > 0]
        for t in scenario.technicians
    }


def _overlap(a: float, b: float, windows: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(b, end) - max(a, start)) for start, end in windows)


def _stats(minutes: list[float]) -> dict:
    if not minutes:
        return {"reached": 0, "mean_min": None, "p90_min": None}
    return {
        "reached": len(minutes),
        "mean_min": float(np.mean(minutes)),
        "p90_min": float(np.percentile(minutes, 90)),
    }


def summarise(scenario: Scenario, outcome: Outcome) -> dict:
    """The figures of one policy's day (same definitions for every policy).

    - ``emergency_within_30``: emergencies reached within 30 minutes of the
      report, over all emergencies (never reached counts as missed);
    - time to arrival: report → technician at the door, over the requests
      reached (how many is shown), for emergencies and for all requests;
    - ``urgent_within_promise``: urgent requests (not emergencies) reached by
      the end of their arrival window (the 4-hour promise), over all urgent
      requests (``urgent``);
    - ``jobs_done``: repairs finished; ``travel_km``: road km driven to jobs,
      including the part of a drive abandoned when the technician was sent to
      an emergency instead (the commute from home at a shift's start is not
      counted);
    - ``utilisation``: time driving to and working on jobs inside work shifts,
      over work-shift time (shifts counted from the start of the day; on-call
      hours are not in the denominator).
    """
    visits = outcome.visits
    requests = scenario.requests
    emergencies = [r for r in requests if r.emergency]

    def waits(rows):
        return [
            (visits[r.id].arrive_s - r.at_s) / 60 for r in rows if visits[r.id].arrive_s is not None
        ]

    emergency_waits = waits(emergencies)
    urgent = [r for r in requests if r.priority == Priority.URGENT]
    urgent_in_time = sum(
        1
        for r in urgent
        if visits[r.id].arrive_s is not None and visits[r.id].arrive_s <= r.window_s[1]
    )
    within = sum(1 for w in emergency_waits if w * 60 <= EMERGENCY_PROMISE_S)
    windows = _work_windows(scenario)
    busy = sum(
        _overlap(a, b, windows[tech]) for tech, rows in outcome.busy.items() for a, b, _r in rows
    )
    shift_time = sum(end - start for rows in windows.values() for start, end in rows)
    return {
        "policy": outcome.policy,
        "emergencies": len(emergencies),
        "emergency_within_30": within,
        "emergency_within_30_share": within / len(emergencies) if emergencies else None,
        "emergency_arrival": _stats(emergency_waits),
        "all_arrival": _stats(waits(requests)),
        "requests": len(requests),
        "urgent": len(urgent),
        "urgent_within_promise": urgent_in_time,
        "jobs_done": sum(1 for v in visits.values() if v.finish_s is not None),
        "travel_km": sum(v.km for v in visits.values() if v.depart_s is not None)
        + sum(v.turned_back_km for v in visits.values()),
        "utilisation": busy / shift_time if shift_time else None,
        "notes": outcome.notes,
    }


def _priority(request: SimRequest) -> str:
    """The ticket's priority, as the platform stores it (emergency, urgent, normal)."""
    return request.priority
