"""Partner applications: submission, approval, rejection."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from prm.accounts.models import User
from prm.core.text import web_domain
from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole, Role
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from ..choices import (
    ApplicationStatus,
    LifecycleStage,
)
from ..models import (
    PartnerApplication,
    PartnerOrganization,
    PartnerType,
    Tier,
)
from .lifecycle import partner_transition


def application_duplicate_reason(*, domain: str) -> str | None:
    """Why an application for `domain` would be a duplicate, or None."""
    if not domain:
        return None
    if PartnerApplication.objects.filter(domain=domain, status=ApplicationStatus.PENDING).exists():
        return f"An application for {domain} is already being reviewed."
    if PartnerOrganization.objects.filter(domain=domain).exists():
        return (
            f"{domain} is already a partner in this program: ask your partner admin to invite you."
        )
    return None


def application_submit(
    *,
    company_name: str,
    website: str,
    country: str,
    contact_name: str,
    contact_email: str,
    partner_type: PartnerType | None = None,
    contact_phone: str = "",
    message: str = "",
) -> PartnerApplication:
    """Record an application from the public form; duplicates (by domain) are refused."""
    domain = web_domain(website)
    duplicate = application_duplicate_reason(domain=domain)
    if duplicate:
        raise ValidationError({"website": duplicate})
    try:
        with transaction.atomic():
            application = PartnerApplication.objects.create(
                company_name=company_name.strip(),
                website=website,
                domain=domain,
                country=country.upper(),
                partner_type=partner_type,
                contact_name=contact_name.strip(),
                contact_email=contact_email.strip().lower(),
                contact_phone=contact_phone,
                message=message,
            )
    except IntegrityError:
        # Two submissions raced; the constraint kept one.
        raise ValidationError(
            {"website": f"An application for {domain} is already being reviewed."}
        ) from None
    staff = list(staff_users())
    notify(
        recipients=staff,
        kind="partner.application_received",
        title=f"New partner application: {application.company_name}",
        body=f"{application.contact_name} <{application.contact_email}> · {domain}",
        url=reverse("partners:application_detail", args=[application.pk]),
        dedupe_key=f"application:{application.pk}:received",
    )
    return application


def application_approve(
    *,
    application: PartnerApplication,
    acting_membership: Membership,
    channel_manager: User | None = None,
    tier: Tier | None = None,
    partner_type: PartnerType | None = None,
) -> PartnerOrganization:
    """Approve: create the organization (applied → onboarding), invite the applicant."""
    user = acting_membership.user
    from prm.accounts.services import invitation_create

    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(
            f"This application was already {application.get_status_display().lower()}."
        )
    if PartnerOrganization.objects.filter(name__iexact=application.company_name).exists():
        raise ValidationError(
            {"company_name": f"A partner named {application.company_name} already exists."}
        )
    if channel_manager is not None and not staff_users().filter(pk=channel_manager.pk).exists():
        raise ValidationError({"channel_manager": "Choose a channel manager of this program."})
    if tier is None:
        tier = Tier.objects.order_by("rank").first()
    with transaction.atomic():
        organization = PartnerOrganization.objects.create(
            name=application.company_name,
            website=application.website,
            domain=application.domain,
            country=application.country,
            partner_type=partner_type or application.partner_type,
            tier=tier,
            channel_manager=channel_manager or user,
            lifecycle_stage=LifecycleStage.PROSPECT,
        )
        partner_transition(
            organization=organization,
            target=LifecycleStage.APPLIED,
            acting_membership=None,
            reason="Applied through the application form.",
        )
        partner_transition(
            organization=organization,
            target=LifecycleStage.ONBOARDING,
            acting_membership=acting_membership,
            reason="Application approved.",
        )
        application.status = ApplicationStatus.APPROVED
        application.reviewed_by = user
        application.reviewed_at = timezone.now()
        application.organization = organization
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "organization"])
        invitation_create(
            email=application.contact_email,
            role=Role.PARTNER,
            acting_membership=acting_membership,
            partner_organization=organization,
            partner_role=PartnerRole.PARTNER_ADMIN,
            full_name=application.contact_name,
        )
    return organization


def application_reject(
    *, application: PartnerApplication, acting_membership: Membership, reason: str
) -> PartnerApplication:
    """Reject with a reason, and tell the applicant by e-mail."""
    user = acting_membership.user
    from django.core.mail import send_mail

    from prm.tenancy.context import require_current_tenant

    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(
            f"This application was already {application.get_status_display().lower()}."
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the applicant a reason."})
    tenant = require_current_tenant()
    with transaction.atomic():
        application.status = ApplicationStatus.REJECTED
        application.reviewed_by = user
        application.reviewed_at = timezone.now()
        application.rejection_reason = reason.strip()
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
        email, name, company = (
            application.contact_email,
            application.contact_name,
            application.company_name,
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Your application to the {tenant.name} partner program",
                message=(
                    f"Hello {name},\n\nThank you for applying with {company}. We are not able "
                    f"to accept the application at this time.\n\nReason: {reason.strip()}\n"
                ),
                from_email=None,
                recipient_list=[email],
            )
        )
    return application
