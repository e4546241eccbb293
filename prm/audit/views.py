"""The audit log for program admins: filter, page through, export as CSV."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views import View

from prm.core.text import csv_cell
from prm.core.views import AdminRequiredMixin
from prm.tenancy.context import tenant_context

from .forms import AuditFilterForm
from .selectors import audit_events, audit_rows

PAGE_SIZE = 50
EXPORT_CAP = 100_000  # rows in one CSV; narrow the filters for more
EXPORT_CHUNK = 2_000


class AuditLogView(AdminRequiredMixin, View):
    template_name = "audit/log.html"

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return render(request, self.template_name, {"form": form, "rows": []}, status=400)
        filters = form.filters() if form.is_bound else {}
        page = Paginator(audit_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "page_obj": page,
                "rows": audit_rows(list(page.object_list)),
                "query": request.GET.urlencode(),
            },
        )


class _Echo:
    def write(self, value):
        return value


class AuditLogExportView(AdminRequiredMixin, View):
    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return render(request, AuditLogView.template_name, {"form": form}, status=400)
        filters = form.filters() if form.is_bound else {}
        tenant = request.tenant
        writer = csv.writer(_Echo())

        def rows():
            # Streamed after the middleware left the tenant: enter it again.
            with tenant_context(tenant):
                yield writer.writerow(
                    [
                        "at",
                        "person",
                        "user_id",
                        "action",
                        "object_type",
                        "object_id",
                        "object",
                        "url",
                    ]  # fmt: skip
                )
                events = audit_events(**filters)
                for start in range(0, EXPORT_CAP, EXPORT_CHUNK):
                    chunk = list(events[start : start + EXPORT_CHUNK])
                    for row in audit_rows(chunk):
                        yield writer.writerow(
                            [
                                csv_cell(v)
                                for v in (
                                    row.at.isoformat(),
                                    row.person,
                                    row.user_id or "",
                                    row.action,
                                    row.object_type_label,
                                    row.object_id,
                                    row.object_label,
                                    row.url,
                                )
                            ]
                        )
                    if len(chunk) < EXPORT_CHUNK:
                        break

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
