"""One way to answer htmx: the partial for an htmx request, the whole page otherwise.

The same URL returns two bodies, so every such response says `Vary: HX-Request` (a
cache must not hand the fragment to a full page load, or the page to htmx). Partials are
Django 6 template partials: `{% partialdef name inline %}` in the page's template, named
`"<template>#<name>"`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment (a boosted link wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def partial_template(request: HttpRequest, template_name: str, partial: str) -> str:
    return f"{template_name}#{partial}" if wants_partial(request) else template_name


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_htmx(
    request: HttpRequest,
    template_name: str,
    context: dict | None = None,
    *,
    partial: str,
    status: int = 200,
) -> HttpResponse:
    """`template_name#partial` for htmx, `template_name` otherwise; Vary: HX-Request."""
    response = render(
        request, partial_template(request, template_name, partial), context, status=status
    )
    return vary_on_htmx(response)


def render_fragment(
    request: HttpRequest,
    template_name: str,
    partial: str,
    context: dict | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Only the partial (an htmx action that swaps one fragment, e.g. a row after a
    decision; its non-htmx twin redirects), with Vary: HX-Request."""
    return vary_on_htmx(render(request, f"{template_name}#{partial}", context, status=status))


class HtmxPartialMixin:
    """For TemplateResponse views (ListView...): `htmx_partial` names the partial of
    `template_name` that htmx requests get."""

    htmx_partial: str = ""

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if self.htmx_partial and wants_partial(self.request):
            return [f"{name}#{self.htmx_partial}" for name in names]
        return names

    def render_to_response(self, context, **response_kwargs):
        return vary_on_htmx(super().render_to_response(context, **response_kwargs))
