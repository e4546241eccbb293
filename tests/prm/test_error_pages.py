"""Error pages with the portal's layout, the favicon, and the API docs under the CSP."""

import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.conftest import client_for


@pytest.mark.django_db
def test_404_has_the_partner_portal_layout_and_a_way_back(partner_admin_membership):
    response = client_for(partner_admin_membership).get("/portal/no-such-page/")
    assert response.status_code == 404
    text = response.text
    assert "Page not found" in text
    assert 'class="main-nav"' in text and 'href="/portal/"' in text  # the portal's nav
    assert 'href="/" role="button">Back to the home page' in text
    assert "favicon.svg" in text


@pytest.mark.django_db
def test_403_has_the_console_layout_for_staff_and_a_way_back(cm_membership):
    response = client_for(cm_membership).get("/manage/settings/")  # admins only
    assert response.status_code == 403
    text = response.text
    assert "You cannot do this here" in text
    assert 'href="/manage/"' in text and 'class="main-nav"' in text
    assert 'href="/" role="button">Back to the home page' in text


@pytest.mark.django_db
def test_404_for_an_anonymous_visitor_and_an_unknown_host(tenant, client):
    response = client_for(tenant=tenant).get("/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Sign in" in response.text
    unknown = client.get("/", HTTP_HOST="nobody.localhost")
    assert unknown.status_code == 404 and "Page not found" in unknown.text


def test_500_page_renders_without_the_database_or_a_request_context():
    # No django_db mark: any query would raise. No tenant, no user, no session.
    response = server_error(RequestFactory().get("/broken/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text
    assert 'href="/" role="button">Back to the home page' in text
    assert "css/app.css" in text and 'aria-label="Main"' in text


@pytest.mark.django_db
def test_the_favicon_is_vendored_and_linked(partner_admin_membership, tenant):
    client = client_for(partner_admin_membership)
    page = client.get("/portal/").text
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', page)
    redirect = client_for(tenant=tenant).get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == "/static/favicon.ico"
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.ico") and finders.find("favicon.svg")


@pytest.mark.django_db
def test_api_docs_have_no_inline_script_or_style(cm_membership):
    client = client_for(cm_membership)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.text
    # The CSP allows no inline code: every script has a src, no <style> block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    script_url = re.search(r'<script src="(/api/v1/docs/\?[^"]*script[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content and b"/api/v1/schema/" in script.content


@pytest.mark.django_db
def test_a_page_deleting_a_row_in_use_gets_a_409_page_not_a_500(admin_membership):
    from django.db.models import ProtectedError

    from prm.core.middleware import InUseMiddleware
    from tests.factories import PartnerOrganizationFactory
    from tests.partners.factories import TierFactory

    tier = TierFactory()
    PartnerOrganizationFactory(name="Northwind", tier=tier)

    def delete_view(request):
        tier.delete()

    request = RequestFactory().post("/manage/program/tiers/x/delete/")
    request.tenant, request.membership = admin_membership.tenant, admin_membership
    request.user = admin_membership.user
    middleware = InUseMiddleware(delete_view)
    with pytest.raises(ProtectedError) as raised:
        delete_view(request)
    response = middleware.process_exception(request, raised.value)
    assert response.status_code == 409
    text = response.content.decode()
    assert (
        "This is still in use" in text
        and "1 partner organization;" in text
        and "Partner organizations (1): Northwind" in text
    )
    assert 'class="main-nav"' in text  # the console's layout
