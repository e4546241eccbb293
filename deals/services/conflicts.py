"""Conflict resolution between registrations for the same customer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.tenancy.models import Membership

from ..choices import (
    ConflictDecision,
    ConflictStatus,
    DealStatus,
    RejectionCode,
)
from ..models import (
    DealConflict,
)
from ..selectors import (
    conflict_first_comer,
)
from ._common import CONFLICT_PREFERRED_TEXT, CONFLICT_REJECTION_TEXT, _locked
from .review import deal_reject


def conflict_resolve(
    *,
    conflict: DealConflict,
    acting_membership: Membership,
    decision: str,
    reason_code: str,
    note: str = "",
) -> DealConflict:
    """Decide a conflict; the losing registration, if still pending, is rejected.

    The partner that lost reads only that an earlier registration exists.
    """
    user = acting_membership.user
    if decision not in ConflictDecision.values:
        raise ValidationError({"decision": "Choose a decision."})
    if not reason_code:
        raise ValidationError({"reason_code": "Choose a reason code."})
    with transaction.atomic():
        conflict = (
            DealConflict.objects.select_for_update(of=("self",))
            .select_related("deal", "other_deal")
            .get(pk=conflict.pk)
        )
        if conflict.status != ConflictStatus.OPEN:
            raise ValidationError("This conflict was already decided.")
        first = conflict_first_comer(conflict=conflict)
        later = conflict.other_deal if first.pk == conflict.deal_id else conflict.deal
        loser = None
        if decision == ConflictDecision.EARLIER_WINS:
            loser = later
        elif decision == ConflictDecision.LATER_WINS:
            loser = first
        if loser is not None:
            loser = _locked(loser)
            if loser.status == DealStatus.APPROVED:
                raise ValidationError(
                    f"{loser.reference} is already approved and protected: it cannot lose "
                    "this conflict."
                )
        conflict.status = ConflictStatus.RESOLVED
        conflict.decision = decision
        conflict.reason_code = reason_code
        conflict.decision_note = (note or "").strip()
        conflict.decided_by = user
        conflict.decided_at = timezone.now()
        conflict.full_clean(exclude=["tenant", "deal", "other_deal"])
        conflict.save()
        if loser is not None and loser.is_pending:
            # Other open conflicts of the loser end with it.
            DealConflict.objects.involving(loser).open().update(
                status=ConflictStatus.RESOLVED,
                decision=decision,
                reason_code=reason_code,
                decision_note=f"Resolved with {first.reference} / {later.reference}.",
                decided_by=user,
                decided_at=conflict.decided_at,
            )
            deal_reject(
                deal=loser,
                acting_membership=acting_membership,
                reason=CONFLICT_REJECTION_TEXT if loser.pk == later.pk else CONFLICT_PREFERRED_TEXT,
                code=RejectionCode.CONFLICT,
            )
    return conflict
