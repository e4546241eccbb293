"""Help requests: a partner user asks the vendor, a thread of replies, a rating."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from marketing.choices import HelpCategory, HelpStatus
from prm.audit.history import track
from prm.core.uploads import tenant_path
from prm.tenancy.models import TenantOwned


def help_attachment_upload_to(instance, filename: str) -> str:
    return tenant_path(instance.tenant_id, f"help/{instance.organization_id}", filename)


@track()
class HelpRequest(TenantOwned):
    """A question from a partner user to the vendor, owned by the partner's channel manager
    (else the admins) with a first-response deadline; the partner rates the answer."""

    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    category = models.CharField(max_length=20, choices=HelpCategory.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.FileField(upload_to=help_attachment_upload_to, blank=True, max_length=300)
    attachment_type = models.CharField(max_length=120, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The channel manager who answers; empty: the program admins.",
    )
    response_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="helprequest_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="helprequest_status_idx"),
            models.Index(fields=("tenant", "organization"), name="helprequest_org_idx"),
            models.Index(
                fields=("tenant", "response_due_at"),
                condition=models.Q(first_response_at__isnull=True, escalated_at__isnull=True),
                name="helprequest_sla_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class HelpReply(TenantOwned):
    """One message of a help request's thread, from the partner's side or the vendor's."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_vendor = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "request__organization"

    class Meta:
        ordering = ("created_at",)
        indexes = [models.Index(fields=("tenant", "request"), name="helpreply_request_idx")]

    def __str__(self) -> str:
        return f"Reply to {self.request}"
