"""Small text rules that several apps must apply the same way."""

from __future__ import annotations

from urllib.parse import urlsplit


def web_domain(value: str) -> str:
    """A company's web domain for matching: 'https://www.Example.com/contact' → 'example.com'.

    Takes a URL, a bare domain or an e-mail address; empty stays empty.
    """
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    if "://" not in value:
        value = "//" + value
    host = (urlsplit(value).hostname or "").strip(".")
    return host[4:] if host.startswith("www.") else host


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run: = + - @ (and tab, CR) at the start are
    escaped with a quote, the usual defence against formula injection."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
