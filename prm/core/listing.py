"""Lists that read each related object once: a filter form's model selects and the
page's rows share the same objects (a deal list's motions, a partner list's tiers).

`choice_objects` reads the objects of a form's model selects once and has the selects
write their options from them; `attach_related` gives a page of rows their related
objects from those (and reads only the few missing), instead of a join or a prefetch
that reads the same rows again. `KnownCountPaginator` takes the number of rows from a
page that already holds it (its figures over the same rows) instead of counting again.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django_filters.constants import EMPTY_VALUES
from django_filters.filters import OrderingFilter


class KnownCountPaginator(Paginator):
    """A Paginator given its `count` when the caller knows it already; with None it
    counts as usual (one COUNT query). Only for a number that is provably the count of
    `object_list`: the same rows, e.g. the sum of the page's figures over its own
    queryset when no filter narrows the list."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its value


def filterset_narrows(filterset) -> bool:
    """Whether a bound django-filter FilterSet leaves out any row of its queryset: a
    filter has a value (django-filter applies none whose value is empty), or the form is
    invalid (said to narrow, to be safe). The sort (an OrderingFilter) never does."""
    if not filterset.is_bound:
        return False
    if not filterset.form.is_valid():
        return True
    return any(
        value not in EMPTY_VALUES
        for name, value in filterset.form.cleaned_data.items()
        if not isinstance(filterset.filters.get(name), OrderingFilter)
    )


def choice_objects(
    form: forms.Form, names: tuple[str, ...], *, related: dict[str, dict] | None = None
) -> dict[str, dict]:
    """{field name: {pk: object}} of the form's model choice fields `names` (a field
    the page removed is an empty dict), each queryset read once; the field's widget
    then writes its options from these objects (same values, labels and order).

    `related` ({field name: {foreign key: field name}}) gives a field's objects the
    objects of a field read before them (e.g. each stage its motion, from the motion
    select's, for the stage's label) instead of a join that reads them again."""
    found: dict[str, dict] = {}
    for name in names:
        field = form.fields.get(name)
        if field is None:
            found[name] = {}
            continue
        objects = list(field.queryset)
        relations = (related or {}).get(name)
        if relations:
            objects = attach_related(
                objects, {key: found.get(source, {}) for key, source in relations.items()}
            )
        blank = [("", field.empty_label)] if field.empty_label is not None else []
        field.widget.choices = blank + [(obj.pk, field.label_from_instance(obj)) for obj in objects]
        found[name] = {obj.pk: obj for obj in objects}
    return found


def attach_related(rows, relations: dict[str, dict | None]) -> list:
    """The rows (model instances) with each foreign key named in `relations` set from
    the objects given for it ({pk: object}, e.g. from `choice_objects`); those missing
    are read by primary key, one query per relation at most. None: left as it is."""
    rows = list(rows)
    if not rows:
        return rows
    meta = rows[0]._meta
    for name, known in relations.items():
        if known is None:
            continue
        field = meta.get_field(name)
        missing = {getattr(row, field.attname) for row in rows} - {None} - known.keys()
        if missing:
            known = {**known, **field.related_model._default_manager.in_bulk(missing)}
        for row in rows:
            key = getattr(row, field.attname)
            field.set_cached_value(row, known[key] if key is not None else None)
    return rows
