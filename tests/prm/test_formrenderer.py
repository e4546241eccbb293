"""prm.core.formrenderer writes the plain widgets exactly as Django's templates do."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from prm.core.formrenderer import INPUTS, FormRenderer

ATTRS = [
    {},
    {"id": "id_x", "class": "a b", "placeholder": 'say "<hi>" & go', "required": True},
    {"aria-invalid": "true", "aria-describedby": "x_error", "disabled": False, "data-n": 3},
    {"maxlength": 200, "autofocus": True, "title": mark_safe("<b>safe</b>")},
]
WIDGETS = [
    (forms.TextInput, ["", "plain", "a<b>&'\"", None, mark_safe("<i>ok</i>")]),
    (forms.NumberInput, [None, 0, 12, Decimal("12.50"), "-3"]),
    (forms.EmailInput, [None, "a@b.test"]),
    (forms.URLInput, [None, "https://x.test/?a=1&b=2"]),
    (forms.PasswordInput, [None, "secret"]),
    (forms.HiddenInput, [None, "", "v", 7]),
    (forms.SearchInput, [None, "q"]),
    (forms.TelInput, [None, "+1 555"]),
    (forms.ColorInput, [None, "#ff0000"]),
    (forms.DateInput, [None, datetime.date(2026, 12, 3), "2026-12-03"]),
    (forms.DateTimeInput, [None, datetime.datetime(2026, 12, 3, 9, 30)]),
    (forms.TimeInput, [None, datetime.time(9, 30)]),
    (forms.FileInput, [None]),
    (forms.CheckboxInput, [None, True, False, "on", ""]),
    (forms.Textarea, [None, "", "line one\nline <two>", mark_safe("<b>kept</b>")]),
]


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "prm.core.formrenderer.FormRenderer"


@pytest.mark.parametrize(
    ("widget_class", "values"), WIDGETS, ids=lambda w: getattr(w, "__name__", "")
)
def test_same_markup_as_the_templates(widget_class, values):
    fast, django = FormRenderer(), DjangoTemplates()
    widget = widget_class()
    assert widget.template_name in INPUTS or widget_class is forms.Textarea
    for value in values:
        for attrs in ATTRS:
            expected = widget.render("field", value, dict(attrs), renderer=django)
            assert widget.render("field", value, dict(attrs), renderer=fast) == expected


def test_other_widgets_still_use_their_templates():
    fast, django = FormRenderer(), DjangoTemplates()
    widgets = [
        forms.Select(choices=[("a", "A"), ("b", "B <b>")]),
        forms.RadioSelect(choices=[("a", "A")]),
        forms.CheckboxSelectMultiple(choices=[("a", "A")]),
        forms.SelectDateWidget(),
        forms.ClearableFileInput(),
    ]
    for widget in widgets:
        assert widget.render("f", "a", {"id": "id_f"}, renderer=fast) == widget.render(
            "f", "a", {"id": "id_f"}, renderer=django
        )


def test_a_whole_form_renders_as_with_the_templates():
    class Sample(forms.Form):
        name = forms.CharField(max_length=20, help_text="Who <you> are")
        amount = forms.DecimalField(max_digits=8, decimal_places=2)
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        notes = forms.CharField(widget=forms.Textarea, required=False)
        agree = forms.BooleanField()
        kind = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])

    data = {"name": "<too long for the field, surely>", "amount": "abc", "when": ""}
    fast = Sample(data, renderer=FormRenderer()).as_div()
    django = Sample(data, renderer=DjangoTemplates()).as_div()
    assert fast == django and 'aria-invalid="true"' in fast
