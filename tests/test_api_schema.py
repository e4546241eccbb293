"""Every API operation, fuzzed by schemathesis against the in-process app.

The schema is generated from the code (as `/api/v1/schema/` serves it) when the module
is collected; each operation then becomes a test per caller (a program admin's API key
and a partner admin's), on a tenant with a little of everything in it, so lists and
details return real rows with their empty and null fields. Checked on every response:
no 5xx, a JSON content type where one is documented, and a body that matches the
documented schema of its status code. Examples are bounded and derandomised, so a run
takes the same time and finds the same things in CI as here.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from prm.api.services import api_key_create
from prm.tenancy.context import tenant_context
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory

pytestmark = pytest.mark.django_db


def _openapi() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


# Examples from the schema and bounded fuzzing only: the coverage phase would send every
# boundary case of every parameter (hundreds per operation), the stateful one long
# chains; both are for a dedicated run, not for every `make test`.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
schema.app = get_wsgi_application()

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


def _seed(partner_admin) -> dict[str, dict[str, object]]:
    """A little of everything, with the empty and null fields real data has.

    Returns, per caller, the id of one real object per resource, so operations on
    `/<resource>/{id}/...` act on a row that exists (random ids would only ever 404).
    """
    from deals.models import DealConflict, Lead
    from tests.deals.factories import ProductFactory, make_deal
    from tests.partners.factories import (
        AgreementFactory,
        ApplicationFactory,
        BenefitFactory,
        BusinessPlanFactory,
        BusinessPlanGoalFactory,
        PartnerTypeFactory,
        TierBenefitFactory,
        TierFactory,
        TouchpointFactory,
    )

    tier = TierFactory()
    benefit = BenefitFactory()
    TierBenefitFactory(tier=tier, benefit=benefit)
    partner_type = PartnerTypeFactory()
    agreement = AgreementFactory(partner_type=partner_type)  # a type nobody is in yet
    application = ApplicationFactory()
    organization = partner_admin.partner_organization
    touchpoint = TouchpointFactory(organization=organization)
    plan = BusinessPlanFactory(organization=organization)
    goal = BusinessPlanGoalFactory(plan=plan)
    other = PartnerOrganizationFactory(tier=tier)  # no type: its name is null
    other_admin = MembershipFactory(
        role="partner", partner_organization=other, partner_role="partner_admin"
    )
    staff = MembershipFactory(role="channel_manager")  # no organization, no partner role
    product = ProductFactory()
    # Two registrations of the same customer by two partners: a conflict, undecided.
    mine = make_deal(partner_admin, products=[product], contact_email="")
    make_deal(other_admin, products=[product])
    make_deal(partner_admin, customer="Initech", domain="initech.example", submit=False)
    conflict = DealConflict.objects.first()
    lead = Lead.objects.first()
    shared = {
        "agreements": agreement.pk,
        "benefits": benefit.pk,
        "business-plans": plan.pk,
        "business-plan-goals": goal.pk,
        "deals": mine.pk,
        "motions": mine.motion_id,
        "products": product.pk,
    }
    admin_ids = {
        **shared,
        "deal-conflicts": conflict.pk if conflict else None,
        "leads": lead.pk if lead else None,
        "members": staff.pk,
        "partner-applications": application.pk,
        "partner-organizations": other.pk,
        "partner-types": partner_type.pk,  # in use by its agreement
        "tiers": tier.pk,  # in use by a partner
        "touchpoints": touchpoint.pk,
    }
    partner_ids = {**shared, "members": partner_admin.pk, "partner-organizations": organization.pk}
    return {"admin": admin_ids, "partner": partner_ids}


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the connection after each request (as in production);
    Django's test client switches that off, and so must calls straight into the app, or
    the test's transaction would be closed under it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """The tenant and its rows, made once per module (and worker) inside a transaction
    that is rolled back at the end; each test runs in a savepoint within it, so what
    one operation changes (a delete, an approval) is undone before the next."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            tenant = TenantFactory(slug="fuzz", name="Fuzz")
            with tenant_context(tenant):
                admin = MembershipFactory(role="admin")
                organization = PartnerOrganizationFactory()
                partner_admin = MembershipFactory(
                    role="partner", partner_organization=organization, partner_role="partner_admin"
                )
                ids = _seed(partner_admin)
                _, admin_key = api_key_create(name="fuzz", acting_membership=admin)
            yield tenant, {"admin": admin_key, "partner": partner_admin}, ids
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def callers(_seeded, db, _keep_the_test_connection):
    return _seeded


def _partner_session_cookie(tenant, membership) -> dict:
    from django.test import Client

    client = Client(HTTP_HOST=tenant.host)
    client.force_login(membership.user)
    return {"sessionid": client.cookies["sessionid"].value}


def _run(case, tenant, ids: dict, **auth) -> None:
    if "id" in (case.path_parameters or {}):
        resource = case.path.removeprefix("/api/v1/").split("/", 1)[0]
        if ids.get(resource):
            case.path_parameters["id"] = str(ids[resource])
    response = case.call(base_url=f"http://{tenant.host}", **auth)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_as_an_admin_key(case, callers):
    tenant, who, ids = callers
    _run(case, tenant, ids["admin"], headers={"Authorization": f"Bearer {who['admin']}"})


@schema.include(method="GET").parametrize()
@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_as_a_partner_session(case, callers):
    """What a partner reads (its writes are refused by role, tested per app)."""
    tenant, who, ids = callers
    cookies = _partner_session_cookie(tenant, who["partner"])
    _run(case, tenant, ids["partner"], cookies=cookies)
