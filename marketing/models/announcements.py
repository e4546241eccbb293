"""Announcements: news from the vendor to an audience of partner users, and who read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from marketing.audience import audience_q, id_array, partner_profile, role_array
from prm.audit.history import track
from prm.tenancy.managers import ALL_PARTNERS, TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned


class AnnouncementQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Staff see every announcement; a partner user the live ones aimed at it."""
        queryset = super().visible_to(membership)
        profile = partner_profile(membership)
        if profile is None:
            return queryset
        return queryset.live().filter(audience_q(profile))

    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(published_at__isnull=False, published_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def with_read_by(self, user):
        return self.annotate(
            is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
        )


@track()
class Announcement(TenantOwned):
    """News for partners: sanitised Markdown, optionally pinned and expiring.

    A draft has no `published_at`. The audience (types, tiers, motions, partner roles;
    empty = any) decides who sees it; `body_html` is the sanitised rendering, made on save.
    """

    title = models.CharField(max_length=200)
    body_markdown = models.TextField("body")
    body_html = models.TextField(editable=False, blank=True)
    is_pinned = models.BooleanField("pinned", default=False, help_text="Shown first.")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden from partners after this moment."
    )
    include_in_digest = models.BooleanField(
        default=False, help_text="Also list it in the daily digest e-mail of those it targets."
    )
    audience_partner_types = id_array("partner types")
    audience_tiers = id_array("tiers")
    audience_motions = id_array("motions")
    audience_partner_roles = role_array()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = ALL_PARTNERS  # narrowed to live ones of the audience in the queryset
    objects = TenantManager.from_queryset(AnnouncementQuerySet)()

    class Meta:
        ordering = ("-is_pinned", "-published_at", "-created_at")
        indexes = [
            models.Index(fields=("tenant", "published_at"), name="announcement_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )


class AnnouncementRead(TenantOwned):
    """A read receipt: this person opened this announcement (once; the first time counts)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("read_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "announcement", "user"), name="announcementread_once"
            ),
        ]
        indexes = [models.Index(fields=("tenant", "user"), name="announcementread_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} read {self.announcement}"
