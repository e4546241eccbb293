"""Lead import from CSV: the upload is checked and stored, then a Celery job creates the
leads and keeps every refused row with all of its reasons. A row the csv module cannot
read (a field over its size limit, a broken quote) or one with a NUL byte is refused on
its own; the rest goes on.

The job is all or nothing: every good row of the file is imported in one transaction,
so a job that fails or whose worker dies part way leaves the data as it was (a
redelivered job starts again from the first row and doubles nothing). Its progress is
kept in the cache, chunk by chunk, where the page's progress bar reads it."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from itertools import islice
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from ..choices import LeadImportStatus
from ..models import LeadImport, Motion, Product
from .leads import lead_create

logger = logging.getLogger(__name__)

LEAD_IMPORT_COLUMNS = (
    "customer_name",
    "customer_domain",
    "country",
    "contact_name",
    "contact_email",
    "product_sku",
    "motion_key",
    "estimated_amount",
)
REQUIRED_COLUMNS = ("customer_name", "country")
MAX_BYTES = 2_000_000
MAX_ROWS = 1000
CHUNK_ROWS = 100


def lead_import_template_csv() -> str:
    """The file to fill in: the columns the import reads, and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEAD_IMPORT_COLUMNS)
    writer.writerow(
        ["Initech", "initech.example", "US", "Ada Lovelace", "ada@initech.example", "", "", "1000"]
    )
    return out.getvalue()


def _records(text: str) -> Iterator[tuple[int, dict[str, str] | None, str]]:
    """(row number in the file, the row by lower-case column name, or None and why it
    cannot be read) for every non-blank record after the header row (row 1)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        return
    number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield number, None, f"the line cannot be read as CSV ({exc})."
            continue
        if not any(v.strip() for v in values):
            continue
        number += 1
        row = {k: (v or "").strip() for k, v in zip(header, values, strict=False) if k}
        yield number, row, ""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "The file must be UTF-8 text (CSV)."}) from exc


def lead_import_start(*, acting_membership: Membership, upload: UploadedFile) -> LeadImport:
    """Check the file (UTF-8 CSV with the required columns, at most MAX_ROWS rows), store
    it under the tenant's prefix and start the job once the transaction commits."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError({"file": "The file is over 2 MB: split it into several imports."})
    text = _decode(raw)
    first_line = next(iter(text.splitlines()), "")
    try:
        header = {h.strip().lower() for h in next(csv.reader([first_line]), [])}
    except csv.Error:
        header = set()
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            {
                "file": "The first row must name the columns; missing: "
                + ", ".join(missing)
                + ". Start from the template."
            }
        )
    total = sum(1 for _ in _records(text))
    if total == 0:
        raise ValidationError({"file": "The file has no rows under the header."})
    if total > MAX_ROWS:
        raise ValidationError(
            {"file": f"The file has {total:,} rows: at most {MAX_ROWS:,} per import."}
        )
    tenant = require_current_tenant()
    with transaction.atomic():
        lead_import = LeadImport(
            requested_by=acting_membership,
            file_name=(upload.name or "leads.csv")[:255],
            total_rows=total,
        )
        lead_import.file.save("leads.csv", ContentFile(raw), save=False)
        lead_import.save()

        def enqueue() -> None:
            from ..tasks import import_leads

            import_leads.delay(tenant_id=tenant.pk, lead_import_id=str(lead_import.pk), offset=0)

        transaction.on_commit(enqueue)
    return lead_import


def _row_errors(
    row: dict[str, str], *, products: dict, motions: dict, default_motion: Motion | None
) -> tuple[list[str], dict]:
    """Every reason the row is refused (all of them, not the first), and what to create."""
    errors = []
    if any("\x00" in value for value in row.values()):
        errors.append("it contains a NUL byte.")
    sku = row.get("product_sku", "").lower()
    if sku and sku not in products:
        errors.append(f"no active product with SKU {sku}.")
    motion_key = row.get("motion_key", "")
    motion = motions.get(motion_key) if motion_key else default_motion
    if motion_key and motion is None:
        errors.append(f"no active motion with key {motion_key}.")
    elif motion is None:
        errors.append("there is no active motion to import leads into.")
    try:
        amount = Decimal(row.get("estimated_amount") or "0")
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append("estimated_amount is not a number.")
        amount = None
    data = {
        "customer_name": row.get("customer_name", ""),
        "customer_domain": row.get("customer_domain", ""),
        "country": row.get("country", ""),
        "contact_name": row.get("contact_name", ""),
        "contact_email": row.get("contact_email", ""),
        "estimated_amount": amount,
    }
    return errors, {"motion": motion, "product": products.get(sku), "data": data}


def _progress_key(lead_import_id) -> str:
    return f"deals:lead-import:{lead_import_id}:progress"


def lead_import_progress(*, lead_import: LeadImport) -> int:
    """Rows read so far: the stored count once finished, the job's cached count before."""
    if lead_import.is_finished:
        return lead_import.processed_rows
    return max(lead_import.processed_rows, cache.get(_progress_key(lead_import.pk)) or 0)


def lead_import_run(*, lead_import_id: UUID | str) -> None:
    """Import every row of the file, all or nothing. Idempotent: a finished import is not
    run again, and an unfinished one has committed nothing, so it starts from the top."""
    with transaction.atomic():
        lead_import = LeadImport.objects.select_for_update().filter(pk=lead_import_id).first()
        if lead_import is None or lead_import.is_finished:
            return
        lead_import.status = LeadImportStatus.RUNNING
        lead_import.save(update_fields=["status"])
    acting_membership = lead_import.requested_by
    if acting_membership is None or not acting_membership.is_active:
        _finish(lead_import, failure="The member who started this import has left.")
        return
    cache.delete(_progress_key(lead_import.pk))
    try:
        with transaction.atomic():
            lead_import = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
            if lead_import.is_finished:  # another delivery finished it meanwhile
                return
            lead_import.processed_rows = lead_import.created_count = 0
            lead_import.row_errors = []
            for offset in range(0, lead_import.total_rows, CHUNK_ROWS):
                _run_rows(lead_import, acting_membership=acting_membership, offset=offset)
                cache.set(_progress_key(lead_import.pk), lead_import.processed_rows, 3600)
            _finish(lead_import)
    except Exception as exc:  # noqa: BLE001 - everything is rolled back; the import says so
        logger.exception("lead import %s failed", lead_import.pk)
        lead_import.refresh_from_db()
        _finish(
            lead_import,
            failure=f"The import stopped ({exc.__class__.__name__}) and nothing was "
            "imported: the data is as it was. Upload the file again to retry.",
        )
    finally:
        cache.delete(_progress_key(lead_import.pk))


def _run_rows(lead_import: LeadImport, *, acting_membership: Membership, offset: int) -> None:
    with lead_import.file.open("rb") as handle:
        text = _decode(handle.read())
    products = {p.sku.lower(): p for p in Product.objects.filter(is_active=True)}
    motions = {m.key: m for m in Motion.objects.filter(is_active=True)}
    default_motion = next(iter(motions.values()), None)
    handled = 0
    for number, row, unreadable in islice(_records(text), offset, offset + CHUNK_ROWS):
        handled += 1
        if row is None:
            lead_import.row_errors.append({"row": number, "errors": [unreadable]})
            continue
        errors, fields = _row_errors(
            row, products=products, motions=motions, default_motion=default_motion
        )
        if not errors:
            try:
                with transaction.atomic():
                    lead_create(acting_membership=acting_membership, **fields)
            except ValidationError as exc:
                errors = list(exc.messages)
        if errors:
            lead_import.row_errors.append({"row": number, "errors": errors})
        else:
            lead_import.created_count += 1
    lead_import.processed_rows = offset + handled


def _finish(lead_import: LeadImport, *, failure: str = "") -> None:
    """Done (or failed, with the reason shown on the page)."""
    lead_import.status = LeadImportStatus.FAILED if failure else LeadImportStatus.DONE
    lead_import.failure = failure
    lead_import.finished_at = timezone.now()
    lead_import.save(
        update_fields=[
            "status",
            "failure",
            "finished_at",
            "processed_rows",
            "created_count",
            "row_errors",
        ]
    )
