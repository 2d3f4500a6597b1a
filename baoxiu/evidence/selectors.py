"""Reads on job evidence and completion confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from baoxiu.core.crypto import blind_index
from baoxiu.evidence.choices import RETURNED, PhotoKind
from baoxiu.evidence.models import (
    CompletionConfirmation,
    CompletionReview,
    EvidenceRule,
    JobPhoto,
    PartReplacement,
)

CODE_DIGITS = 6


def completion_code(ticket) -> str:
    """The six-digit code the customer reads out when the job is done.

    Derived (keyed hash of the ticket and its tracking token), never stored: only
    someone holding the tracking link can see it, and resetting a leaked link
    changes it too."""
    digest = blind_index(f"{ticket.pk}:{ticket.tracking_token}", purpose="completion-code")
    return f"{int(digest, 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def photos_for(ticket) -> QuerySet[JobPhoto]:
    return JobPhoto.objects.filter(ticket=ticket).order_by("created_at", "id")


def parts_for(ticket) -> QuerySet[PartReplacement]:
    return PartReplacement.objects.filter(ticket=ticket).order_by("created_at", "id")


def evidence_rule_for(fault_type) -> EvidenceRule | None:
    return EvidenceRule.objects.filter(fault_type=fault_type).first()


def confirmation_for(ticket) -> CompletionConfirmation | None:
    return CompletionConfirmation.objects.filter(ticket=ticket).first()


def review_for(ticket) -> CompletionReview | None:
    return CompletionReview.objects.filter(ticket=ticket).first()


def reviews_open() -> QuerySet[CompletionReview]:
    return (
        CompletionReview.objects.filter(resolved_at__isnull=True)
        .select_related("ticket", "ticket__fault_type", "ticket__technician")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class Missing:
    code: str
    message: str


def evidence_missing(ticket) -> list[Missing]:
    """What the fault type's evidence rule still wants before the job may be completed."""
    from django.utils.translation import gettext as _

    rule = evidence_rule_for(ticket.fault_type)
    if rule is None:
        return []
    missing = []
    counts = {kind: 0 for kind in PhotoKind.values}
    for kind in photos_for(ticket).values_list("kind", flat=True):
        counts[kind] += 1
    if counts[PhotoKind.BEFORE] < rule.before_photos:
        missing.append(
            Missing(
                "evidence_before_photo_missing",
                _("完工前须上传至少 %(n)d 张维修前照片。") % {"n": rule.before_photos},
            )
        )
    if counts[PhotoKind.AFTER] < rule.after_photos:
        missing.append(
            Missing(
                "evidence_after_photo_missing",
                _("完工前须上传至少 %(n)d 张维修后照片。") % {"n": rule.after_photos},
            )
        )
    if rule.old_part_return_required:
        fates = list(parts_for(ticket).values_list("old_part", flat=True))
        if not fates:
            missing.append(Missing("evidence_part_missing", _("完工前须登记更换的配件。")))
        elif any(fate not in RETURNED for fate in fates):
            missing.append(
                Missing(
                    "evidence_old_part_not_returned",
                    _("该故障类型须将旧件交还客户或交回网点。"),
                )
            )
    return missing


def reviews_open_for(user) -> QuerySet[CompletionReview]:
    """Open completion reviews on the tickets ``user`` may see, oldest first."""
    from baoxiu.tickets.selectors import tickets_visible_to

    return reviews_open().filter(ticket__in=tickets_visible_to(user))
