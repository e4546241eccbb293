"""The content library: assets (files or links) and who viewed or downloaded them."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Func, TextField, Value

from prm.tenancy.models import Membership

from ..choices import AssetKind
from ..files import upload_validate
from ..models import Asset, AssetActivity

SEARCH_VECTOR = (
    SearchVector("title", weight="A", config="english")
    + SearchVector("category", weight="B", config="english")
    + SearchVector(
        Func(F("tags"), Value(" "), function="array_to_string", output_field=TextField()),
        weight="B",
        config="english",
    )
    + SearchVector("description", weight="C", config="english")
)


def asset_save(*, acting_membership: Membership, asset: Asset, upload=None) -> Asset:
    """Check and save an asset: a file (type by content, size capped, stored under the
    tenant's prefix) or a link; its search index is refreshed in the same transaction."""
    errors: dict[str, list[str]] = {}
    asset.tags = sorted({t.strip().lower() for t in asset.tags if t.strip()})[:20]
    if asset.kind == AssetKind.LINK:
        if not asset.url:
            errors["url"] = ["Give the link's address."]
    else:
        if upload is not None:
            try:
                asset.file_type = upload_validate(upload)
            except ValidationError as exc:
                errors["file"] = exc.messages
            else:
                asset.file_name = upload.name[:200]
                asset.file_size = upload.size
        elif not asset.file:
            errors["file"] = ["Choose the file to share."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if upload is not None:
            asset.file.save(upload.name, upload, save=False)
        asset.save()
        Asset.objects.filter(pk=asset.pk).update(search_vector=SEARCH_VECTOR)
    return asset


def asset_event_record(*, membership: Membership, asset: Asset, kind: str) -> AssetActivity:
    """Record a view or a download (vendor staff previewing are not counted)."""
    return AssetActivity.objects.create(
        asset=asset,
        membership=membership,
        organization_id=membership.partner_organization_id,
        kind=kind,
    )
