"""Walk the tenant URLconf: every pattern, its full name and the kwargs it takes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str | None
    route: str
    kwargs: frozenset[str]
    callback: object


def _walk(patterns, prefix: str, namespace: str | None, kwargs: frozenset[str]):
    for entry in patterns:
        entry_kwargs = kwargs | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = ":".join(part for part in (namespace, ns) if part) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns, entry_kwargs)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Pattern(name, prefix + str(entry.pattern), entry_kwargs, entry.callback)


def tenant_patterns() -> list[Pattern]:
    return list(_walk(get_resolver(settings.ROOT_URLCONF).url_patterns, "", None, frozenset()))


def object_patterns() -> list[Pattern]:
    """Patterns that take an object (any kwarg but DRF's format suffix)."""
    return [p for p in tenant_patterns() if p.kwargs - {"format"}]


def plain_get_patterns() -> list[Pattern]:
    """Named patterns without kwargs: list pages, forms, endpoints' collections."""
    return [p for p in tenant_patterns() if p.name and not p.kwargs]
