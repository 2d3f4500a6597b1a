"""Demo records for on-site evidence and lock opening (开锁).

The lock-opening policies below are illustrative settings for the fictional
demo network, not a statement of any city's actual rules. Demo history goes
through the same gates as live work: each lock-opening job gets its register
record before work starts, and jobs get their evidence and, mostly, the
customer's confirmation before completion (a few completed jobs are left for
the desk to review).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from baoxiu.catalog.models import FaultType
from baoxiu.evidence.models import EvidenceRule
from baoxiu.evidence.selectors import completion_code, evidence_rule_for
from baoxiu.evidence.services import completion_confirm_by_code, part_record, photo_add
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.lockopening.idnumbers import id_check_char
from baoxiu.lockopening.models import LockOpeningPolicy
from baoxiu.lockopening.selectors import lock_opening_missing, record_for
from baoxiu.lockopening.services import lock_opening_record_save
from baoxiu.tickets.choices import TicketStatus

LOCK_OPENING_FAULTS = ("locked-out",)

# (division prefix, name, ID check, residence proof, witness rule, retention days)
POLICIES = [
    ("", "全国默认（演示）", True, True, WitnessRule.EITHER, 90),
    ("11", "北京市（演示）", True, True, WitnessRule.EITHER, 365),
    ("31", "上海市（演示）", True, True, WitnessRule.EITHER, 365),
    ("12", "天津市（演示）", True, True, WitnessRule.WITNESS, 180),
    ("50", "重庆市（演示）", True, True, WitnessRule.WITNESS, 180),
    ("4401", "广州市（演示）", True, True, WitnessRule.WITNESS, 180),
    ("4403", "深圳市（演示）", True, True, WitnessRule.POLICE, 180),
    ("4419", "东莞市（演示）", True, False, WitnessRule.WITNESS, 120),
    ("3301", "杭州市（演示）", True, True, WitnessRule.EITHER, 180),
    ("3201", "南京市（演示）", True, True, WitnessRule.EITHER, 180),
    ("5101", "成都市（演示）", True, True, WitnessRule.WITNESS, 180),
    ("4602", "三亚市（演示）", True, False, WitnessRule.EITHER, 90),
]

# fault code → (before photos, after photos, old part returned)
EVIDENCE_RULES = {
    "locked-out": (0, 1, False),
    "motor-clutch": (1, 1, True),
    "lock-body-damage": (1, 1, True),
    "installation": (1, 1, False),
    "screen-dark": (1, 1, False),
}
PARTS = {
    "motor-clutch": ("离合电机", "PART-MOTOR"),
    "lock-body-damage": ("锁体", "PART-BODY"),
}
UNCONFIRMED_SHARE = 0.15  # completed jobs left without the customer's confirmation


def evidence_reference_create(faults: dict[str, FaultType]) -> None:
    """Mark lock-opening fault types, and load the policies and evidence rules."""
    FaultType.objects.filter(code__in=LOCK_OPENING_FAULTS).update(lock_opening=True)
    for code in LOCK_OPENING_FAULTS:
        if code in faults:
            faults[code].lock_opening = True
    for prefix, name, id_check, residence, witness, days in POLICIES:
        LockOpeningPolicy.objects.get_or_create(
            division_prefix=prefix,
            defaults={
                "name": name,
                "requires_id_check": id_check,
                "requires_residence_proof": residence,
                "witness_rule": witness,
                "retention_days": days,
            },
        )
    for code, (before, after, old_part) in EVIDENCE_RULES.items():
        if code in faults:
            EvidenceRule.objects.get_or_create(
                fault_type=faults[code],
                defaults={
                    "before_photos": before,
                    "after_photos": after,
                    "old_part_return_required": old_part,
                },
            )


def evidence_before_step(*, ticket, action: str, closes_later: bool) -> int:
    """Do what the technician does on site before ``action``; returns the number
    of timeline events written (the demo dates them with the step)."""
    rng = random.Random(ticket.pk)  # its own generator: the main sequence stays as it was
    tech_user = ticket.technician.user if ticket.technician else None
    if action == "start_work" and ticket.fault_type.lock_opening and tech_user:
        if not lock_opening_missing(record_for(ticket)):
            return 0  # a re-visit after a reopen: the register of the opening stands
        return _register_fill(ticket, tech_user, rng)
    if action == "complete" and tech_user:
        _evidence_add(ticket, tech_user, rng)
        if closes_later or rng.random() >= UNCONFIRMED_SHARE:
            completion_confirm_by_code(ticket=ticket, actor=tech_user, code=completion_code(ticket))
            return 1
    return 0


def _register_fill(ticket, user, rng: random.Random) -> int:
    body = f"110105{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    record = lock_opening_record_save(
        ticket=ticket,
        actor=user,
        id_consent=True,
        id_number=body + id_check_char(body),
        id_checked=True,
        residence_photo=_image("房产证", rng),
    )
    police = record.witness_rule == WitnessRule.POLICE or (
        record.witness_rule == WitnessRule.EITHER and rng.random() < 0.3
    )
    if police:
        lock_opening_record_save(
            ticket=ticket,
            actor=user,
            witness_kind=WitnessKind.POLICE,
            police_reference=f"JJ{rng.randint(10**7, 10**8 - 1)}",
        )
    else:
        lock_opening_record_save(
            ticket=ticket,
            actor=user,
            witness_kind=WitnessKind.WITNESS,
            witness_name=rng.choice(["物业王经理", "邻居张阿姨", "保安李师傅"]),
            signature=_image("签名", rng, png=True),
        )
    return 1  # 开锁登记完成


def _evidence_add(ticket, user, rng: random.Random) -> None:
    rule = evidence_rule_for(ticket.fault_type)
    if rule is None or ticket.status != TicketStatus.IN_PROGRESS:
        return
    for kind, count in (("before", rule.before_photos), ("after", rule.after_photos)):
        for _ in range(count):
            photo_add(ticket=ticket, actor=user, kind=kind, upload=_image(kind, rng))
    if rule.old_part_return_required:
        name, code = PARTS.get(ticket.fault_type.code, ("配件", "PART"))
        part_record(
            ticket=ticket,
            actor=user,
            name=name,
            code=code,
            new_serial=f"N{rng.randint(10**7, 10**8 - 1)}",
            old_serial=f"O{rng.randint(10**7, 10**8 - 1)}",
            old_part=rng.choice(["customer", "outlet"]),
        )


def _image(label: str, rng: random.Random, *, png: bool = False) -> io.BytesIO:
    """A small placeholder picture standing in for a phone photo."""
    colour = (rng.randint(90, 220), rng.randint(90, 220), rng.randint(90, 220))
    image = Image.new("RGB", (160, 120), "white" if png else colour)
    draw = ImageDraw.Draw(image)
    if png:
        points = [(10 + i * 14, 60 + rng.randint(-25, 25)) for i in range(10)]
        draw.line(points, fill="black", width=3)
    else:
        draw.rectangle((20, 20, 140, 100), outline="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG" if png else "JPEG")
    buffer.seek(0)
    return buffer


def demo_registers_backdate() -> None:
    """Demo-only: each lock-opening register was completed when its timeline
    says (the 开锁登记完成 line, already moved back with the history); its other
    times and its deletion date move back by the same amount."""
    from baoxiu.lockopening.models import LockOpeningRecord
    from baoxiu.tickets.choices import EventType
    from baoxiu.tickets.models import TicketEvent

    registered = dict(
        TicketEvent.objects.filter(type=EventType.LOCK_REGISTERED)
        .order_by("-created_at")  # the earliest, last, wins in the dict
        .values_list("ticket_id", "created_at")
    )
    for record in LockOpeningRecord.objects.filter(ticket_id__in=list(registered)):
        at = registered[record.ticket_id]
        shift = at - (record.completed_at or record.created_at)
        record.created_at = min(record.created_at + shift, at)
        record.updated_at = at
        record.completed_at = at if record.completed_at else None
        if record.id_consent_at:
            record.id_consent_at = record.id_consent_at + shift
        record.purge_after = record.purge_after + shift
        record.save(
            update_fields=[
                "created_at",
                "updated_at",
                "completed_at",
                "id_consent_at",
                "purge_after",
            ]
        )
