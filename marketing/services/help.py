"""Help request writes: ask, reply, resolve, rate, and the response-SLA escalation."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners import selectors as partner_selectors
from partners.models import PartnerOrganization
from prm.core.uploads import DOCUMENTS, IMAGES, MB, check_upload
from prm.notifications.services import notify
from prm.tenancy.choices import Role
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from ..choices import HELP_RESPONSE_HOURS, HelpCategory, HelpStatus
from ..models import HelpReply, HelpRequest

ATTACHMENT_KINDS = {**DOCUMENTS, **IMAGES, "application/zip": "ZIP"}
ATTACHMENT_MAX_BYTES = 8 * MB  # below PRM_MAX_REQUEST_BYTES (10 MiB)


def _portal_url(request: HelpRequest) -> str:
    return reverse("marketing:portal_help_detail", kwargs={"pk": request.pk})


def _console_url(request: HelpRequest) -> str:
    return reverse("marketing:console_help_detail", kwargs={"pk": request.pk})


def _vendor_people(request: HelpRequest) -> list:
    if request.assignee_id:
        return [request.assignee]
    return list(staff_users(roles=[Role.ADMIN]))


def _partner_people(request: HelpRequest) -> list:
    """The person who asked (the thread is theirs)."""
    return [request.requester] if request.requester_id else []


def help_request_create(
    *,
    acting_membership: Membership,
    category: str,
    subject: str,
    body: str,
    attachment=None,
) -> HelpRequest:
    """A partner user asks for help; its channel manager (else the admins) must answer
    within the category's response time."""
    if acting_membership is None or not acting_membership.is_partner:
        raise PermissionDenied("Only partner users ask for help here.")
    errors: dict = {}
    if category not in HelpCategory.values:
        errors["category"] = "Choose what your question is about."
    if not (subject or "").strip():
        errors["subject"] = "Say in a few words what you need."
    if not (body or "").strip():
        errors["body"] = "Describe your question."
    content_type = ""
    if attachment:
        try:
            content_type = check_upload(
                attachment, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES
            )
        except ValidationError as exc:
            errors["attachment"] = exc.messages
    if errors:
        raise ValidationError(errors)
    organization = PartnerOrganization.objects.select_related("channel_manager").get(
        pk=acting_membership.partner_organization_id
    )
    now = timezone.now()
    request = HelpRequest(
        organization=organization,
        requester=acting_membership.user,
        category=category,
        subject=subject.strip()[:200],
        body=body.strip(),
        assignee=organization.channel_manager,
        response_due_at=now + timedelta(hours=HELP_RESPONSE_HOURS[category]),
        attachment_type=content_type,
    )
    request.tenant = acting_membership.tenant
    with transaction.atomic():
        if attachment:
            request.attachment.save(attachment.name, attachment, save=False)
        request.save()
        notify(
            recipients=partner_selectors.partner_vendor_contacts(organization=organization),
            kind="help.requested",
            title=f"{organization.name} asks for help: {request.subject}",
            body=f"Answer by {timezone.localtime(request.response_due_at):%d %b %Y %H:%M}.",
            url=_console_url(request),
            dedupe_key=f"help:{request.pk}:requested",
            actor=acting_membership.user,
        )
    return request


def help_reply_add(*, request: HelpRequest, acting_membership: Membership, body: str) -> HelpReply:
    """A message in the thread. The vendor's reply waits on the partner; the partner's
    reply (even on a resolved request) puts it back to the vendor."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write your reply."})
    from_vendor = acting_membership.is_staff_role
    if not from_vendor and request.organization_id != acting_membership.partner_organization_id:
        raise PermissionDenied("This is another organization's request.")
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        reply = HelpReply.objects.create(
            request=request, author=acting_membership.user, from_vendor=from_vendor, body=body
        )
        now = timezone.now()
        if from_vendor:
            if request.first_response_at is None:
                request.first_response_at = now
            if request.status != HelpStatus.RESOLVED:
                request.status = HelpStatus.WAITING_ON_PARTNER
        else:
            request.status = HelpStatus.OPEN
            request.resolved_at = None
        request.save()
        notify(
            recipients=_partner_people(request) if from_vendor else _vendor_people(request),
            kind="help.reply",
            title=f"New reply on “{request.subject}”",
            body=body[:500],
            url=_portal_url(request) if from_vendor else _console_url(request),
            dedupe_key=f"helpreply:{reply.pk}",
            actor=acting_membership.user,
        )
    return reply


def help_request_resolve(*, request: HelpRequest, acting_membership: Membership) -> HelpRequest:
    """Either side marks it resolved; the partner is then asked to rate the answer."""
    if (
        acting_membership.is_partner
        and request.organization_id != acting_membership.partner_organization_id
    ):
        raise PermissionDenied("This is another organization's request.")
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == HelpStatus.RESOLVED:
            return request
        request.status = HelpStatus.RESOLVED
        request.resolved_at = timezone.now()
        request.save()
        if acting_membership.is_staff_role:
            notify(
                recipients=_partner_people(request),
                kind="help.resolved",
                title=f"Resolved: “{request.subject}”. How was the answer?",
                url=_portal_url(request),
                dedupe_key=f"help:{request.pk}:resolved:{request.resolved_at.isoformat()}",
                actor=acting_membership.user,
            )
    return request


def help_request_rate(
    *, request: HelpRequest, acting_membership: Membership, rating: int, comment: str = ""
) -> HelpRequest:
    """The partner rates the answer (1–5) once the request is resolved; may change it."""
    if not acting_membership.is_partner or (
        request.organization_id != acting_membership.partner_organization_id
    ):
        raise PermissionDenied("Only the partner who asked rates the answer.")
    if rating not in (1, 2, 3, 4, 5):
        raise ValidationError({"rating": "Rate from 1 (poor) to 5 (excellent)."})
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != HelpStatus.RESOLVED:
            raise ValidationError({"rating": "Rate the answer once the request is resolved."})
        request.rating = rating
        request.rating_comment = (comment or "").strip()
        request.save(update_fields=["rating", "rating_comment", "updated_at"])
    return request


def help_requests_escalate(*, now=None) -> int:
    """Requests with no first answer past their deadline: tell the admins (and the
    assignee), once per request. Idempotent: `escalated_at` and the dedupe key."""
    now = now or timezone.now()
    overdue = (
        HelpRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            first_response_at__isnull=True,
            escalated_at__isnull=True,
            response_due_at__lt=now,
        )
        .exclude(status=HelpStatus.RESOLVED)
        .select_related("organization", "assignee")
    )
    admins = list(staff_users(roles=[Role.ADMIN]))
    count = 0
    for request in overdue.iterator(chunk_size=200):
        people = {u.pk: u for u in admins}
        if request.assignee_id:
            people[request.assignee_id] = request.assignee
        notify(
            recipients=people.values(),
            kind="help.overdue",
            title=f"Overdue help request from {request.organization.name}: {request.subject}",
            body=f"No answer since {timezone.localtime(request.created_at):%d %b %Y %H:%M}.",
            url=_console_url(request),
            dedupe_key=f"help:{request.pk}:overdue",
        )
        HelpRequest.objects.filter(pk=request.pk).update(escalated_at=now)
        count += 1
    return count
