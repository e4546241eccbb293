"""Embedded lesson videos: an allow-list of providers, embedded through their privacy
players only, so the Content-Security-Policy's frame-src names exactly two hosts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ValidationError

ALLOWED_PROVIDERS = "YouTube or Vimeo"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{4,12}$")


def video_embed_url(url: str) -> str:
    """The embeddable player URL for a YouTube or Vimeo link, else ValidationError."""
    parsed = urlparse((url or "").strip())
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parsed.scheme not in ("http", "https"):
        host = ""
    parts = [p for p in parsed.path.split("/") if p]
    video_id = ""
    if host in ("youtube.com", "youtube-nocookie.com"):
        if parts[:1] == ["watch"]:
            video_id = (parse_qs(parsed.query).get("v") or [""])[0]
        elif len(parts) >= 2 and parts[0] in ("embed", "shorts", "live"):
            video_id = parts[1]
    elif host == "youtu.be" and parts:
        video_id = parts[0]
    if video_id:
        if not _YOUTUBE_ID.match(video_id):
            raise ValidationError("This YouTube link has no valid video id.")
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if host in ("vimeo.com", "player.vimeo.com"):
        candidates = [p for p in parts if p != "video"]
        if candidates and _VIMEO_ID.match(candidates[0]):
            return f"https://player.vimeo.com/video/{candidates[0]}?dnt=1"
        raise ValidationError("This Vimeo link has no valid video id.")
    raise ValidationError(f"Videos can be embedded from {ALLOWED_PROVIDERS} only.")
