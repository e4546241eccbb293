"""Catalogue and motions: products, motions and their stages."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from partners.models import PartnerOrganization, PartnerType

from ..choices import (
    DealStatus,
    StageOwner,
)
from ..models import (
    Deal,
    Motion,
    MotionPartnerType,
    MotionStage,
    Product,
)


def product_save(*, product: Product) -> Product:
    product.sku = product.sku.strip()
    if Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk).exists():
        raise ValidationError({"sku": "Another product already has this SKU."})
    product.full_clean(exclude=["tenant"])
    product.save()
    return product


def motion_save(*, motion: Motion, partner_types: Iterable[PartnerType] | None = None) -> Motion:
    if Motion.objects.filter(key=motion.key).exclude(pk=motion.pk).exists():
        raise ValidationError({"key": "Another motion already uses this key."})
    with transaction.atomic():
        motion.save()
        if partner_types is not None:
            wanted = {t.pk for t in partner_types}
            MotionPartnerType.objects.filter(motion=motion).exclude(
                partner_type_id__in=wanted
            ).delete()
            have = set(
                MotionPartnerType.objects.filter(motion=motion).values_list(
                    "partner_type_id", flat=True
                )
            )
            for type_id in wanted - have:
                MotionPartnerType.objects.create(motion=motion, partner_type_id=type_id)
    return motion


def motion_retire(*, motion: Motion, active: bool = False) -> Motion:
    """Retire (or bring back) a motion: no new deals; existing deals keep their stages."""
    motion.is_active = active
    motion.save(update_fields=["is_active"])
    return motion


def motion_stage_add(
    *,
    motion: Motion,
    name: str,
    owner: str,
    sla_days: int,
    is_won: bool = False,
    is_lost: bool = False,
) -> MotionStage:
    if is_won and is_lost:
        raise ValidationError("A stage cannot be both won and lost.")
    if owner not in StageOwner.values:
        raise ValidationError({"owner": "Choose partner, vendor or both."})
    with transaction.atomic():
        Motion.objects.select_for_update().filter(pk=motion.pk).first()
        last = MotionStage.objects.filter(motion=motion).aggregate(m=Max("position"))["m"] or 0
        return MotionStage.objects.create(
            motion=motion,
            name=name.strip(),
            owner=owner,
            sla_days=0 if (is_won or is_lost) else (sla_days or 0),
            is_won=is_won,
            is_lost=is_lost,
            position=last + 1,
        )


def motion_stage_update(
    *, stage: MotionStage, name: str, owner: str, sla_days: int, is_won: bool, is_lost: bool
) -> MotionStage:
    """Rename a stage, change its owner, SLA or closing flag (its place stays)."""
    if is_won and is_lost:
        raise ValidationError("A stage cannot be both won and lost.")
    if (is_won or is_lost) and Deal.objects.filter(
        stage=stage, status=DealStatus.APPROVED
    ).exists():
        raise ValidationError("Open deals are in this stage: it cannot become a closing stage.")
    stage.name = name.strip()
    stage.owner = owner
    stage.sla_days = 0 if (is_won or is_lost) else (sla_days or 0)  # no SLA on closing
    stage.is_won = is_won
    stage.is_lost = is_lost
    stage.save()
    return stage


def motion_allowed_for(*, motion: Motion, organization: PartnerOrganization) -> bool:
    types = set(
        MotionPartnerType.objects.filter(motion=motion).values_list("partner_type_id", flat=True)
    )
    return not types or organization.partner_type_id in types


def motions_available_to(*, organization: PartnerOrganization) -> QuerySet[Motion]:
    """Active motions this partner's type may use."""
    return (
        Motion.objects.filter(is_active=True)
        .filter(
            Q(type_links__isnull=True) | Q(type_links__partner_type_id=organization.partner_type_id)
        )
        .distinct()
        .order_by("name")
    )


def motions_available_list(*, organization: PartnerOrganization) -> tuple[Motion, ...]:
    """`motions_available_to`, read once per organization object.

    A portal page asks for the member's motions several times: the header's audience
    rules (marketing), the registration gate, enablement's audience of the gate's
    learning paths. The answer is kept on the object, which the middleware builds afresh
    for every request (prm.tenancy.access), keyed by its partner type so that a changed
    type reads them again.
    """
    kept = organization.__dict__.get("_motions_available")
    if kept is not None and kept[0] == organization.partner_type_id:
        return kept[1]
    motions = tuple(motions_available_to(organization=organization))
    organization._motions_available = (organization.partner_type_id, motions)
    return motions
