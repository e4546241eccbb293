"""Program agreements: drafting, publishing, acceptance."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole
from prm.tenancy.models import Membership

from ..choices import (
    LifecycleStage,
    OnboardingEvent,
)
from ..models import (
    Agreement,
    AgreementAcceptance,
    PartnerOrganization,
    PartnerType,
)
from .lifecycle import onboarding_event_record
from .program import add_months, agreement_current


def agreement_create(
    *, partner_type: PartnerType, title: str, body: str, valid_months: int = 12
) -> Agreement:
    """A new draft version (the next number) of a partner type's agreement."""
    with transaction.atomic():
        last = (
            Agreement.objects.select_for_update()
            .filter(partner_type=partner_type)
            .order_by("-version")
            .first()
        )
        return Agreement.objects.create(
            partner_type=partner_type,
            version=(last.version + 1) if last else 1,
            title=title,
            body=body,
            valid_months=valid_months,
        )


def agreement_publish(*, agreement: Agreement, acting_membership: Membership) -> int:
    """Publish a version; every affected partner admin is asked to accept again.

    Returns the number of partner admins asked.
    """
    user = acting_membership.user
    if agreement.is_published:
        raise ValidationError("This version is already published.")
    current = agreement_current(partner_type_id=agreement.partner_type_id)
    if current is not None and current.version > agreement.version:
        raise ValidationError(f"Version {current.version} is already published; edit a newer one.")
    with transaction.atomic():
        agreement.published_at = timezone.now()
        agreement.published_by = user
        agreement.save(update_fields=["published_at", "published_by"])
        admins = [
            m.user
            for m in Membership.objects.filter(
                partner_organization__partner_type=agreement.partner_type,
                partner_role=PartnerRole.PARTNER_ADMIN,
                is_active=True,
            )
            .exclude(partner_organization__lifecycle_stage=LifecycleStage.OFFBOARDED)
            .select_related("user")
        ]
        notify(
            recipients=admins,
            kind="partner.agreement_published",
            title=f"Please accept {agreement.title} (version {agreement.version})",
            body="A new version of the program agreement needs your acceptance before your "
            "organization can register deals or claim funds.",
            url=reverse("partners:portal_agreement"),
            dedupe_key=f"agreement:{agreement.pk}:published",
            actor=user,
        )
    return len(admins)


def agreement_accept(
    *,
    organization: PartnerOrganization,
    acting_membership: Membership,
    agreement: Agreement | None = None,
) -> AgreementAcceptance:
    """The partner admin accepts the current agreement of its partner type."""
    if not (
        acting_membership.is_partner_admin
        and acting_membership.partner_organization_id == organization.pk
    ):
        raise PermissionDenied(
            "Only a partner admin of this organization can accept the agreement."
        )
    current = agreement_current(partner_type_id=organization.partner_type_id)
    if current is None:
        raise ValidationError("There is no agreement to accept for your partner type.")
    if agreement is not None and agreement.pk != current.pk:
        raise ValidationError(
            f"Version {agreement.version} is no longer current; "
            f"please read version {current.version}."
        )
    now = timezone.now()
    with transaction.atomic():
        acceptance, _ = AgreementAcceptance.objects.update_or_create(
            agreement=current,
            organization=organization,
            defaults={
                "accepted_by": acting_membership.user,
                "accepted_at": now,
                "expires_at": add_months(moment=now, months=current.valid_months),
            },
        )
        onboarding_event_record(organization=organization, event=OnboardingEvent.AGREEMENT_ACCEPTED)
    return acceptance
