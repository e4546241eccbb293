"""Analytics panels of the home pages and small display helpers of the analytics pages."""

from __future__ import annotations

from django import template

from analytics import providers, selectors

register = template.Library()


@register.filter
def money(value) -> str:
    return providers.money(value)


@register.filter
def percent(value) -> str:
    return providers.percent(value)


@register.inclusion_tag("analytics/_console_home.html", takes_context=True)
def analytics_console_kpis(context):
    """The program's key figures of the last 12 months, read from the rollups."""
    membership = context.get("membership")
    if membership is None or not membership.is_staff_role:
        return {"show": False}
    return {"show": True, "kpis": selectors.program_trailing()}


@register.inclusion_tag("analytics/_portal_home.html", takes_context=True)
def analytics_portal_kpis(context):
    """The partner's own key figures of the last 12 months, read from the rollups."""
    membership = context.get("membership")
    organization = getattr(membership, "partner_organization", None)
    if organization is None:
        return {"show": False}
    kpis = selectors.partners_trailing(organization_ids=[organization.pk]).get(organization.pk)
    return {"show": True, "kpis": kpis}
