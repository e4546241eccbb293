"""The application's URLs plus the floor views (only in the benchmark server)."""

from django.urls import include, path

from bench import views

urlpatterns = [
    # Stock middleware (bench/wsgi.py routes this prefix to a stock handler).
    path("_floor/stock/plain/", views.plain, name="floor_stock_plain"),
    # Everything below runs through the application's middleware, on a tenant host.
    path("_floor/plain/", views.plain, name="floor_plain"),
    path("_floor/member/", views.MemberNoopView.as_view(), name="floor_member"),
    path("_floor/template/<str:layout>/", views.TemplateFloorView.as_view(), name="floor_template"),
    path("_floor/api/", views.ApiFloorView.as_view(), name="floor_api"),
    path("", include("prm.urls")),
]
