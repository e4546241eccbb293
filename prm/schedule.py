"""Every periodic job, in code (one beat process, USE_TZ=True).

Each entry runs the `prm.fan_out` task, which enqueues the named tenant task once per
active tenant. Each app keeps its jobs in its own block.
"""

from celery.schedules import crontab


def period_seconds(schedule: crontab) -> int:
    """How often a daily/hourly/every-N-minutes crontab fires, in seconds."""
    runs_per_day = len(schedule.hour) * len(schedule.minute)
    return max(60, 86400 // max(runs_per_day, 1))


def per_tenant(task_name: str, schedule: crontab) -> dict:
    """A fan-out of `task_name` to every tenant, claimed once per period (prm.celery)."""
    return {
        "task": "prm.fan_out",
        "schedule": schedule,
        "args": (task_name,),
        "kwargs": {"period_seconds": period_seconds(schedule)},
    }


BEAT_SCHEDULE: dict[str, dict] = {
    # --- prm (core) -------------------------------------------------------------------
    "notifications-daily-digest": per_tenant(
        "notifications.send_digest", crontab(hour=7, minute=0)
    ),
    "notifications-sweep-outbox": per_tenant("notifications.sweep_outbox", crontab(minute="*/10")),
    # --- partners ----------------------------------------------------------------------
    "partners-mark-inactivity": per_tenant("partners.mark_inactivity", crontab(hour=2, minute=10)),
    "partners-remind-stalled-onboarding": per_tenant(
        "partners.remind_stalled_onboarding", crontab(hour=6, minute=20)
    ),
    "partners-remind-agreement-expiry": per_tenant(
        "partners.remind_agreement_expiry", crontab(hour=6, minute=30)
    ),
    "partners-remind-cadence-due": per_tenant(
        "partners.remind_cadence_due", crontab(hour=6, minute=40)
    ),
    # --- deals -------------------------------------------------------------------------
    "deals-expire-lapsed": per_tenant("deals.expire_lapsed", crontab(hour=1, minute=10)),
    "deals-warn-expiring": per_tenant("deals.warn_expiring", crontab(hour=8, minute=0)),
    "deals-escalate-review-sla": per_tenant("deals.escalate_review_sla", crontab(minute=20)),
    "deals-expire-lead-offers": per_tenant("deals.expire_lead_offers", crontab(minute="*/15")),
    "deals-remind-stage-sla": per_tenant("deals.remind_stage_sla", crontab(hour=7, minute=30)),
    # --- incentives ----------------------------------------------------------------------
    "incentives-compute-period-earnings": per_tenant(
        "incentives.compute_period_earnings", crontab(hour=2, minute=40)
    ),
    "incentives-generate-statements": per_tenant(
        "incentives.generate_statements", crontab(hour=3, minute=10)
    ),
    "incentives-fund-reminders": per_tenant(
        "incentives.fund_reminders", crontab(hour=7, minute=50)
    ),
}
