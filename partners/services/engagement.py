"""Engagement: touchpoints and business plans."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prm.notifications.services import notify
from prm.tenancy.models import Membership

from ..models import (
    BusinessPlan,
    BusinessPlanComment,
    BusinessPlanGoal,
    PartnerOrganization,
    Touchpoint,
)
from ..selectors import partner_vendor_contacts
from .lifecycle import partner_admin_users


def touchpoint_create(
    *, organization: PartnerOrganization, acting_membership: Membership, **fields: object
) -> Touchpoint:
    user = acting_membership.user
    if fields.get("occurred_on") and fields["occurred_on"] > timezone.localdate() + timedelta(
        days=366
    ):
        raise ValidationError({"occurred_on": "That date is too far in the future."})
    with transaction.atomic():
        return Touchpoint.objects.create(organization=organization, created_by=user, **fields)


def business_plan_create(
    *, organization: PartnerOrganization, acting_membership: Membership, **fields: object
) -> BusinessPlan:
    user = acting_membership.user
    if fields["ends_on"] <= fields["starts_on"]:
        raise ValidationError({"ends_on": "The plan must end after it starts."})
    if BusinessPlan.objects.filter(organization=organization, period=fields["period"]).exists():
        raise ValidationError(
            {"period": f"{organization.name} already has a plan for {fields['period']}."}
        )
    with transaction.atomic():
        plan = BusinessPlan.objects.create(organization=organization, created_by=user, **fields)
        notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.plan_created",
            title=f"New joint business plan: {plan.period}",
            url=reverse("partners:portal_plan_detail", args=[plan.pk]),
            dedupe_key=f"plan:{plan.pk}:created",
            actor=user,
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
    *, plan: BusinessPlan, acting_membership: Membership, body: str
) -> BusinessPlanComment:
    """A comment by the partner (on its own plan) or by staff; the other side is told."""
    if not (body or "").strip():
        raise ValidationError({"body": "Write a comment."})
    if (
        acting_membership.is_partner
        and acting_membership.partner_organization_id != plan.organization_id
    ):
        raise PermissionDenied("Not your organization's plan.")
    with transaction.atomic():
        comment = BusinessPlanComment.objects.create(
            plan=plan, author=acting_membership.user, body=body.strip()
        )
        if acting_membership.is_partner:
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
            actor=acting_membership.user,
        )
    return comment
