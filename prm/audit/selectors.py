"""The audit log: every tracked model's recorded changes (pghistory events), one list.

Each tracked model has its own event table (`@track()`), every one with the row's
tenant_id. The log is a UNION ALL of them, filtered in each branch (tenant, person,
date; the object type picks the branches), newest first: one query for a page, one for
its count, then one per object type on the page for the objects' names and one for the
people's names. Row-level security binds each branch as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pghistory.models
from django.apps import apps
from django.db.models import CharField, F, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from prm.tenancy.context import require_current_tenant

ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
# Columns of each branch of the union (prefixed: event models have fields of their own).
FIELDS = ("log_at", "log_action", "log_type", "log_object", "log_user", "log_url", "log_id")


@lru_cache(maxsize=1)
def _event_models() -> dict[str, type]:
    """Tracked model label ("deals.deal") → its event model, for tenant-owned models."""
    found = {}
    for model in apps.get_models():
        if not issubclass(model, pghistory.models.Event) or model._meta.proxy:
            continue
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is None or not any(f.name == "tenant" for f in model._meta.fields):
            continue
        found[tracked._meta.label_lower] = model
    return dict(sorted(found.items()))


def audit_object_types() -> list[tuple[str, str]]:
    """(key, label) of every object type the log can show, for the filter."""
    return sorted(
        (
            (key, str(model.pgh_tracked_model._meta.verbose_name).capitalize())
            for key, model in _event_models().items()
        ),
        key=lambda pair: pair[1],
    )


def audit_events(
    *,
    person_id: str | None = None,
    object_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet:
    """The current tenant's recorded changes, newest first, as dicts of FIELDS: when, the
    action, the object type and id, the person's user id (from the request's context)
    and the URL."""
    tenant = require_current_tenant()
    models = _event_models()
    if object_type:
        models = {object_type: models[object_type]} if object_type in models else {}
    branches = []
    for key, model in models.items():
        queryset = model.objects.filter(tenant_id=tenant.pk)
        if person_id:
            queryset = queryset.filter(pgh_context__user=str(person_id))
        if since:
            queryset = queryset.filter(pgh_created_at__gte=_start_of(since))
        if until:
            queryset = queryset.filter(pgh_created_at__lt=_start_of(until + timedelta(days=1)))
        branches.append(
            queryset.annotate(
                log_at=F("pgh_created_at"),
                log_action=F("pgh_label"),
                log_type=Value(key, output_field=CharField()),
                log_object=Cast("pgh_obj_id", TextField()),
                log_user=KeyTextTransform("user", "pgh_context"),
                log_url=KeyTextTransform("url", "pgh_context"),
                log_id=Cast("pgh_id", TextField()),
            ).values(*FIELDS)
        )
    if not branches:
        return _event_models()["tenancy.membership"].objects.none().values("pgh_id")
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-log_at", "-log_id")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class AuditRow:
    at: datetime
    action: str
    object_type: str
    object_type_label: str
    object_id: str
    object_label: str
    user_id: str | None
    person: str
    url: str


def audit_rows(events: list[dict]) -> list[AuditRow]:
    """A page of events with what a person reads: names of the objects and the people
    (one query per object type on the page, one for the people)."""
    from prm.accounts.models import User

    models = _event_models()
    ids_by_type: dict[str, set[str]] = {}
    for event in events:
        ids_by_type.setdefault(event["log_type"], set()).add(event["log_object"])
    labels: dict[tuple[str, str], str] = {}
    for key, ids in ids_by_type.items():
        tracked = models[key].pgh_tracked_model
        for obj in tracked._base_manager.filter(
            tenant_id=require_current_tenant().pk, pk__in=list(ids)
        ):
            labels[(key, str(obj.pk))] = str(obj)[:120]
    user_ids = {e["log_user"] for e in events if e["log_user"]}
    people = {str(u.pk): u.display_name for u in User.objects.filter(pk__in=list(user_ids))}
    type_labels = dict(audit_object_types())
    return [
        AuditRow(
            at=e["log_at"],
            action=ACTIONS.get(e["log_action"], e["log_action"]),
            object_type=e["log_type"],
            object_type_label=type_labels.get(e["log_type"], e["log_type"]),
            object_id=e["log_object"],
            object_label=labels.get((e["log_type"], e["log_object"]), "(deleted)"),
            user_id=e["log_user"],
            person=people.get(e["log_user"] or "", "—") if e["log_user"] else "System",
            url=e["log_url"] or "",
        )
        for e in events
    ]
