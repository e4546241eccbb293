"""The client address behind trusted proxies, and limits keyed on it."""

from __future__ import annotations

import ipaddress
import threading

import pytest
from django.test import Client

from prm.core import ratelimit
from prm.core.clientip import client_ip_from
from tests.factories import MembershipFactory

LOCKED = "Too many failed login attempts"
NETS = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("remote", "xff", "count", "networks", "expected"),
    [
        # Off (the default): REMOTE_ADDR, whatever the header says.
        ("10.0.0.5", "203.0.113.9", 0, (), "10.0.0.5"),
        # One proxy: the address it appended.
        ("10.0.0.5", "203.0.113.9", 1, (), "203.0.113.9"),
        # A client that forges the header cannot choose its address.
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", 1, (), "203.0.113.9"),
        # Two proxies of ours.
        ("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7", 2, (), "203.0.113.9"),
        # Fewer hops than configured: the leftmost known.
        ("10.0.0.5", "", 1, (), "10.0.0.5"),
        # Trusted networks: skip our proxies from the right.
        ("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.1.1.1", 0, NETS, "203.0.113.9"),
        # A peer outside the trusted networks is the client, header or not.
        ("198.51.100.1", "203.0.113.9", 0, NETS, "198.51.100.1"),
        # Garbage written by the client is never used.
        ("10.0.0.5", "not-an-ip, 203.0.113.9", 1, (), "203.0.113.9"),
        ("10.0.0.5", "2001:db8::1", 1, (), "2001:db8::1"),
    ],
)
def test_client_ip_from_the_proxy_chain(remote, xff, count, networks, expected):
    assert client_ip_from(remote, xff, count=count, networks=networks) == expected


def _proxy_setting(settings, count: int) -> None:
    settings.PRM_TRUSTED_PROXY_COUNT = count
    settings.PRM_TRUSTED_PROXY_NETWORKS = ()


@pytest.mark.django_db
def test_failed_sign_ins_of_one_client_do_not_lock_out_another_behind_the_proxy(tenant, settings):
    _proxy_setting(settings, 1)
    MembershipFactory(tenant=tenant, role="admin", user__email="real@example.test")

    def attempt(client_address: str, email: str):
        return Client(
            HTTP_HOST=tenant.host,
            REMOTE_ADDR="10.0.0.2",  # the TLS proxy
            HTTP_X_FORWARDED_FOR=client_address,
        ).post("/accounts/login/", {"login": email, "password": "wrong-password-1"})

    # 10 failures per minute per address (ACCOUNT_RATE_LIMITS), each on another login.
    for n in range(10):
        assert LOCKED not in attempt("203.0.113.1", f"guess{n}@example.test").text
    assert LOCKED in attempt("203.0.113.1", "guess-more@example.test").text
    # Another client behind the same proxy is not locked out.
    other = attempt("203.0.113.2", "real@example.test").text
    assert LOCKED not in other and "not correct" in other


@pytest.mark.django_db
def test_reserve_is_atomic_under_concurrency():
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def take():
        barrier.wait()
        results.append(ratelimit.reserve("test:concurrent", limit=5, window_seconds=60))

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5 and results.count(False) == 7
    ratelimit.release("test:concurrent")
    assert ratelimit.reserve("test:concurrent", limit=5, window_seconds=60) is False  # 12 - 1


@pytest.mark.django_db
def test_request_log_lines_carry_the_trusted_client_address(client, settings):
    """The log's address is the one the limits use: a forged X-Forwarded-For is not it."""
    import structlog

    from tests.factories import TenantFactory

    settings.PRM_TRUSTED_PROXY_COUNT = 0
    tenant = TenantFactory()
    merge = structlog.contextvars.merge_contextvars
    with structlog.testing.capture_logs(processors=[merge]) as logs:
        client.get(
            "/accounts/login/",
            HTTP_HOST=f"{tenant.slug}.localhost",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            REMOTE_ADDR="198.51.100.7",
        )
    finished = [line for line in logs if line.get("event") == "request_finished"]
    assert finished and finished[0]["ip"] == "198.51.100.7"
    assert finished[0]["tenant_id"] == tenant.pk
