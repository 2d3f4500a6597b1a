"""Reads on lock-opening policies and register records."""

from __future__ import annotations

from django.utils.translation import gettext as _

from baoxiu.evidence.selectors import Missing
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord

# Used where no policy row matches, not even a national one: the strictest
# common practice (ID, residence, a witness or the police, three months and more).
BUILT_IN_DEFAULT = LockOpeningPolicy(
    division_prefix="",
    name="全国默认规定",
    requires_id_check=True,
    requires_residence_proof=True,
    witness_rule=WitnessRule.EITHER,
    retention_days=180,
)


def policy_for_ticket(ticket) -> LockOpeningPolicy:
    """The policy of the longest division prefix matching the ticket's address."""
    code = (ticket.address.area_code or "")[:6]
    prefixes = [code[:n] for n in (6, 4, 2) if len(code) >= n] + [""]
    found = {
        p.division_prefix: p for p in LockOpeningPolicy.objects.filter(division_prefix__in=prefixes)
    }
    for prefix in prefixes:
        if prefix in found:
            return found[prefix]
    return BUILT_IN_DEFAULT


def record_for(ticket) -> LockOpeningRecord | None:
    return LockOpeningRecord.objects.filter(ticket=ticket).first()


def lock_opening_missing(record: LockOpeningRecord | None) -> list[Missing]:
    """Every element the register record still lacks, in the order of the form."""
    if record is None:
        return [Missing("lock_opening_record_missing", _("开锁前须完成开锁登记。"))]
    missing = []
    if record.requires_id_check:
        if not record.id_consent_at:
            missing.append(
                Missing(
                    "lock_opening_id_consent_missing", _("须取得客户对采集身份证号的单独同意。")
                )
            )
        if not record.id_number:
            missing.append(Missing("lock_opening_id_missing", _("须登记开锁人的身份证号。")))
        if not record.id_checked:
            missing.append(Missing("lock_opening_id_not_checked", _("须核验身份证原件。")))
    if record.requires_residence_proof and not record.residence_proof_file:
        missing.append(
            Missing(
                "lock_opening_residence_missing", _("须拍摄居住证明（房产证、租赁合同等）照片。")
            )
        )
    witnessed = (
        record.witness_kind == WitnessKind.WITNESS
        and record.witness_name
        and record.witness_signature_file
    )
    police = record.witness_kind == WitnessKind.POLICE and record.police_reference
    rule = record.witness_rule
    if rule == WitnessRule.WITNESS and not witnessed:
        missing.append(_witness_missing(record))
    elif rule == WitnessRule.POLICE and not police:
        missing.append(Missing("lock_opening_police_missing", _("须填写公安到场或备案编号。")))
    elif rule == WitnessRule.EITHER and not (witnessed or police):
        if record.witness_kind == WitnessKind.POLICE:
            missing.append(Missing("lock_opening_police_missing", _("须填写公安到场或备案编号。")))
        else:
            missing.append(_witness_missing(record))
    return missing


def _witness_missing(record) -> Missing:
    if not record.witness_name:
        return Missing("lock_opening_witness_missing", _("须登记见证人姓名。"))
    return Missing("lock_opening_signature_missing", _("须由见证人签名。"))
