"""The event and provider mechanisms the apps use to talk up the layers."""

import pytest

from prm.core import events
from prm.core.registry import Registry


@pytest.mark.django_db(transaction=True)
def test_a_handler_runs_after_commit_and_not_after_rollback():
    from django.db import transaction

    seen = []

    def handler(**payload):
        seen.append(payload)

    events.subscribe("test.happened", handler)
    events.subscribe("test.happened", handler)  # twice: still one call per event
    try:
        with transaction.atomic():
            events.publish("test.happened", tenant_id=1, thing=2)
            assert seen == []  # not before the commit
        assert seen == [{"tenant_id": 1, "thing": 2}]

        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish("test.happened", tenant_id=1, thing=3)
            raise RuntimeError("rolled back")
        assert seen == [{"tenant_id": 1, "thing": 2}]
    finally:
        events._handlers.pop("test.happened", None)


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_does_not_stop_the_others():
    seen = []

    def broken(**payload):
        raise ValueError("boom")

    def fine(**payload):
        seen.append(payload["tenant_id"])

    events.subscribe("test.other", broken)
    events.subscribe("test.other", fine)
    try:
        events.publish("test.other", tenant_id=7)
        assert seen == [7]
    finally:
        events._handlers.pop("test.other", None)


def test_a_registry_keeps_each_provider_once_in_order():
    registry = Registry("test")

    def a():
        return 1

    def b():
        return 2

    registry.register(a)
    registry.register(b)
    registry.register(a)
    assert [p() for p in registry] == [1, 2]
    registry.unregister(a)
    assert list(registry) == [b]


def test_deals_provide_the_tier_metrics_to_partners():
    # analytics, installed above deals, replaces the live figures with its rollups and
    # falls back to deals' own (tests/analytics/test_views.py checks both).
    from analytics.providers import tier_metrics
    from deals.selectors import partner_tier_metrics
    from partners.providers import metric_providers

    assert tier_metrics in list(metric_providers)
    assert partner_tier_metrics not in list(metric_providers)
