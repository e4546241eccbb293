"""`{{ deal.amount|money }}`, `{{ amount|money:"EUR" }}`, `{{ amount|money_whole }}`."""

from django import template

from prm.core.money import format_money, format_number

register = template.Library()


@register.filter
def money(amount, currency=None) -> str:
    return format_money(amount, currency or None)


@register.filter
def money_whole(amount, currency=None) -> str:
    return format_money(amount, currency or None, whole=True)


@register.filter
def number(amount, digits=None) -> str:
    return format_number(amount, digits=int(digits) if digits not in (None, "") else None)
