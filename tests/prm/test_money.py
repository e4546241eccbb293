"""Money reads one way everywhere: the tenant's currency in the tenant's locale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from prm.core.money import format_money
from prm.tenancy import resolver
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal

pytestmark = pytest.mark.django_db


def test_format_money_follows_the_tenant(tenant):
    with tenant_context(tenant):
        assert format_money(Decimal("100000")) == "$100,000.00"
        assert format_money(Decimal("100000.4"), whole=True) == "$100,000"
        assert format_money(None) == ""
    tenant.currency, tenant.locale = "EUR", "de_DE"
    with tenant_context(tenant):
        assert format_money(Decimal("100000")) == "100.000,00\xa0€"
        rendered = Template("{% load money %}{{ a|money }} · {{ a|money_whole:'GBP' }}").render(
            Context({"a": Decimal("5000.6")})
        )
        assert rendered == "5.000,60\xa0€ · 5.001\xa0£"


def test_deal_pages_show_money_in_the_tenants_format(
    tenant, partner_admin_membership, cm_membership
):
    tenant.currency, tenant.locale = "EUR", "de_DE"
    tenant.save()
    resolver.clear_cache()
    deal = make_deal(partner_admin_membership, products=[ProductFactory()])  # 2 × 5000 → 5000
    staff = client_for(cm_membership)
    for url in (
        reverse("deals:console_deal_detail", kwargs={"pk": deal.pk}),
        reverse("deals:console_deal_list"),
        reverse("deals:review_queue"),
    ):
        page = staff.get(url).content.decode()
        assert "5.000" in page and "€" in page, url
        assert "5000.00" not in page and "5,000" not in page, url


def test_tenant_settings_refuse_an_unknown_locale(tenant, admin_membership):
    response = client_for(admin_membership).post(
        reverse("tenant_settings"),
        {
            "name": tenant.name,
            "primary_color": "#1f6feb",
            "currency": "EUR",
            "locale": "xx_NOPE",
            "time_zone": "UTC",
            "default_deal_protection_days": 90,
            "deal_review_sla_days": 2,
        },
    )
    assert response.status_code == 400 and "Use a locale such as" in response.content.decode()
