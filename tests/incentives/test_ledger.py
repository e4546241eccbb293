"""The ledger: append-only for the application role, running totals, keys, currencies."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from incentives.choices import AccountKind, EntryCause
from incentives.models import LedgerAccount, LedgerEntry
from incentives.money import CurrencyMismatchError, add, cents, parse_amount
from incentives.services import Posting, balance_from_entries, entry_post, entry_reverse
from prm.tenancy.context import tenant_context
from tests.factories import PartnerOrganizationFactory, TenantFactory


def _post(org, amount, key, currency="USD", kind=AccountKind.EARNINGS):
    return entry_post(
        organization_id=org.pk,
        kind=kind,
        currency=currency,
        posting=Posting(
            amount=Decimal(amount), cause=EntryCause.ADJUSTMENT, description=key, key=key
        ),
    )


@pytest.mark.django_db
def test_running_total_and_entry_balances(partner_org):
    _post(partner_org, "100.00", "a")
    _post(partner_org, "-30.50", "b")
    entry, created = _post(partner_org, "10.005", "c")  # half-up to cents
    assert created and entry.amount == Decimal("10.01")
    account = LedgerAccount.objects.get(organization=partner_org, kind=AccountKind.EARNINGS)
    assert account.balance == Decimal("79.51") == balance_from_entries(account=account)
    assert entry.running_balance == Decimal("79.51")
    assert account.entry_count == 3


@pytest.mark.django_db
def test_same_key_posts_once(partner_org):
    first, created = _post(partner_org, "5", "once")
    again, created_again = _post(partner_org, "5", "once")
    assert created and not created_again and again.pk == first.pk
    assert LedgerEntry.objects.filter(key="once").count() == 1


@pytest.mark.django_db
def test_currencies_are_separate_accounts(partner_org):
    _post(partner_org, "100", "usd", currency="USD")
    _post(partner_org, "70", "eur", currency="EUR")
    accounts = {
        a.currency: a.balance for a in LedgerAccount.objects.filter(organization=partner_org)
    }
    assert accounts == {"USD": Decimal("100.00"), "EUR": Decimal("70.00")}
    with pytest.raises(CurrencyMismatchError):
        add((Decimal("1"), "USD"), (Decimal("1"), "EUR"))


@pytest.mark.django_db
def test_reversal_is_a_new_entry_once(partner_org):
    entry, _ = _post(partner_org, "40", "spiff")
    reversal = entry_reverse(entry=entry, reason="deal reopened")
    assert reversal.amount == Decimal("-40.00") and reversal.reverses_id == entry.pk
    assert entry_reverse(entry=entry, reason="again") is None
    account = LedgerAccount.objects.get(organization=partner_org)
    assert account.balance == Decimal("0.00")
    entry.refresh_from_db()
    assert entry.amount == Decimal("40.00")  # the original is untouched


@pytest.mark.django_db
def test_application_role_cannot_update_or_delete_entries(partner_org):
    entry, _ = _post(partner_org, "40", "immutable")
    assert connection.settings_dict["USER"] == "prm_app"
    for statement in (
        "UPDATE incentives_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM incentives_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError) as info,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
        assert "permission denied" in str(info.value) or "append-only" in str(info.value)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    entry.refresh_from_db()
    assert entry.amount == Decimal("40.00")


@pytest.mark.django_db
def test_trigger_and_revoked_privileges_are_in_place():
    """Both walls: the trigger (for every role) and the privileges the app role lacks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'incentives_ledgerentry'::regclass "
            "AND tgname = 'append_only'"
        )
        assert cursor.fetchone() is not None
        cursor.execute(
            "SELECT has_table_privilege('prm_app', 'incentives_ledgerentry', 'UPDATE'), "
            "has_table_privilege('prm_app', 'incentives_ledgerentry', 'DELETE'), "
            "has_table_privilege('prm_app', 'incentives_ledgerentry', 'INSERT')"
        )
        assert cursor.fetchone() == (False, False, True)


def test_rounding_rule_is_half_up():
    assert cents("2.345") == Decimal("2.35")
    assert cents("2.344") == Decimal("2.34")
    assert cents("0.125") == Decimal("0.13")
    assert parse_amount("-5") is None and parse_amount("abc") is None
    assert parse_amount("1.234") is None and parse_amount("1,000.50") == Decimal("1000.50")


@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_keep_the_running_total():
    tenant = TenantFactory(slug="ledger-race", name="Ledger race")
    with tenant_context(tenant):
        org = PartnerOrganizationFactory()
    barrier = threading.Barrier(12)
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            with tenant_context(tenant):
                _post(org, "1.10", f"race-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    with tenant_context(tenant):
        account = LedgerAccount.objects.get(organization=org)
        assert account.balance == Decimal("13.20") == balance_from_entries(account=account)
        balances = sorted(LedgerEntry.objects.values_list("running_balance", flat=True))
        assert balances == [Decimal("1.10") * n for n in range(1, 13)]
