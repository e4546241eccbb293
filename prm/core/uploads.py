"""Uploaded files: type checked by content, size capped, served only by views that check.

The name and the browser's Content-Type of an upload are what the sender says; the
first bytes (read by `filetype`) are what it is. A file is accepted only when its content
is one of the kinds the caller allows, and served back with that type, never guessed.
"""

from __future__ import annotations

import posixpath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.text import get_valid_filename

# Kinds people commonly share: documents, images, slides, spreadsheets, archives, video.
DOCUMENTS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
}
IMAGES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}
ARCHIVES = {"application/zip": "ZIP"}
VIDEOS = {"video/mp4": "MP4"}

MB = 1024 * 1024


def describe(kinds: dict[str, str]) -> str:
    return ", ".join(sorted(set(kinds.values())))


def check_upload(upload, *, kinds: dict[str, str], max_bytes: int) -> str:
    """The content type of `upload` if its content is one of `kinds` and small enough.

    Raises ValidationError with a message a person can act on otherwise.
    """
    if upload is None:
        raise ValidationError("Choose a file.")
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError("The file is empty.")
    if size > max_bytes:
        raise ValidationError(
            f"The file is {size / MB:.1f} MB; files may be at most {max_bytes / MB:.0f} MB."
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in kinds:
        found = f" (it looks like {kind.extension.upper()})" if kind else ""
        raise ValidationError(
            f"This type of file is not accepted{found}. Upload one of: {describe(kinds)}."
        )
    return mime


def tenant_path(tenant_id: int, folder: str, filename: str) -> str:
    """A storage path under the tenant's own prefix (the same on disk and on S3)."""
    return posixpath.join("tenants", str(tenant_id), folder, get_valid_filename(filename))


def serve(field_file, *, content_type: str, filename: str | None = None, inline: bool = False):
    """Stream a stored file with the type recorded at upload (never sniffed by browsers)."""
    name = filename or posixpath.basename(field_file.name)
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


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
