"""The dispatch simulator (bench/dispatch_sim*.py): its generator, its file format, and
that every replay keeps the rules — skills, shifts, one job at a time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from baoxiu.catalog.choices import Priority
from baoxiu.demo import data
from baoxiu.dispatch.selectors import DEFAULT_SLA_MINUTES
from bench import dispatch_sim_scenario as scenarios
from bench.dispatch_sim_replay import Baoxiu, Greedy, replay, summarise
from bench.dispatch_sim_scenario import (
    ON_CALL,
    WORK,
    Scenario,
    Shift,
    SimRequest,
    SimTechnician,
)

START = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOUR = 3600
# Hangzhou: the city centre, a point about 3 km east, and one about 10 km west.
CENTRE = (120.2098, 30.2469)
EAST = (120.2410, 30.2469)
WEST = (120.1060, 30.2469)
ALL = frozenset(code for code, _name in data.SKILLS)
LOCKOUT = frozenset({"lock-opening", "electrical"})


def tech(tech_id, home, skills=ALL, shifts=((0, 10 * HOUR),)):
    return SimTechnician(
        id=tech_id,
        outlet="O1",
        skills=frozenset(skills),
        home=home,
        shifts=tuple(Shift(*shift) for shift in shifts),  # (start, end[, kind])
    )


def request(request_id, at, point, *, emergency=False, minutes=60, skills=frozenset()):
    priority = Priority.EMERGENCY if emergency else Priority.NORMAL
    promise = DEFAULT_SLA_MINUTES[priority]["arrive"] * 60
    return SimRequest(
        id=request_id,
        at_s=at,
        point=point,
        fault="locked-out" if emergency else "fingerprint",
        skills=frozenset(LOCKOUT if emergency else skills),
        minutes=minutes,
        priority=str(priority),
        window_s=(at, at + promise),
    )


def day(techs, requests, hours=10.0):
    return Scenario(start=START, hours=hours, technicians=tuple(techs), requests=tuple(requests))


POLICIES = (Greedy, Baoxiu, lambda: Baoxiu(count_queued_emergencies=True))


def assert_rules_kept(scenario, outcome, *, online=True):
    """Skills held, on duty when leaving, one job at a time, times consistent.

    Only the hindsight plan (``online=False``) may set off before a request is
    reported; no one reaches a customer before the report.
    """
    specs = {t.id: t for t in scenario.technicians}
    for visit in outcome.visits.values():
        if visit.depart_s is None:
            assert visit.arrive_s is None and visit.finish_s is None
            continue
        spec, req = specs[visit.tech], visit.request
        assert req.skills <= spec.skills, visit
        assert any(
            s.covers(visit.depart_s) and (s.kind == WORK or req.emergency) for s in spec.shifts
        ), visit
        assert visit.depart_s <= visit.arrive_s and req.at_s <= visit.arrive_s, visit
        assert not online or req.at_s <= visit.depart_s, visit
        assert visit.finish_s == visit.arrive_s + req.minutes * 60
    for tech_id, rows in outcome.busy.items():
        rows = sorted(rows)
        assert all(rows[k][1] <= rows[k + 1][0] for k in range(len(rows) - 1)), tech_id
        assert all(outcome.visits[r].tech == tech_id for _a, _b, r in rows)


# ---- the generator -----------------------------------------------------------------


def test_generator_is_reproducible_and_follows_its_parameters():
    first = scenarios.generate(technicians=30, hours=6, seed=7)
    again = scenarios.generate(technicians=30, hours=6, seed=7)
    other = scenarios.generate(technicians=30, hours=6, seed=8)

    assert scenarios.to_json(first) == scenarios.to_json(again)
    assert scenarios.to_json(first)["requests"] != scenarios.to_json(other)["requests"]
    assert len(first.requests) == 225  # 1.25 per technician and hour
    assert sum(r.emergency for r in first.requests) == 34  # 15 %, rounded
    assert [r.at_s for r in first.requests] == sorted(r.at_s for r in first.requests)
    assert all(0 <= r.at_s < 6 * HOUR for r in first.requests)
    faults = {f.code: f for f in data.FAULT_TYPES}
    for r in first.requests:
        fault = faults[r.fault]
        assert (r.minutes, r.priority, r.skills) == (
            fault.minutes,
            fault.priority,
            frozenset(fault.skills),
        )
        assert r.window_s == (r.at_s, r.at_s + DEFAULT_SLA_MINUTES[r.priority]["arrive"] * 60)
    lockout = [t for t in first.technicians if LOCKOUT <= t.skills]
    assert {t.id for t in first.technicians[::10]} <= {t.id for t in lockout}
    assert all(2 <= len(t.skills) <= 4 for t in first.technicians)
    rota = [t for t in first.technicians if len(t.shifts) == 2]
    assert len(rota) == 3 and all(t in lockout for t in rota)
    assert all(t.shifts[1].kind == ON_CALL and t.shifts[1].end_s == 23 * HOUR for t in rota)


# ---- the file format ----------------------------------------------------------------


def test_dump_and_load_give_back_the_same_scenario(tmp_path):
    scenario = scenarios.generate(technicians=12, hours=3, seed=3)
    path = tmp_path / "day.json"

    scenarios.dump(scenario, path)
    loaded = scenarios.load(path)

    assert loaded == scenario
    assert scenarios.to_json(loaded) == scenarios.to_json(scenario)


def test_a_file_that_is_not_a_scenario_is_refused(tmp_path):
    document = scenarios.to_json(scenarios.generate(technicians=2, hours=1, seed=1))
    document["requests"][0]["priority"] = "whenever"

    with pytest.raises(ValueError):
        scenarios.from_json(document)
    with pytest.raises(ValueError, match="format"):
        scenarios.from_json({**document, "format": "something-else"})


# ---- the replays ----------------------------------------------------------------------


@pytest.mark.parametrize("make_policy", POLICIES)
def test_replays_keep_skills_shifts_and_one_job_at_a_time(make_policy):
    scenario = scenarios.generate(technicians=25, hours=5, seed=11)

    outcome = replay(scenario, make_policy())

    assert_rules_kept(scenario, outcome)
    figures = summarise(scenario, outcome)
    assert figures["jobs_done"] == sum(1 for v in outcome.visits.values() if v.finish_s)
    assert 0 < figures["utilisation"] <= 1


def test_a_whole_busy_day_replays_under_every_policy():
    # Twelve hours at the load: emergencies are handed over, and the
    # what-if planner (told queued emergencies are driven to) gives some up
    # from a technician's queue rather than from a drive.
    scenario = scenarios.generate(technicians=30, hours=12, seed=1)

    figures = {}
    for make_policy in POLICIES:
        outcome = replay(scenario, make_policy())
        assert_rules_kept(scenario, outcome)
        row = summarise(scenario, outcome)
        figures[row["policy"]] = (
            row["emergency_within_30"],
            row["jobs_done"],
            row["notes"].get("handed_over"),
        )

    assert figures == {
        "greedy": (0, 227, None),
        "baoxiu": (41, 210, 15),
        "baoxiu what-if: queued emergencies counted": (41, 210, 15),
    }


@pytest.mark.parametrize("make_policy", POLICIES)
def test_only_the_skilled_technician_on_duty_is_sent(make_policy):
    # The unskilled one is nearer; the off-duty one nearer still.
    scenario = day(
        [
            tech("skilled", WEST, skills={"fingerprint", "installation"}),
            tech("unskilled", EAST, skills={"installation", "app-wifi"}),
            tech("off-duty", CENTRE, shifts=((5 * HOUR, 10 * HOUR),)),
        ],
        [request("R1", 600, CENTRE, skills={"fingerprint"})],
    )

    outcome = replay(scenario, make_policy())

    assert outcome.visits["R1"].tech == "skilled"
    assert outcome.visits["R1"].depart_s == 600


@pytest.mark.parametrize("make_policy", POLICIES)
def test_night_emergency_goes_to_the_rota_and_other_work_waits_for_the_morning(make_policy):
    scenario = day(
        [
            tech("day", CENTRE, shifts=((0, 9 * HOUR),)),
            tech("rota", WEST, shifts=((0, 9 * HOUR), (9 * HOUR, 23 * HOUR, ON_CALL))),
            tech("morning", EAST, shifts=((24 * HOUR, 33 * HOUR),)),
        ],
        [
            request("E1", 10 * HOUR, CENTRE, emergency=True),
            request("N1", 10 * HOUR, CENTRE, skills={"fingerprint"}),
        ],
        hours=12,
    )

    outcome = replay(scenario, make_policy())

    assert outcome.visits["E1"].tech == "rota"
    assert outcome.visits["N1"].tech == "morning"
    assert outcome.visits["N1"].depart_s == 24 * HOUR
    assert_rules_kept(scenario, outcome)


def test_greedy_serves_its_queue_first_come_first_served():
    scenario = day(
        [tech("only", CENTRE)],
        [
            request("A", 0, CENTRE, minutes=60),
            request("B", 600, WEST, minutes=30),
            request("E", 1200, EAST, emergency=True),
        ],
    )

    outcome = replay(scenario, Greedy())

    departures = sorted((v.depart_s, v.request.id) for v in outcome.visits.values())
    assert [rid for _t, rid in departures] == ["A", "B", "E"]
    assert outcome.visits["B"].depart_s == outcome.visits["A"].finish_s


def test_baoxiu_puts_an_emergency_before_work_not_yet_started():
    scenario = day(
        [tech("only", CENTRE)],
        [
            request("A", 0, CENTRE, minutes=60),
            request("B", 600, WEST, minutes=30),
            request("E", 1200, EAST, emergency=True),
        ],
    )

    outcome = replay(scenario, Baoxiu())

    departures = sorted((v.depart_s, v.request.id) for v in outcome.visits.values())
    assert [rid for _t, rid in departures] == ["A", "E", "B"]
    emergency = outcome.visits["E"]
    assert emergency.promised_s == emergency.arrive_s  # the planner's ETA is what happens
    assert emergency.promised_on_time is False  # A runs until 60 min; E was due at 50


def test_baoxiu_keeps_a_late_emergency_until_a_technician_comes_free():
    scenario = day(
        [tech("near", CENTRE), tech("far", WEST)],
        [
            request("A", 0, CENTRE, minutes=60),
            request("C", 0, WEST, minutes=25),
            request("E", 1200, EAST, emergency=True),
        ],
    )

    baoxiu = Baoxiu()
    outcome = replay(scenario, baoxiu)

    # Nobody reaches E by 50 min: it is promised to no one while both are busy, and
    # goes when "far" finishes C at 25 min ("far" then arrives before "near" could).
    emergency = outcome.visits["E"]
    assert (emergency.tech, emergency.assigned_s, emergency.depart_s) == ("far", 1500, 1500)
    assert emergency.promised_s == emergency.arrive_s
    assert emergency.arrive_s == 1500 + 2105  # "near" would be free only at 3600
    assert outcome.notes["emergencies_waited_for_a_free_technician"] == 1
    assert outcome.notes["never_assigned"] == 0
    assert_rules_kept(scenario, outcome)


def test_baoxiu_keeps_an_opener_for_emergencies_when_no_other_covers_the_area():
    import numpy as np

    scenario = day(
        [tech("opener", CENTRE), tech("plain", WEST, skills={"fingerprint"})],
        [
            # Due within 15 minutes: only the opener, next door, can make it.
            SimRequest(
                "A", 0, CENTRE, "fingerprint", frozenset({"fingerprint"}), 60, "urgent", (0, 900)
            ),
            request("E", 600, EAST, emergency=True),
        ],
    )
    to_east = float(
        scenario.travel.provider().matrix(np.array([CENTRE]), np.array([EAST])).durations_s[0, 0]
    )

    without = replay(scenario, Baoxiu(emergency_reserve=0))
    kept = replay(scenario, Baoxiu(emergency_reserve=1))

    # No reserve: the opener takes A on time, and E waits until A is done at 60 min.
    assert (without.visits["A"].tech, without.visits["A"].arrive_s) == ("opener", 0)
    assert without.visits["E"].tech == "opener"
    assert without.visits["E"].arrive_s == 3600 + to_east
    # Reserve of one: nobody else could answer a lockout, so A goes (late) to "plain"
    # and the opener, still free, reaches E within 30 minutes.
    assert kept.visits["A"].tech == "plain" and kept.visits["A"].arrive_s > 900
    assert (kept.visits["E"].tech, kept.visits["E"].arrive_s) == ("opener", 600 + to_east)
    assert to_east < 1800
    assert kept.notes["emergency_reserve"] == 1 and kept.notes["held_best"] == 0
    summary = summarise(scenario, kept)
    assert (summary["urgent"], summary["urgent_within_promise"]) == (1, 0)
    assert summarise(scenario, without)["urgent_within_promise"] == 1
    for outcome in (without, kept):
        assert_rules_kept(scenario, outcome)


def test_baoxiu_turns_a_technician_back_from_other_work_for_an_emergency():
    import numpy as np

    scenario = day(
        [tech("opener", CENTRE)],
        [
            request("A", 0, WEST, minutes=30, skills={"fingerprint"}),
            request("E", 300, EAST, emergency=True),
        ],
    )
    provider = scenario.travel.provider()

    def seconds(a, b):
        return float(provider.matrix(np.array([a]), np.array([b])).durations_s[0, 0])

    def km(a, b):
        return float(provider.matrix(np.array([a]), np.array([b])).distances_m[0, 0]) / 1000

    to_west = seconds(CENTRE, WEST)
    share = 300 / to_west  # of the way to A when E is reported
    there = (CENTRE[0] + (WEST[0] - CENTRE[0]) * share, CENTRE[1])

    kept = replay(scenario, Baoxiu(divert_en_route=False))
    turned = replay(scenario, Baoxiu(divert_en_route=True))

    # Without turning back, E waits for A's drive and repair: late.
    assert kept.visits["E"].arrive_s == to_west + 1800 + seconds(WEST, EAST)
    # Turning back: E is reached from where the opener was, and A goes back to
    # dispatch — to the opener again, after E; the kilometres driven towards A count.
    emergency, job = turned.visits["E"], turned.visits["A"]
    assert emergency.arrive_s == 300 + seconds(there, EAST) < 300 + 1800
    assert (job.tech, job.assignments, job.turned_back) == ("opener", 2, 1)
    assert job.depart_s == emergency.finish_s
    assert job.turned_back_km == pytest.approx(km(CENTRE, WEST) * share)
    assert turned.notes["turned_back"] == 1
    travel = summarise(scenario, turned)["travel_km"]
    assert travel == pytest.approx(job.turned_back_km + km(there, EAST) + km(EAST, WEST))
    for outcome in (kept, turned):
        assert_rules_kept(scenario, outcome)


def test_baoxiu_hands_an_emergency_to_a_colleague_so_both_are_reached_in_time():
    # 6 and 13 km west of the centre (about 0.0104 degrees of longitude a km here).
    west_6, west_13 = (120.1474, 30.2469), (120.0746, 30.2469)
    scenario = day(
        [tech("opener", CENTRE, LOCKOUT), tech("other", west_13, LOCKOUT)],
        [request("E1", 0, west_6, emergency=True), request("E2", 300, EAST, emergency=True)],
    )

    kept = replay(scenario, Baoxiu(emergency_handover=0))
    handed = replay(scenario, Baoxiu(emergency_handover=2))

    # E1 goes to the opener (19 min, "other" 21). Five minutes later E2 is reported
    # 3 km east of the centre: only the opener, on the road west, reaches it in time.
    assert kept.visits["E1"].tech == "opener"
    assert kept.visits["E2"].arrive_s > 300 + 1800
    # Handing over: the opener turns round for E2, and E1, decided again at once,
    # goes to "other", who still reaches it within its 30 minutes.
    first, second = handed.visits["E1"], handed.visits["E2"]
    assert (second.tech, first.tech) == ("opener", "other")
    assert (first.turned_back, first.assignments, first.depart_s) == (1, 2, 300)
    assert second.arrive_s <= 300 + 1800 and first.arrive_s <= 1800
    assert handed.notes["handed_over"] == 1 and kept.notes["handed_over"] == 0
    assert summarise(scenario, kept)["emergency_within_30"] == 1
    assert summarise(scenario, handed)["emergency_within_30"] == 2
    for outcome in (kept, handed):
        assert_rules_kept(scenario, outcome)


def test_baoxiu_hands_held_work_back_at_the_end_of_a_shift():
    scenario = day(
        [
            tech("early", CENTRE, shifts=((0, 2 * HOUR),)),
            tech("late", WEST, shifts=((HOUR, 10 * HOUR),)),
        ],
        [
            request("A", 0, CENTRE, minutes=130, skills={"fingerprint"}),
            request("B", 60, CENTRE, minutes=30, skills={"fingerprint"}),
        ],
    )

    outcome = replay(scenario, Baoxiu())

    # B queued behind A with "early" (late is not on yet); at 2 h it goes back and to "late".
    assert outcome.visits["A"].tech == "early"
    assert outcome.visits["B"].tech == "late"
    assert outcome.visits["B"].handbacks == 1
    assert outcome.visits["B"].depart_s == 2 * HOUR
    assert_rules_kept(scenario, outcome)


# ---- the hindsight plan and the latency city ---------------------------------------------


def test_hindsight_plan_keeps_the_rules_and_the_emergency_windows():
    from bench import dispatch_sim_hindsight as hindsight

    # VROOM is a locked dependency: its absence is a failure, not a reason to skip.
    assert hindsight.engines_available()
    scenario = scenarios.generate(technicians=6, hours=2, seed=5)

    outcome = hindsight.solve_offline(scenario, time_limit=1.0)

    assert_rules_kept(scenario, outcome, online=False)
    for visit in outcome.visits.values():
        if visit.request.emergency and visit.arrive_s is not None:
            assert visit.arrive_s - visit.request.at_s <= 30 * 60
    served = sum(1 for v in outcome.visits.values() if v.arrive_s is not None)
    assert served + outcome.notes["jobs_left_out"] == len(scenario.requests)


@pytest.mark.django_db
def test_latency_city_has_exact_counts_and_both_paths_agree():
    from baoxiu.tickets.choices import TicketStatus
    from baoxiu.tickets.models import Ticket
    from bench import dispatch_sim_latency as latency

    city = latency.build_city(technicians=20, open_jobs=60, new_tickets=4, seed=2)

    held = Ticket.objects.filter(technician__isnull=False)
    assert held.count() == 60
    assert set(held.values_list("status", flat=True)) <= {
        TicketStatus.ASSIGNED,
        TicketStatus.ACCEPTED,
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
        TicketStatus.IN_PROGRESS,
    }
    fresh = Ticket.objects.filter(pk__in=city.new_ticket_ids)
    assert list(fresh.values_list("status", "priority").distinct()) == [
        (TicketStatus.DISPATCHING, Priority.EMERGENCY)
    ]
    divisions = Ticket.objects.values_list("address__division_id", flat=True)
    assert all(code.startswith("3301") for code in divisions)  # 杭州市's districts
    figures = latency.measure(city, warmup=0)
    assert figures["full_path"]["n"] == 4
    assert figures["same_top3"] == 4
    assert figures["eligible_mean"] > 0

    # --latency-only reports benchmark 3 alone.
    from bench.dispatch_sim import report

    figures.update(full_path_frozen=figures["full_path"], met_frozen=figures["met"])
    out = report({"latency": figures})
    assert out.startswith("Assignment latency (benchmark 3)")
    assert "top three identical on both paths: 4/4" in out
    assert "Dispatch simulation" not in out


def test_latency_only_and_no_latency_exclude_each_other(capsys):
    from bench.dispatch_sim import main

    with pytest.raises(SystemExit):
        main(["--latency-only", "--no-latency"])
    assert "exclude each other" in capsys.readouterr().err


def test_the_command_runs_a_small_day(capsys, tmp_path):
    from baoxiu.cli import run_benchmark

    path = tmp_path / "day.json"
    code = run_benchmark(
        ["dispatch-sim", "--technicians", "4", "--hours", "1", "--no-hindsight", "--no-latency"]
        + ["--dump-scenario", str(path)]
    )

    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("Dispatch simulation (benchmark 2)")
    assert "4 technicians, 5 requests in 1 h from 08:00" in out
    assert scenarios.load(path) == scenarios.generate(technicians=4, hours=1, seed=1)
