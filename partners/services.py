"""Business rules of the partner program (writes). Reads live in partners/selectors.py.

The four contract functions at the top are called by the other apps (deals, enablement,
incentives); keep their signatures stable.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from prm.core.text import web_domain
from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole, Role
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from .choices import (
    TRANSACTING_STAGES,
    ApplicationStatus,
    BenefitKind,
    LifecycleStage,
    OnboardingEvent,
)
from .models import (
    TRANSITION_TO,
    Agreement,
    AgreementAcceptance,
    Benefit,
    BusinessPlan,
    BusinessPlanComment,
    BusinessPlanGoal,
    LifecycleTransition,
    OnboardingItem,
    OnboardingPlan,
    PartnerApplication,
    PartnerOrganization,
    PartnerType,
    ProgramSettings,
    Tier,
    TierBenefit,
    TierChange,
    Touchpoint,
)
from .selectors import partner_vendor_contacts

# ---------------------------------------------------------------------------------------
# Contract functions (used by deals, enablement, incentives)
# ---------------------------------------------------------------------------------------


def partner_can_transact(*, organization: PartnerOrganization) -> bool:
    """The agreement gate: may this partner register deals and claim funds?

    True when the organization is active (or at risk) and has a current (accepted,
    unexpired) acceptance of the current agreement version of its partner type. A tenant
    that has no agreement at all for that partner type does not gate on it.
    """
    return not partner_transact_blockers(organization=organization)


def partner_transact_blockers(*, organization: PartnerOrganization) -> list[str]:
    """Why the gate is closed, in words for the partner; empty when it is open."""
    if not organization.is_active or organization.lifecycle_stage not in TRANSACTING_STAGES:
        if organization.lifecycle_stage in (
            LifecycleStage.PROSPECT,
            LifecycleStage.APPLIED,
            LifecycleStage.ONBOARDING,
        ):
            return ["onboarding is not complete yet"]
        return ["the organization is not active in the program"]
    agreement = agreement_current(partner_type_id=organization.partner_type_id)
    if agreement is None:
        return []
    accepted = AgreementAcceptance.objects.filter(
        agreement=agreement, organization=organization, expires_at__gt=timezone.now()
    ).exists()
    return [] if accepted else ["the current program agreement is not accepted"]


def partner_benefit_value(*, organization: PartnerOrganization, benefit_key: str):
    """The value of a benefit (e.g. "deal_protection_days") at the partner's tier, or None.

    Typed by the benefit's kind: count → int, percentage/amount → Decimal, flag → bool,
    text → str.
    """
    if organization.tier_id is None:
        return None
    row = (
        TierBenefit.objects.filter(tier_id=organization.tier_id, benefit__key=benefit_key)
        .select_related("benefit")
        .first()
    )
    if row is None:
        return None
    return benefit_parse_value(kind=row.benefit.kind, raw=row.value)


def onboarding_event_record(*, organization: PartnerOrganization, event: str) -> None:
    """Complete the onboarding tasks that `event` completes (e.g. "first_deal_registered",
    "first_certification_earned"); does nothing when none is open. Idempotent.

    When the plan's required tasks are then all done, onboarding → active.
    """
    if event not in OnboardingEvent.values:
        raise ValueError(f"Unknown onboarding event {event!r}.")
    with transaction.atomic():
        organization = PartnerOrganization.objects.select_for_update().get(pk=organization.pk)
        if organization.lifecycle_stage == LifecycleStage.ONBOARDING:
            onboarding_items_ensure(organization=organization)
        now = timezone.now()
        completed = OnboardingItem.objects.filter(
            organization=organization, completed_at__isnull=True, task__completion_event=event
        ).update(completed_at=now)
        if completed or organization.lifecycle_stage == LifecycleStage.ONBOARDING:
            _onboarding_maybe_finish(organization=organization)


def partner_activity_record(*, organization: PartnerOrganization) -> None:
    """Note that the partner did something (keeps it from being marked at risk).

    An at-risk or inactive partner becomes active again.
    """
    now = timezone.now()
    with transaction.atomic():
        PartnerOrganization.objects.filter(pk=organization.pk).update(last_activity_at=now)
        organization.last_activity_at = now
        fresh = PartnerOrganization.objects.select_for_update().get(pk=organization.pk)
        if fresh.lifecycle_stage in (LifecycleStage.AT_RISK, LifecycleStage.INACTIVE):
            partner_transition(
                organization=fresh,
                target=LifecycleStage.ACTIVE,
                reason="Activity recorded.",
                by=None,
            )
            organization.lifecycle_stage = fresh.lifecycle_stage


# ---------------------------------------------------------------------------------------
# Program settings, types, tiers, benefits
# ---------------------------------------------------------------------------------------


def add_months(moment, months: int):
    """`moment` plus whole calendar months (the day clamped to the month's end)."""
    import calendar

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def program_settings() -> ProgramSettings:
    """The current tenant's program settings (created with defaults on first use)."""
    current = ProgramSettings.objects.first()
    if current is None:
        try:
            with transaction.atomic():
                current = ProgramSettings.objects.create()
        except IntegrityError:
            current = ProgramSettings.objects.get()
    return current


def benefit_parse_value(*, kind: str, raw: str):
    """Read a stored benefit value according to the benefit's kind; ValueError when bad."""
    raw = (raw or "").strip()
    if kind == BenefitKind.COUNT:
        if not raw.isdigit():
            raise ValueError("Enter a whole number, e.g. 90.")
        return int(raw)
    if kind in (BenefitKind.PERCENTAGE, BenefitKind.AMOUNT):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Enter a number, e.g. 12.5.") from None
        if value < 0 or (kind == BenefitKind.PERCENTAGE and value > 100):
            raise ValueError("Enter a percentage between 0 and 100.")
        return value
    if kind == BenefitKind.FLAG:
        lowered = raw.lower()
        if lowered in ("yes", "true", "1"):
            return True
        if lowered in ("no", "false", "0", ""):
            return False
        raise ValueError("Enter yes or no.")
    return raw


def benefit_display(*, kind: str, raw: str) -> str:
    try:
        value = benefit_parse_value(kind=kind, raw=raw)
    except ValueError:
        return raw
    if kind == BenefitKind.PERCENTAGE:
        return f"{value.normalize():f}%"
    if kind == BenefitKind.FLAG:
        return "Yes" if value else "No"
    if kind == BenefitKind.AMOUNT:
        return f"{value:,.2f}"
    return str(value)


def tier_validate(*, tier: Tier) -> None:
    """Ranks unique; requirements not lower than the tier below, nor higher than the one above.

    Raises ValidationError with a message per offending field.
    """
    others = Tier.objects.exclude(pk=tier.pk)
    if others.filter(rank=tier.rank).exists():
        raise ValidationError({"rank": f"Another tier already has rank {tier.rank}."})
    if others.filter(name__iexact=tier.name).exists():
        raise ValidationError({"name": f"A tier named {tier.name} already exists."})
    below = others.filter(rank__lt=tier.rank).order_by("-rank").first()
    above = others.filter(rank__gt=tier.rank).order_by("rank").first()
    errors: dict[str, str] = {}
    for field in Tier.REQUIREMENT_FIELDS:
        label = Tier._meta.get_field(field).verbose_name
        value = getattr(tier, field)
        if below is not None and value < getattr(below, field):
            errors[field] = (
                f"The {label} requirement ({value}) is lower than {below.name}'s "
                f"({getattr(below, field)}), the tier below."
            )
        elif above is not None and value > getattr(above, field):
            errors[field] = (
                f"The {label} requirement ({value}) is higher than {above.name}'s "
                f"({getattr(above, field)}), the tier above."
            )
    if errors:
        raise ValidationError(errors)


def tier_save(*, tier: Tier) -> Tier:
    """Create or update a tier after checking its rank and requirements."""
    with transaction.atomic():
        tier_validate(tier=tier)
        tier.full_clean(exclude=["tenant"], validate_constraints=False)
        tier.save()
    return tier


def tier_benefit_set(*, tier: Tier, benefit: Benefit, value: str) -> TierBenefit | None:
    """Set (or clear with an empty value) what a tier gets of a benefit."""
    value = (value or "").strip()
    with transaction.atomic():
        if not value:
            TierBenefit.objects.filter(tier=tier, benefit=benefit).delete()
            return None
        try:
            benefit_parse_value(kind=benefit.kind, raw=value)
        except ValueError as exc:
            raise ValidationError({"value": f"{benefit.name} at {tier.name}: {exc}"}) from None
        row, _ = TierBenefit.objects.update_or_create(
            tier=tier, benefit=benefit, defaults={"value": value}
        )
    return row


# ---------------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------------


def _stage_label(stage: str) -> str:
    return LifecycleStage(stage).label if stage in LifecycleStage.values else stage


def partner_transition(
    *,
    organization: PartnerOrganization,
    target: str,
    by=None,
    reason: str = "",
) -> LifecycleTransition:
    """Move a partner to `target` along the state machine and record who, when and why.

    A move the state machine does not allow raises ValidationError and changes nothing.
    Offboarding deactivates the partner's users (data kept); reinstating reactivates them.
    """
    source = organization.lifecycle_stage
    if target == LifecycleStage.OFFBOARDED and not reason.strip():
        raise ValidationError({"reason": "Say why this partner leaves the program."})
    if target == LifecycleStage.ACTIVE:
        method_name = {
            LifecycleStage.ONBOARDING: "activate",
            LifecycleStage.OFFBOARDED: "reinstate",
        }.get(source, "reactivate")
    else:
        method_name = TRANSITION_TO.get(target)
    method = getattr(organization, method_name, None) if method_name else None
    if method is None or not can_proceed(method):
        raise ValidationError(
            {
                "lifecycle_stage": (
                    f"A partner cannot move from {_stage_label(source)} to {_stage_label(target)}."
                )
            }
        )
    with transaction.atomic():
        method()
        organization.stage_changed_at = timezone.now()
        organization.save(update_fields=["lifecycle_stage", "stage_changed_at"])
        # Told before offboarding takes their access away, or after reinstating gives it back.
        admins = partner_admin_users(organization=organization)
        record = LifecycleTransition.objects.create(
            organization=organization,
            from_stage=source,
            to_stage=target,
            changed_by=by,
            reason=reason,
        )
        if target == LifecycleStage.OFFBOARDED:
            active = Membership.objects.filter(partner_organization=organization, is_active=True)
            record.deactivated_memberships = [str(pk) for pk in active.values_list("pk", flat=True)]
            record.save(update_fields=["deactivated_memberships"])
            active.update(is_active=False)
        elif source == LifecycleStage.OFFBOARDED:
            offboarding = (
                LifecycleTransition.objects.filter(
                    organization=organization, to_stage=LifecycleStage.OFFBOARDED
                )
                .order_by("-created_at", "-pk")
                .first()
            )
            if offboarding is not None:
                Membership.objects.filter(
                    partner_organization=organization,
                    pk__in=offboarding.deactivated_memberships,
                ).update(is_active=True)
            admins = partner_admin_users(organization=organization)
        if target == LifecycleStage.ONBOARDING:
            onboarding_items_ensure(organization=organization)
        if target in (LifecycleStage.ACTIVE, LifecycleStage.OFFBOARDED) or source == (
            LifecycleStage.OFFBOARDED
        ):
            notify(
                recipients=admins,
                kind="partner.stage_changed",
                title=f"{organization.name} is now {LifecycleStage(target).label.lower()}",
                body=reason,
                url=reverse("partners:portal_profile"),
                dedupe_key=f"partner:{organization.pk}:stage:{record.pk}",
                actor=by,
            )
    return record


def partner_admin_users(*, organization: PartnerOrganization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            partner_organization=organization,
            partner_role=PartnerRole.PARTNER_ADMIN,
            is_active=True,
        ).select_related("user")
    ]


def partner_tier_change(
    *, organization: PartnerOrganization, tier: Tier | None, by, reason: str
) -> TierChange:
    """Change a partner's tier by hand, with a reason; recorded and told to its admins."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the tier changes."})
    if tier is not None and tier.pk == organization.tier_id:
        raise ValidationError({"tier": f"{organization.name} is already {tier.name}."})
    with transaction.atomic():
        previous = organization.tier
        organization.tier = tier
        organization.save(update_fields=["tier"])
        change = TierChange.objects.create(
            organization=organization,
            from_tier=previous,
            to_tier=tier,
            changed_by=by,
            reason=reason.strip(),
        )
        notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.tier_changed",
            title=f"{organization.name}'s tier is now {tier.name if tier else 'none'}",
            body=reason.strip(),
            url=reverse("partners:portal_tier"),
            dedupe_key=f"partner:{organization.pk}:tier:{change.pk}",
            actor=by,
        )
    return change


def partner_profile_update(
    *, organization: PartnerOrganization, by_membership: Membership, data: dict
) -> PartnerOrganization:
    """The partner admin (or staff) edits the organization's profile."""
    if not (by_membership.is_staff_role or by_membership.is_partner_admin):
        raise PermissionDenied("Only a partner admin can edit the organization's profile.")
    allowed = {"name", "website", "country", "description", "phone", "address", "logo"}
    allowed |= {"listed_in_locator"}
    if by_membership.is_staff_role:
        allowed |= {"partner_type", "channel_manager"}
    with transaction.atomic():
        for field, value in data.items():
            if field in allowed:
                setattr(organization, field, value)
        if "website" in data:
            organization.domain = web_domain(organization.website)
        organization.save()
        if organization.profile_is_complete:
            onboarding_event_record(
                organization=organization, event=OnboardingEvent.PROFILE_COMPLETED
            )
    return organization


# ---------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------


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
    by,
    channel_manager=None,
    tier: Tier | None = None,
    partner_type: PartnerType | None = None,
) -> PartnerOrganization:
    """Approve: create the organization (applied → onboarding), invite the applicant."""
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
            channel_manager=channel_manager or by,
            lifecycle_stage=LifecycleStage.PROSPECT,
        )
        partner_transition(
            organization=organization,
            target=LifecycleStage.APPLIED,
            by=None,
            reason="Applied through the application form.",
        )
        partner_transition(
            organization=organization,
            target=LifecycleStage.ONBOARDING,
            by=by,
            reason="Application approved.",
        )
        application.status = ApplicationStatus.APPROVED
        application.reviewed_by = by
        application.reviewed_at = timezone.now()
        application.organization = organization
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "organization"])
        invitation_create(
            email=application.contact_email,
            role=Role.PARTNER,
            invited_by=by,
            partner_organization=organization,
            partner_role=PartnerRole.PARTNER_ADMIN,
            full_name=application.contact_name,
        )
    return organization


def application_reject(*, application: PartnerApplication, by, reason: str) -> PartnerApplication:
    """Reject with a reason, and tell the applicant by e-mail."""
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
        application.reviewed_by = by
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


# ---------------------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------------------


def agreement_current(*, partner_type_id) -> Agreement | None:
    """The published agreement with the highest version for this partner type."""
    if partner_type_id is None:
        return None
    return (
        Agreement.objects.filter(partner_type_id=partner_type_id, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


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


def agreement_publish(*, agreement: Agreement, by) -> int:
    """Publish a version; every affected partner admin is asked to accept again.

    Returns the number of partner admins asked.
    """
    if agreement.is_published:
        raise ValidationError("This version is already published.")
    current = agreement_current(partner_type_id=agreement.partner_type_id)
    if current is not None and current.version > agreement.version:
        raise ValidationError(f"Version {current.version} is already published; edit a newer one.")
    with transaction.atomic():
        agreement.published_at = timezone.now()
        agreement.published_by = by
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
            actor=by,
        )
    return len(admins)


def agreement_accept(
    *, organization: PartnerOrganization, membership: Membership, agreement: Agreement | None = None
) -> AgreementAcceptance:
    """The partner admin accepts the current agreement of its partner type."""
    if not (membership.is_partner_admin and membership.partner_organization_id == organization.pk):
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
                "accepted_by": membership.user,
                "accepted_at": now,
                "expires_at": add_months(now, current.valid_months),
            },
        )
        onboarding_event_record(organization=organization, event=OnboardingEvent.AGREEMENT_ACCEPTED)
    return acceptance


# ---------------------------------------------------------------------------------------
# Onboarding
# ---------------------------------------------------------------------------------------


def onboarding_items_ensure(*, organization: PartnerOrganization) -> int:
    """Give the partner an item for every task of its type's plan (new tasks too)."""
    plan = OnboardingPlan.objects.filter(partner_type_id=organization.partner_type_id).first()
    if plan is None:
        return 0
    have = set(
        OnboardingItem.objects.filter(organization=organization).values_list("task_id", flat=True)
    )
    missing = [
        OnboardingItem(organization=organization, task=task, tenant_id=organization.tenant_id)
        for task in plan.tasks.all()
        if task.pk not in have
    ]
    OnboardingItem.objects.bulk_create(missing, ignore_conflicts=True)
    # Events that already happened count (an agreement accepted before the plan existed).
    if missing:
        current = agreement_current(partner_type_id=organization.partner_type_id)
        done_events = []
        if (
            current
            and AgreementAcceptance.objects.filter(
                agreement=current, organization=organization, expires_at__gt=timezone.now()
            ).exists()
        ):
            done_events.append(OnboardingEvent.AGREEMENT_ACCEPTED)
        if organization.profile_is_complete:
            done_events.append(OnboardingEvent.PROFILE_COMPLETED)
        if done_events:
            OnboardingItem.objects.filter(
                organization=organization,
                completed_at__isnull=True,
                task__completion_event__in=done_events,
            ).update(completed_at=timezone.now())
    return len(missing)


def onboarding_item_complete(*, item: OnboardingItem, by_membership: Membership) -> OnboardingItem:
    """Tick off a manual task (partner admin of the organization, or staff)."""
    if item.task.completion_event:
        raise ValidationError(
            f"“{item.task.title}” completes itself when: "
            f"{item.task.get_completion_event_display().lower()}."
        )
    if not (
        by_membership.is_staff_role
        or (
            by_membership.is_partner_admin
            and by_membership.partner_organization_id == item.organization_id
        )
    ):
        raise PermissionDenied("Only a partner admin or the channel manager can tick this off.")
    if item.is_done:
        return item
    with transaction.atomic():
        item.completed_at = timezone.now()
        item.completed_by = by_membership.user
        item.save(update_fields=["completed_at", "completed_by"])
        organization = PartnerOrganization.objects.select_for_update().get(pk=item.organization_id)
        _onboarding_maybe_finish(organization=organization)
    return item


def _onboarding_maybe_finish(*, organization: PartnerOrganization) -> bool:
    """Onboarding → active once every required task of the plan is done."""
    if organization.lifecycle_stage != LifecycleStage.ONBOARDING:
        return False
    items = OnboardingItem.objects.filter(organization=organization, task__is_required=True)
    if not items.exists() or items.filter(completed_at__isnull=True).exists():
        return False
    partner_transition(
        organization=organization,
        target=LifecycleStage.ACTIVE,
        by=None,
        reason="Onboarding complete: every required task is done.",
    )
    return True


# ---------------------------------------------------------------------------------------
# Engagement: touchpoints and business plans
# ---------------------------------------------------------------------------------------


def touchpoint_create(*, organization: PartnerOrganization, by, **fields) -> Touchpoint:
    if fields.get("occurred_on") and fields["occurred_on"] > timezone.localdate() + timedelta(
        days=366
    ):
        raise ValidationError({"occurred_on": "That date is too far in the future."})
    with transaction.atomic():
        return Touchpoint.objects.create(organization=organization, created_by=by, **fields)


def business_plan_create(*, organization: PartnerOrganization, by, **fields) -> BusinessPlan:
    if fields["ends_on"] <= fields["starts_on"]:
        raise ValidationError({"ends_on": "The plan must end after it starts."})
    if BusinessPlan.objects.filter(organization=organization, period=fields["period"]).exists():
        raise ValidationError(
            {"period": f"{organization.name} already has a plan for {fields['period']}."}
        )
    with transaction.atomic():
        plan = BusinessPlan.objects.create(organization=organization, created_by=by, **fields)
        notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.plan_created",
            title=f"New joint business plan: {plan.period}",
            url=reverse("partners:portal_plan_detail", args=[plan.pk]),
            dedupe_key=f"plan:{plan.pk}:created",
            actor=by,
        )
    return plan


def business_plan_goal_save(*, goal: BusinessPlanGoal) -> BusinessPlanGoal:
    if goal.target is None or goal.target <= 0:
        raise ValidationError({"target": "The target must be more than zero."})
    if goal.weight is None or goal.weight < 1:
        raise ValidationError({"weight": "The weight must be at least 1."})
    goal.save()
    return goal


def business_plan_comment(
    *, plan: BusinessPlan, membership: Membership, body: str
) -> BusinessPlanComment:
    """A comment by the partner (on its own plan) or by staff; the other side is told."""
    if not (body or "").strip():
        raise ValidationError({"body": "Write a comment."})
    if membership.is_partner and membership.partner_organization_id != plan.organization_id:
        raise PermissionDenied("Not your organization's plan.")
    with transaction.atomic():
        comment = BusinessPlanComment.objects.create(
            plan=plan, author=membership.user, body=body.strip()
        )
        if membership.is_partner:
            recipients = partner_vendor_contacts(organization=plan.organization)
            url = reverse("partners:plan_detail", args=[plan.pk])
        else:
            recipients = partner_admin_users(organization=plan.organization)
            url = reverse("partners:portal_plan_detail", args=[plan.pk])
        notify(
            recipients=recipients,
            kind="partner.plan_comment",
            title=f"New comment on the {plan.period} business plan of {plan.organization.name}",
            body=comment.body[:500],
            url=url,
            dedupe_key=f"plancomment:{comment.pk}",
            actor=membership.user,
        )
    return comment


# ---------------------------------------------------------------------------------------
# Periodic jobs (called by partners.tasks; idempotent)
# ---------------------------------------------------------------------------------------


def partners_mark_inactivity(*, now=None) -> dict[str, int]:
    """Active partners quiet for `at_risk_after_days` → at risk; quieter still → inactive.

    The channel manager is told once per partner and move (the dedupe key names the
    transition record, and a second run finds nobody left to move).
    """
    now = now or timezone.now()
    cfg = program_settings()
    counts = {"at_risk": 0, "inactive": 0}

    def quiet_since(days):
        cutoff = now - timedelta(days=days)
        return Q(last_activity_at__lt=cutoff) | Q(
            last_activity_at__isnull=True, created_at__lt=cutoff
        )

    for organization in PartnerOrganization.objects.filter(
        quiet_since(cfg.inactive_after_days),
        lifecycle_stage__in=(LifecycleStage.ACTIVE, LifecycleStage.AT_RISK),
    ).select_related("channel_manager"):
        record = partner_transition(
            organization=organization,
            target=LifecycleStage.INACTIVE,
            reason=f"No activity for {cfg.inactive_after_days} days.",
        )
        counts["inactive"] += 1
        _tell_cm(organization, record, "inactive")
    for organization in PartnerOrganization.objects.filter(
        quiet_since(cfg.at_risk_after_days), lifecycle_stage=LifecycleStage.ACTIVE
    ).select_related("channel_manager"):
        record = partner_transition(
            organization=organization,
            target=LifecycleStage.AT_RISK,
            reason=f"No activity for {cfg.at_risk_after_days} days.",
        )
        counts["at_risk"] += 1
        _tell_cm(organization, record, "at risk")
    return counts


def _tell_cm(organization: PartnerOrganization, record: LifecycleTransition, what: str) -> None:
    notify(
        recipients=partner_vendor_contacts(organization=organization),
        kind="partner.at_risk" if what == "at risk" else "partner.inactive",
        title=f"{organization.name} is now {what}",
        body=record.reason,
        url=reverse("partners:partner_detail", args=[organization.pk]),
        dedupe_key=f"partner:{organization.pk}:stage:{record.pk}",
    )


def partners_remind_stalled_onboarding(*, now=None) -> int:
    """Remind the partner admins and channel manager of onboarding that has not moved."""
    now = now or timezone.now()
    cfg = program_settings()
    cutoff = now - timedelta(days=cfg.onboarding_stall_days)
    sent = 0
    stalled = PartnerOrganization.objects.filter(
        lifecycle_stage=LifecycleStage.ONBOARDING, stage_changed_at__lt=cutoff
    ).select_related("channel_manager")
    for organization in stalled:
        last_done = (
            OnboardingItem.objects.filter(organization=organization, completed_at__isnull=False)
            .order_by("-completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        if last_done and last_done >= cutoff:
            continue
        # One reminder per stall period: the key names the period since onboarding began.
        period = int((now - organization.stage_changed_at).days // cfg.onboarding_stall_days)
        title = (
            f"Onboarding of {organization.name} has not moved for {cfg.onboarding_stall_days} days"
        )
        dedupe_key = f"partner:{organization.pk}:onboarding-stalled:{period}"
        # Each side gets the page it can open: the checklist, or the partner's console page.
        sent += notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.onboarding_stalled",
            title=title,
            body="Open the onboarding checklist to see what is left.",
            url=reverse("partners:portal_onboarding"),
            dedupe_key=dedupe_key,
        )
        sent += notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="partner.onboarding_stalled",
            title=title,
            body="The partner's page shows its onboarding progress.",
            url=reverse("partners:partner_detail", args=[organization.pk]),
            dedupe_key=dedupe_key,
        )
    return sent


def partners_remind_agreement_expiry(*, now=None) -> int:
    """Tell partner admins their acceptance of the current agreement expires soon."""
    now = now or timezone.now()
    cfg = program_settings()
    soon = now + timedelta(days=cfg.agreement_expiry_warning_days)
    sent = 0
    expiring = AgreementAcceptance.objects.filter(
        expires_at__gt=now, expires_at__lte=soon
    ).select_related("agreement", "organization")
    for acceptance in expiring:
        current = agreement_current(partner_type_id=acceptance.organization.partner_type_id)
        if current is None or current.pk != acceptance.agreement_id:
            continue
        sent += notify(
            recipients=partner_admin_users(organization=acceptance.organization),
            kind="partner.agreement_expiring",
            title=f"Your acceptance of {acceptance.agreement.title} expires on "
            f"{acceptance.expires_at:%Y-%m-%d}",
            body="Accept it again to keep registering deals and claiming funds.",
            url=reverse("partners:portal_agreement"),
            dedupe_key=f"acceptance:{acceptance.pk}:{acceptance.expires_at:%Y%m%d}:expiring",
        )
    return sent


def partners_remind_cadence_due(*, now=None) -> int:
    """Tell each channel manager when a partner's tier cadence says a touchpoint is due."""
    from .selectors import cadence_due

    now = now or timezone.now()
    sent = 0
    for organization, cadence, due_on in cadence_due(today=timezone.localdate(now)):
        sent += notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="partner.cadence_due",
            title=f"{cadence.get_kind_display()} with {organization.name} is due",
            body=f"{organization.tier} partners get a {cadence.get_kind_display().lower()} "
            f"every {cadence.interval_days} days; due on {due_on:%Y-%m-%d}.",
            url=reverse("partners:partner_detail", args=[organization.pk]),
            dedupe_key=f"partner:{organization.pk}:cadence:{cadence.pk}:{due_on:%Y%m%d}",
        )
    return sent
