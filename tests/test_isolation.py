"""The isolation harness: every URL that takes an object, attacked across both boundaries.

For each case (see tests/isolation/registry.py) an object is built in tenant A, owned by
partner organization A1. Then:
- its owner opens it (a positive control: the URL really reaches the object);
- tenant B's admin and partner, on B's host, read and write it: 404;
- tenant B's admin, signed in, on A's host: signed out, never data;
- A2's partner admin (same tenant, other organization): 404, or 403 where the object's
  existence is not secret;
and the row is unchanged afterwards. Every collection URL (create forms, API create
endpoints) is also posted to with another tenant's and another partner's ids in the body,
and no row may come to point at them. A URL pattern with an object kwarg and no case
fails the coverage test, so a new page or endpoint cannot skip the harness.
"""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
from django.conf import settings
from django.urls import reverse

import tests
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.isolation.registry import CASES, EXEMPT, Case
from tests.isolation.urls import object_patterns, plain_get_patterns
from tests.isolation.world import build_world


def _load_cases() -> None:
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".isolation_cases"):
            importlib.import_module(module.name)


_load_cases()

REFUSED = {404, 405}
SIGNED_OUT = {302, 401, 403, 404, 405}


def _request(client, method: str, url: str, case: Case):
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    if method == "GET":
        return client.get(url, **headers)
    if method == "POST" and not case.url_name.startswith("api:"):
        return client.post(url, data=case.data, **headers)
    return client.generic(
        method, url, data=json.dumps(case.data), content_type="application/json", **headers
    )


def _snapshot(obj):
    if obj is None:
        return None
    with tenant_context(obj.tenant):
        fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return "<deleted>"
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def test_every_object_url_has_an_isolation_case():
    uncovered = sorted(
        p.route if p.name is None else p.name
        for p in object_patterns()
        if p.name is None or (p.name not in CASES and p.name not in EXEMPT)
    )
    assert not uncovered, (
        "These URL patterns take an object but have no isolation case: "
        f"{uncovered}. Register one in tests/<app>/isolation_cases.py."
    )
    known = {p.name for p in object_patterns()}
    stale = sorted(set(CASES) - known)
    assert not stale, f"Isolation cases for URL names that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(CASES))
def test_object_url_is_isolated(url_name, record_property):
    case = CASES[url_name]
    world = build_world()
    with tenant_context(world.tenant_a):
        target = case.build(world)
    url = reverse(case.url_name, kwargs=target.kwargs, urlconf=settings.ROOT_URLCONF)
    before = _snapshot(target.obj)
    attempts = 0

    owner = world.partner_a1 if case.owner == "partner" else world.admin_a
    response = _request(client_for(owner), "GET", url, case)
    assert response.status_code != 404 and response.status_code < 500, (
        f"positive control failed: the owner gets {response.status_code} on {url}"
    )

    same_tenant_refusals = REFUSED | (
        {403} if case.existence_not_secret or case.owner == "staff" else set()
    )
    attackers = [
        ("another tenant's admin", world.admin_b, world.tenant_b, REFUSED),
        ("another tenant's partner", world.partner_b1, world.tenant_b, REFUSED | {403}),
        (
            "another organization's partner admin",
            world.partner_a2,
            world.tenant_a,
            same_tenant_refusals,
        ),
        ("another tenant's admin on this host", world.admin_b, world.tenant_a, SIGNED_OUT),
    ]
    for label, attacker, host_tenant, allowed in attackers:
        if case.public and host_tenant == world.tenant_a:
            continue  # a public page: anyone on its own tenant's host may open it
        client = client_for(attacker, tenant=host_tenant)
        for method in case.methods:
            attempts += 1
            status = _request(client, method, url, case).status_code
            assert status in allowed, (
                f"{label}: {method} {host_tenant.host}{url} answered {status}, "
                f"expected one of {sorted(allowed)}"
            )

    assert _snapshot(target.obj) == before, "an attacker's request changed the object"
    record_property("isolation_attempts", attempts)


@pytest.mark.django_db
def test_no_list_shows_another_tenants_or_organizations_objects(record_property):
    world = build_world()
    markers_private_to_a1: list[str] = []
    markers_of_tenant_a: list[str] = ["Org A1", "Org A2"]
    with tenant_context(world.tenant_a):
        for case in {id(c.build): c for c in CASES.values()}.values():
            target = case.build(world)
            if target.marker:
                markers_of_tenant_a.append(target.marker)
                if case.owner == "partner":
                    markers_private_to_a1.append(target.marker)
    markers_private_to_a1.append("Org A1")

    attempts = 0
    for pattern in plain_get_patterns():
        url = reverse(pattern.name, urlconf=settings.ROOT_URLCONF)
        for attacker, tenant, forbidden in [
            (world.admin_b, world.tenant_b, markers_of_tenant_a),
            (world.partner_b1, world.tenant_b, markers_of_tenant_a),
            (world.partner_a2, world.tenant_a, markers_private_to_a1),
        ]:
            attempts += 1
            response = client_for(attacker, tenant=tenant).get(url)
            assert response.status_code < 500, f"{url} answered {response.status_code}"
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaked = [m for m in forbidden if m in text]
            assert not leaked, f"{tenant.host}{url} shows {leaked} to {attacker.user.email}"
    record_property("isolation_attempts", attempts)


# --- collection URLs: creating with someone else's ids ------------------------------------

# Collection URLs not posted to, with the reason.
NOT_POSTED = {
    "account_": "django-allauth's own sign-in, sign-up and e-mail forms (no tenant rows)",
    "mfa_": "django-allauth's MFA forms (the signed-in user's own authenticators)",
}


def _bait(world) -> tuple[dict, dict]:
    """Rows the attackers must never get a new row pointing at: tenant B's (for tenant A's
    admin) and organization A1's (for A2's partner admin)."""
    from tests.deals.factories import ProductFactory, make_deal

    with tenant_context(world.tenant_b):
        deal_b = make_deal(world.partner_b1, customer="Bait B", domain="bait-b.example")
        other_tenant = {
            type(world.org_b1): world.org_b1,
            type(world.admin_b): world.admin_b,
            type(world.admin_b.user): world.admin_b.user,
            type(deal_b): deal_b,
            type(deal_b.motion): deal_b.motion,
            type(ProductFactory()): ProductFactory(),
        }
        if world.org_b1.tier_id:
            other_tenant[type(world.org_b1.tier)] = world.org_b1.tier
        if world.org_b1.partner_type_id:
            other_tenant[type(world.org_b1.partner_type)] = world.org_b1.partner_type
    with tenant_context(world.tenant_a):
        deal_a1 = make_deal(world.partner_a1, customer="Bait A1", domain="bait-a1.example")
    other_partner = {
        type(world.org_a1): world.org_a1,
        type(world.partner_a1): world.partner_a1,
        type(deal_a1): deal_a1,
    }
    return other_tenant, other_partner


def _body(foreign: dict) -> dict[str, str]:
    """Every relation field name of every model, filled with the foreign row of its type."""
    from django.apps import apps

    body: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in foreign:
                value = str(foreign[field.related_model].pk)
                body.setdefault(field.name, value)
                body.setdefault(field.attname, value)
    return body


def _references(foreign: dict, tenant) -> dict[tuple[str, str], int]:
    """How many rows of `tenant` point at each foreign row, per model and field."""
    from django.apps import apps

    counts = {}
    with tenant_context(tenant):
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in foreign:
                    target = foreign[field.related_model]
                    key = (model._meta.label, field.name)
                    counts[key] = model._base_manager.filter(**{field.attname: target.pk}).count()
    return counts


@pytest.mark.django_db
def test_nothing_is_created_pointing_at_another_tenants_or_partners_rows(record_property):
    """POST to every collection URL (create forms and API create endpoints) as tenant A's
    admin with tenant B's ids in the body, and as A2's partner admin with A1's ids: no
    request may fail with a 500, and no row of tenant A may come to point at them."""
    world = build_world()
    other_tenant, other_partner = _bait(world)
    attempts = 0
    for attacker, foreign in ((world.admin_a, other_tenant), (world.partner_a2, other_partner)):
        before = _references(foreign, world.tenant_a)
        body = _body(foreign)
        # The body names the fields forms and serializers take (a positive control).
        assert {"organization", "partner_organization", "deal"} <= set(body)
        client = client_for(attacker, tenant=world.tenant_a)
        for pattern in plain_get_patterns():
            if any(pattern.name.startswith(prefix) for prefix in NOT_POSTED):
                continue
            url = reverse(pattern.name, urlconf=settings.ROOT_URLCONF)
            attempts += 1
            if pattern.name.startswith("api:"):
                response = client.post(url, data=json.dumps(body), content_type="application/json")
            else:
                response = client.post(url, data=body)
            assert response.status_code < 500, f"POST {url} answered {response.status_code}"
        after = _references(foreign, world.tenant_a)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{attacker.user.email} created rows pointing at foreign ids: {changed}"
    assert attempts > 40
    record_property("isolation_attempts", attempts)
