"""The platform operator's admin (bare base domain only): tenants and their domains.

Tenant-owned rows are not registered here: the operator manages vendors, not their data.
"""

from django.contrib import admin

from .models import Tenant, TenantDomain


class TenantDomainInline(admin.TabularInline):
    model = TenantDomain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "currency", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    inlines = (TenantDomainInline,)
