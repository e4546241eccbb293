"""What the database itself guarantees about deals (constraints over clean())."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from deals.models import Deal, DealConflict, DealPartner
from prm.tenancy.context import tenant_context
from tests.deals.factories import make_deal

pytestmark = pytest.mark.django_db


def _integrity(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_numbers_are_unique_per_tenant(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    other = make_deal(partner_admin_membership, customer="Other", domain="other.example")
    _integrity(lambda: Deal.objects.filter(pk=other.pk).update(number=deal.number))


def test_an_approved_deal_always_has_a_protection_date(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    _integrity(lambda: Deal.objects.filter(pk=deal.pk).update(status="approved"))


def test_a_rejected_deal_always_has_a_reason(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    _integrity(
        lambda: Deal.objects.filter(pk=deal.pk).update(status="rejected", rejection_reason="")
    )


def test_split_is_between_0_and_100(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    _integrity(
        lambda: DealPartner.objects.create(
            deal=deal,
            organization=partner_admin_membership.partner_organization,
            role="reseller",
            split_percent=150,
        )
    )


# Each test ends with its refused write: a refused write leaves the transaction to be
# rolled back as a whole.


def test_a_conflict_needs_two_deals(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    _integrity(lambda: DealConflict.objects.create(deal=deal, other_deal=deal, score=1))


def test_a_resolved_conflict_needs_a_decision(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    other = make_deal(partner_admin_membership, customer="Zed", domain="zed.example")
    _integrity(
        lambda: DealConflict.objects.create(deal=deal, other_deal=other, score=1, status="resolved")
    )


def test_reference_format(partner_admin_membership):
    assert make_deal(partner_admin_membership).reference == "DR-000001"


def test_similar_names_come_from_the_trigram_index_and_only_this_tenant(
    partner_admin_membership, tenant, other_tenant
):
    deal = make_deal(partner_admin_membership, customer="Globex Corporation")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SELECT pg_stat_get_xact_numscans('deal_open_name_trgm_idx'::regclass)")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT deal_id FROM deals_open_similar_names(%s, %s)", ["globex corp", 0.3])
        found = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT pg_stat_get_xact_numscans('deal_open_name_trgm_idx'::regclass)")
        after = cursor.fetchone()[0]
    assert found == [deal.pk]
    assert after > before, "the trigram lookup did not use the tenant-first GiST index"
    with tenant_context(other_tenant), connection.cursor() as cursor:
        cursor.execute("SELECT deal_id FROM deals_open_similar_names(%s, %s)", ["globex corp", 0.3])
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_similar_names_function_is_owned_by_an_unprivileged_role_and_not_public():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcanlogin, p.prosecdef "
            "FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
            "WHERE p.oid = 'deals_open_similar_names(text, real)'::regprocedure"
        )
        owner, superuser, bypassrls, can_login, security_definer = cursor.fetchone()
        assert security_definer
        assert (superuser, bypassrls, can_login) == (False, False, False), owner
        # Who may execute it: the application role, and not PUBLIC.
        cursor.execute(
            "SELECT grantee FROM aclexplode((SELECT proacl FROM pg_proc WHERE oid = "
            "'deals_open_similar_names(text, real)'::regprocedure)) "
            "WHERE privilege_type = 'EXECUTE'"
        )
        grantees = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_USER])
        app_role = cursor.fetchone()[0]
        assert 0 not in grantees, "PUBLIC may execute deals_open_similar_names"
        assert app_role in grantees
        assert (
            cursor.execute(
                "SELECT has_function_privilege(current_user, "
                "'deals_open_similar_names(text, real)', 'EXECUTE')"
            )
            is None
        )
        assert cursor.fetchone()[0] is True
