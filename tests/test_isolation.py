"""The isolation harness: every URL that takes an object, attacked across both boundaries.

For each case (see tests/isolation/registry.py) an object is built in tenant A, owned by
partner organization A1. Then:
- its owner opens it (a positive control: the URL really reaches the object);
- tenant B's admin and partner, on B's host, read and write it: 404;
- tenant B's admin, signed in, on A's host: signed out, never data;
- A2's partner admin (same tenant, other organization): 404, or 403 where the object's
  existence is not secret;
and the row is unchanged afterwards. A URL pattern with an object kwarg and no case
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
