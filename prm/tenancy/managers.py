"""Querysets and managers for tenant-owned models: the first of the two walls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from .context import require_current_tenant

if TYPE_CHECKING:
    from .models import Membership

# A model's `partner_scope` says how partner users see its rows:
#   None (the default): partner users see no rows at all (fail closed);
#   ALL_PARTNERS: every partner of the tenant sees every row (a product catalogue);
#   "<lookup>": the path from the model to its PartnerOrganization's id, e.g.
#   "organization" or "deal__organization"; partners see rows of their own organization.
ALL_PARTNERS = "__all__"


class TenantQuerySet(models.QuerySet):
    def visible_to(self, membership: Membership | None) -> TenantQuerySet:
        """Narrow to what this member may see: the one partner-scoping mechanism.

        Staff (admins, channel managers) see the whole tenant; partner users see what
        the model's `partner_scope` allows; no membership sees nothing.
        """
        if membership is None or not membership.is_active:
            return self.none()
        if membership.is_staff_role:
            return self
        scope = getattr(self.model, "partner_scope", None)
        if scope is None or membership.partner_organization_id is None:
            return self.none()
        if scope == ALL_PARTNERS:
            return self
        return self.filter(**{scope: membership.partner_organization_id})


class CurrentTenantId(models.Expression):
    """The current tenant's id, read when the SQL is compiled, not when it is built.

    Querysets are often built before any tenant exists (a FilterSet or a form field at
    import time, a schema generator): building them must work, running them must not
    without a tenant. Compiling with no current tenant raises TenantNotSetError.
    """

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection):
        return "%s", [require_current_tenant().pk]


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant-owned models: always filtered by the current tenant.

    With no current tenant, running a query raises instead of returning every tenant's
    rows (the filter is resolved at execution: see CurrentTenantId).
    """

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(tenant_id=CurrentTenantId())
