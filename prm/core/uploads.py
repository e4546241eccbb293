"""Checks every uploaded file goes through: a size cap and a type read from its content.

The browser's file name and Content-Type are the uploader's to choose; the first bytes
of the file are not (`filetype` reads the magic numbers).
"""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


def validate_upload(file, *, max_bytes: int, mime_types: set[str], what: str, kinds: str) -> None:
    """Raise ValidationError unless `file` (a new upload) is small enough and of a type."""
    if not isinstance(file, UploadedFile):
        return  # nothing new: the stored file was checked when it was uploaded
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(f"The {what} may be at most {max_bytes // 1024} KB.")
    position = file.tell()
    head = file.read(2048)
    file.seek(position)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in mime_types:
        raise ValidationError(f"The {what} must be {kinds}; this file is not.")


def validate_logo(file) -> None:
    validate_upload(
        file,
        max_bytes=LOGO_MAX_BYTES,
        mime_types=LOGO_TYPES,
        what="logo",
        kinds="a PNG, JPEG, WebP or GIF image",
    )
