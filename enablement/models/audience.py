"""Who sees what: the audience base and the querysets that apply it to partners."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from prm.tenancy.managers import TenantQuerySet
from prm.tenancy.models import TenantOwned


class AudienceQuerySet(TenantQuerySet):
    """Partners see only what is published and aimed at them (enablement.audience)."""

    published_filter = Q()

    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is None or not membership.is_active or membership.is_staff_role:
            return queryset
        from ..audience import audience_of

        return queryset.filter(self.published_filter).for_audience(
            audience_of(membership.partner_organization)
        )

    def for_audience(self, audience):
        return self.filter(audience.q())


class CourseQuerySet(AudienceQuerySet):
    published_filter = Q(published_version__isnull=False)


class PublishedQuerySet(AudienceQuerySet):
    published_filter = Q(is_published=True)


class CertificationQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            queryset = queryset.filter(is_published=True)
        return queryset


class AssetQuerySet(AudienceQuerySet):
    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            today = timezone.localdate()
            queryset = queryset.filter(
                Q(is_published=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            )
        return queryset


class Audience(TenantOwned):
    """Targeting shared by courses, learning paths and assets (empty = everyone)."""

    audience_type_ids = ArrayField(
        models.UUIDField(), default=list, blank=True, help_text="Partner types; none = all."
    )
    min_tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Partners below this tier do not see it.",
    )
    audience_motion_ids = ArrayField(
        models.UUIDField(),
        default=list,
        blank=True,
        help_text="Motions; partners whose type may use none of them do not see it.",
    )

    class Meta:
        abstract = True
