"""Rich text: Markdown rendered by markdown-it-py and sanitised by nh3, once, on save.

Pages print the stored HTML as it is, so it must be safe when stored: raw HTML in the
source is escaped by the renderer, and nh3 then keeps only harmless tags and attributes
and http(s)/mailto links (no `javascript:`), with rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def markdown_to_html(source: str) -> str:
    """Safe HTML for `source` (Markdown); empty stays empty."""
    if not (source or "").strip():
        return ""
    return nh3.clean(
        _renderer.render(source),
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
