from functools import partial

from rest_framework.pagination import PageNumberPagination

from prm.core.listing import KnownCountPaginator


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        """A view that knows how many rows its queryset has (`view.known_count`, read
        along with something it needed anyway) spares the paginator its COUNT."""
        known = getattr(view, "known_count", None)
        self.django_paginator_class = partial(KnownCountPaginator, count=known)
        return super().paginate_queryset(queryset, request, view)

    def leaves_rows_alone(self, request) -> bool:
        """The request names no query parameter but the page, the page size and the
        sort: the list's rows are its queryset's, only paged and ordered."""
        neutral = {self.page_query_param, self.page_size_query_param, "ordering"}
        return set(request.query_params) <= neutral
