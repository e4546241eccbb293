"""Panels of the partner program on the portal and console home pages."""

from django import template

from partners import selectors, services
from partners.choices import ApplicationStatus, LifecycleStage
from partners.models import PartnerApplication, PartnerOrganization

register = template.Library()


@register.inclusion_tag("partners/_portal_panel.html", takes_context=True)
def partner_portal_panel(context):
    membership = context.get("membership")
    organization = getattr(membership, "partner_organization", None)
    if organization is None:
        return {"organization": None}
    agreement = services.agreement_current(partner_type_id=organization.partner_type_id)
    return {
        "organization": organization,
        "can_transact": services.partner_can_transact(organization=organization),
        "agreement": agreement,
        "progress": selectors.onboarding_progress(organization=organization),
        "is_onboarding": organization.lifecycle_stage == LifecycleStage.ONBOARDING,
    }


@register.inclusion_tag("partners/_console_panel.html", takes_context=True)
def partner_console_panel(context):
    membership = context.get("membership")
    if membership is None or not membership.is_staff_role:
        return {"show": False}
    mine = PartnerOrganization.objects.filter(channel_manager=membership.user)
    return {
        "show": True,
        "stage_counts": selectors.stage_counts(),
        "pending_applications": PartnerApplication.objects.filter(
            status=ApplicationStatus.PENDING
        ).count(),
        "my_at_risk": mine.filter(lifecycle_stage=LifecycleStage.AT_RISK).order_by("name")[:10],
    }


@register.simple_tag
def partner_figures(partners):
    """The partner list's performance columns from `providers.figure_providers`:
    `.columns` (titles), `.rows` ([(partner, [values])] in the list's order), `.as_of`."""
    from types import SimpleNamespace

    from partners import providers

    partners = [partners] if hasattr(partners, "pk") else list(partners)
    columns: list[str] = []
    values: dict = {p.pk: [] for p in partners}
    as_of = None
    for provider in providers.figure_providers:
        found = provider(partners)
        columns.extend(found["columns"])
        blank = ["—"] * len(found["columns"])
        for partner in partners:
            values[partner.pk].extend(found["values"].get(partner.pk, blank))
        as_of = found.get("as_of") or as_of
    return SimpleNamespace(columns=columns, rows=[(p, values[p.pk]) for p in partners], as_of=as_of)
