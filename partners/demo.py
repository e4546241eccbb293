"""Demo data of the partners app for one tenant (called by prm.core.demo; idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from . import services
from .choices import LifecycleStage, OnboardingEvent
from .models import (
    Agreement,
    AgreementAcceptance,
    Benefit,
    BusinessPlan,
    BusinessPlanGoal,
    EngagementCadence,
    LifecycleTransition,
    OnboardingPlan,
    OnboardingTask,
    PartnerApplication,
    PartnerOrganization,
    PartnerType,
    Tier,
    TierBenefit,
    Touchpoint,
)

if TYPE_CHECKING:
    from prm.core.demo import DemoPeople


def seed_people(people: DemoPeople, spec: dict) -> None:
    """The tenant's partner organizations of `spec["partners"]`, each with a partner admin
    and a partner member (the demo logins prm.core.demo lists)."""
    from prm.core.demo import demo_membership, demo_user

    for name, domain, country, admin_name, member_name in spec["partners"]:
        org = PartnerOrganization.objects.filter(name=name).first()
        if org is None:
            org = PartnerOrganization.objects.create(
                name=name,
                website=f"https://www.{domain}",
                domain=domain,
                country=country,
                channel_manager=people.channel_manager.user,
            )
        people.organizations.append(org)
        for login, partner_role, members in (
            (admin_name, "partner_admin", people.partner_admins),
            (member_name, "partner_member", people.partner_members),
        ):
            user = demo_user(f"{login}@{domain}", login.title())
            members.append(
                demo_membership(
                    user, role="partner", partner_organization=org, partner_role=partner_role
                )
            )


PARTNER_TYPES = [
    ("reseller", "Reseller", "Buys and resells our products to its customers."),
    ("referral", "Referral partner", "Introduces customers; we sell."),
    ("service_provider", "Service provider", "Implements and runs our products for customers."),
    ("distributor", "Distributor", "Supplies resellers in a region."),
    ("oem", "OEM", "Embeds our product in its own."),
    ("technology", "Technology partner", "Integrates its product with ours."),
    ("system_integrator", "System integrator", "Delivers large projects that include us."),
]

TIERS = [
    # name, rank, colour, revenue, deals, registrations, certified, manual
    ("Registered", 1, "#6e7781", "0", 0, 0, 0, ""),
    ("Silver", 2, "#8c959f", "100000", 5, 10, 2, ""),
    ("Gold", 3, "#bf8700", "500000", 20, 40, 5, "A joint business plan for the year"),
]

BENEFITS = [
    # key, name, kind, values per tier (Registered, Silver, Gold)
    ("discount_percent", "Discount", "percentage", ("10", "20", "30")),
    ("deal_protection_days", "Deal protection", "count", ("60", "90", "120")),
    ("fund_budget_per_quarter", "Marketing funds per quarter", "amount", ("", "5000", "20000")),
    ("dedicated_channel_manager", "Dedicated channel manager", "flag", ("no", "no", "yes")),
    ("content_access", "Content access", "text", ("Basic", "Standard", "Premium")),
]

AGREEMENT_BODY = (
    "1. The partner represents the vendor's products honestly and follows the brand rules.\n\n"
    "2. Deal registrations must describe real opportunities; protection lasts as long as the "
    "partner's tier allows.\n\n"
    "3. Marketing funds are spent as approved and proven with evidence.\n\n"
    "4. Either side may end the partnership with 30 days' notice."
)

ONBOARDING_TASKS = [
    (1, "Accept the partner agreement", OnboardingEvent.AGREEMENT_ACCEPTED, True),
    (2, "Complete your organization profile", OnboardingEvent.PROFILE_COMPLETED, True),
    (3, "Book a kick-off call with your channel manager", "", True),
    (4, "Earn a first certification", OnboardingEvent.FIRST_CERTIFICATION_EARNED, False),
    (5, "Register a first deal", OnboardingEvent.FIRST_DEAL_REGISTERED, False),
]

EXTRA_ORGS = [
    # name, domain, country, stage, tier rank, locator
    ("Litware Onboarding", "litware.test", "DE", LifecycleStage.ONBOARDING, 1, False),
    ("Tailspin Systems", "tailspin.test", "FR", LifecycleStage.AT_RISK, 2, True),
    ("Wingtip Partners", "wingtip.test", "US", LifecycleStage.INACTIVE, 1, False),
    ("Proseware Prospects", "proseware.test", "CA", LifecycleStage.PROSPECT, 1, False),
    (
        "Adventure Works Offboarded",
        "adventure-works.test",
        "GB",
        LifecycleStage.OFFBOARDED,
        1,
        False,
    ),
]


def seed(people: DemoPeople) -> None:
    """Add this app's demo rows to people.tenant (already current). Look up before create."""
    types = {}
    for key, name, description in PARTNER_TYPES:
        types[key], _ = PartnerType.objects.get_or_create(
            key=key, defaults={"name": name, "description": description}
        )
    reseller = types["reseller"]

    tiers = {}
    for name, rank, colour, revenue, deals, regs, certified, manual in TIERS:
        tiers[rank], _ = Tier.objects.get_or_create(
            rank=rank,
            defaults={
                "name": name,
                "color": colour,
                "min_won_revenue": Decimal(revenue),
                "min_won_deals": deals,
                "min_approved_registrations": regs,
                "min_certified_people": certified,
                "manual_criterion": manual,
            },
        )

    for position, (key, name, kind, values) in enumerate(BENEFITS, start=1):
        benefit, _ = Benefit.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "kind": kind,
                "position": position,
                "unit": "days" if key == "deal_protection_days" else "",
            },
        )
        for rank, value in zip((1, 2, 3), values, strict=True):
            if value:
                TierBenefit.objects.get_or_create(
                    tier=tiers[rank], benefit=benefit, defaults={"value": value}
                )

    agreements = {}
    for key in ("reseller", "referral"):
        agreements[key], _ = Agreement.objects.get_or_create(
            partner_type=types[key],
            version=1,
            defaults={
                "title": f"{types[key].name} agreement",
                "body": AGREEMENT_BODY,
                "valid_months": 12,
                "published_at": timezone.now(),
                "published_by": people.admin.user,
            },
        )

    plan, _ = OnboardingPlan.objects.get_or_create(
        partner_type=reseller, defaults={"name": "Reseller onboarding"}
    )
    for position, title, event, required in ONBOARDING_TASKS:
        OnboardingTask.objects.get_or_create(
            plan=plan,
            position=position,
            defaults={"title": title, "completion_event": event, "is_required": required},
        )

    for rank, kind, days in (
        (3, "business_review", 90),
        (2, "business_review", 180),
        (3, "call", 30),
    ):
        EngagementCadence.objects.get_or_create(
            tier=tiers[rank], kind=kind, defaults={"interval_days": days}
        )

    cm = people.channel_manager.user
    now = timezone.now()
    # The core's demo partners: active resellers with an accepted agreement.
    for index, (org, admin) in enumerate(
        zip(people.organizations, people.partner_admins, strict=False)
    ):
        if org.partner_type_id is None:
            org.partner_type = reseller
            org.tier = tiers[3 if index == 0 else 2]
            org.description = f"{org.name} resells and implements {people.tenant.name} products."
            org.listed_in_locator = True
            org.last_activity_at = now
            org.save()
        AgreementAcceptance.objects.get_or_create(
            agreement=agreements["reseller"],
            organization=org,
            defaults={
                "accepted_by": admin.user,
                "accepted_at": now,
                "expires_at": services.add_months(moment=now, months=12),
            },
        )

    for name, domain, country, stage, rank, locator in EXTRA_ORGS:
        if PartnerOrganization.objects.filter(name=name).exists():
            continue
        org = PartnerOrganization.objects.create(
            name=name,
            website=f"https://www.{domain}",
            domain=domain,
            country=country,
            partner_type=reseller,
            tier=tiers[rank],
            channel_manager=cm,
            lifecycle_stage=stage,
            stage_changed_at=now - timedelta(days=20),
            listed_in_locator=locator,
            last_activity_at=now - timedelta(days=70),
            description=f"{name.split()[0]} is a demo partner.",
        )
        LifecycleTransition.objects.create(
            organization=org,
            from_stage=LifecycleStage.PROSPECT,
            to_stage=stage,
            changed_by=cm,
            reason="Demo data",
        )
        if stage == LifecycleStage.ONBOARDING:
            services.onboarding_items_ensure(organization=org)

    if not PartnerApplication.objects.filter(domain="fabrikam.test").exists():
        PartnerApplication.objects.create(
            company_name="Fabrikam Consulting",
            website="https://www.fabrikam.test",
            domain="fabrikam.test",
            country="NL",
            partner_type=reseller,
            contact_name="Femke de Vries",
            contact_email="femke@fabrikam.test",
            message="We implement cloud platforms for mid-sized companies in the Benelux.",
        )

    if people.organizations:
        lead = people.organizations[0]
        if not Touchpoint.objects.filter(organization=lead).exists():
            Touchpoint.objects.create(
                organization=lead,
                kind="business_review",
                occurred_on=timezone.localdate() - timedelta(days=60),
                subject="Quarterly business review",
                notes="Pipeline healthy; two large renewals next quarter.",
                next_steps="Joint campaign for the spring launch.",
                created_by=cm,
            )
        year = timezone.localdate().year
        plan_row, created = BusinessPlan.objects.get_or_create(
            organization=lead,
            period=f"FY{year}",
            defaults={
                "starts_on": timezone.localdate().replace(month=1, day=1),
                "ends_on": timezone.localdate().replace(month=12, day=31),
                "summary": "Grow new-logo business in the mid-market.",
                "created_by": cm,
            },
        )
        if created:
            for metric, description, target, actual, weight in (
                ("won_revenue", "New-logo revenue", "600000", "240000", 3),
                ("won_deals", "Won deals", "20", "9", 2),
                ("certified_people", "Certified sales engineers", "6", "4", 1),
            ):
                BusinessPlanGoal.objects.create(
                    plan=plan_row,
                    metric=metric,
                    description=description,
                    target=Decimal(target),
                    actual=Decimal(actual),
                    weight=weight,
                )
