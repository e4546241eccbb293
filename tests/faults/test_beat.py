"""Beat and clock: a missed slot runs once; two beats by mistake do not double a job."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery.beat import ScheduleEntry, Scheduler
from celery.schedules import crontab
from django.conf import settings

from prm.celery import app, claim_slot, fan_out, tenant_task
from prm.schedule import BEAT_SCHEDULE, per_tenant, period_seconds
from tests.factories import TenantFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

PROBE = f"tests.beat_probe_{uuid.uuid4().hex}"
COUNTER = f"prm-test:{PROBE}"


@tenant_task(name=PROBE)
def beat_probe(*, tenant_id: int) -> None:
    redis.Redis.from_url(settings.REDIS_URL).hincrby(COUNTER, str(tenant_id), 1)


@pytest.fixture
def runs():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(COUNTER)
    yield lambda: {int(k): int(v) for k, v in client.hgetall(COUNTER).items()}
    client.delete(COUNTER)


class RecordingScheduler(Scheduler):
    """Beat's own scheduler, recording what it would send instead of sending it."""

    def __init__(self, *args, **kwargs):
        self.sent: list[ScheduleEntry] = []
        super().__init__(*args, **kwargs)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry)
        return None


def test_every_job_is_claimed_once_per_period_of_its_schedule():
    assert period_seconds(crontab(hour=7, minute=0)) == 86400
    assert period_seconds(crontab(minute=20)) == 3600
    assert period_seconds(crontab(minute="*/15")) == 900
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["kwargs"]["period_seconds"] == period_seconds(entry["schedule"]), name


def test_two_beats_enqueue_a_job_once_per_period(runs):
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    # The second beat's fan-out of the same job in the same hour enqueues nothing.
    assert fan_out.apply(args=(PROBE,), kwargs={"period_seconds": 3600}).get() == 2
    assert fan_out.apply(args=(PROBE,), kwargs={"period_seconds": 3600}).get() == 0
    assert runs() == {acme.pk: 1, globex.pk: 1}


def test_a_claim_is_per_job_and_per_period():
    name = f"tests.claim_{uuid.uuid4().hex}"
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp()
    assert claim_slot(name, 3600, now=noon)
    assert not claim_slot(name, 3600, now=noon + 1800)  # the same hour
    assert claim_slot(name, 3600, now=noon + 3600)  # the next hour
    assert claim_slot(f"{name}-other", 3600, now=noon)  # another job


def test_a_job_missed_while_beat_was_down_runs_once_when_it_comes_back():
    """Beat down for three days: the daily job is due once, not three times."""
    entry = per_tenant(PROBE, crontab(hour=7, minute=0))
    scheduler = RecordingScheduler(app=app, lazy=True)
    scheduler.update_from_dict({"probe": entry})
    scheduler.schedule["probe"].last_run_at = datetime.now(UTC) - timedelta(days=3)

    for _ in range(5):
        scheduler.tick()
    assert [e.name for e in scheduler.sent] == ["probe"]
