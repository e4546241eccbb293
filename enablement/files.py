"""Uploaded files of the enablement app (lesson files, library assets).

Stored through Django's storage API (local folder or S3) under the tenant's own prefix,
with the type checked by the file's content (magic bytes, via `filetype`), never by its
name or the browser's claim, and the size capped. They are served only by views that
check who may see them (`file_response`), never from a public URL.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import FileResponse
from django.utils.text import get_valid_filename

from prm.core.uploads import check_upload, serve
from prm.ids import uuid7

# What a course file or an asset may be, by detected MIME type.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/zip": "ZIP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "video/mp4": "MP4",
}


def allowed_types_text() -> str:
    return ", ".join(sorted(set(ALLOWED_TYPES.values())))


def upload_validate(upload) -> str:
    """Check size and content type of an uploaded file; return its detected MIME type."""
    return check_upload(upload, kinds=ALLOWED_TYPES, max_bytes=settings.PRM_MAX_FILE_BYTES)


def tenant_file_path(instance, filename: str) -> str:
    """tenants/<tenant id>/enablement/<random>/<name>: per tenant, never guessable."""
    from prm.tenancy.context import require_current_tenant

    tenant_id = instance.tenant_id or require_current_tenant().pk
    return posixpath.join(
        "tenants",
        str(tenant_id),
        "enablement",
        uuid7().hex,
        get_valid_filename(posixpath.basename(filename))[:100] or "file",
    )


def file_response(field_file, *, content_type: str, filename: str) -> FileResponse:
    """Stream a stored file as a download (the caller has checked access)."""
    return serve(field_file, content_type=content_type, filename=filename)
