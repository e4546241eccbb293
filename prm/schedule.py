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
    # --- enablement --------------------------------------------------------------------
    "enablement-expire-certifications": per_tenant(
        "enablement.expire_certifications", crontab(hour=1, minute=30)
    ),
    "enablement-remind-certification-expiry": per_tenant(
        "enablement.remind_certification_expiry", crontab(hour=6, minute=50)
    ),
    "enablement-remind-overdue-assignments": per_tenant(
        "enablement.remind_overdue_assignments", crontab(hour=7, minute=10)
    ),
    # --- analytics -----------------------------------------------------------------------
    # After the deals jobs of the night (expiry at 01:10), so expired deals leave the
    # pipeline in the same night's figures.
    "analytics-rebuild-rollups": per_tenant(
        "analytics.rebuild_rollups", crontab(hour=1, minute=40)
    ),
    "analytics-score-health": per_tenant("analytics.score_health", crontab(hour=2, minute=40)),
    "analytics-evaluate-tiers": per_tenant(
        "analytics.evaluate_tiers", crontab(hour=3, minute=10, day_of_week=1)
    ),
    # --- marketing ---------------------------------------------------------------------
    "marketing-escalate-help-sla": per_tenant("marketing.escalate_help_sla", crontab(minute=35)),
    "marketing-remind-surveys": per_tenant("marketing.remind_surveys", crontab(hour=9, minute=0)),
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
