import pytest

from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.selectors import technicians_for_assignment
from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    SkillFactory,
    TechnicianFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db


def test_skills_filter_then_local_then_least_busy(dispatcher):
    fingerprint, motor = SkillFactory(code="fp"), SkillFactory(code="motor")
    fault = FaultTypeFactory(code="fp-fault")
    fault.required_skills.set([fingerprint, motor])
    here = OutletFactory(area_name="本溪市南芬区")
    there = OutletFactory(area_name="东莞市谢岗镇")
    far_idle = TechnicianFactory(outlet=there, name="远处空闲")
    near_busy = TechnicianFactory(outlet=here, name="本地忙碌")
    near_idle = TechnicianFactory(outlet=here, name="本地空闲")
    unskilled = TechnicianFactory(outlet=here, name="缺技能")
    for tech in (far_idle, near_busy, near_idle):
        tech.skills.set([fingerprint, motor])
    unskilled.skills.set([fingerprint])
    inactive = TechnicianFactory(outlet=here, name="停用", active=False)
    inactive.skills.set([fingerprint, motor])
    ticket = make_ticket(fault_type=fault)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=near_busy)

    found = technicians_for_assignment(fault_type=fault, area_name="本溪市南芬区")

    assert [(t.name, t.open_jobs) for t in found] == [
        ("本地空闲", 0),
        ("本地忙碌", 1),
        ("远处空闲", 0),
    ]
