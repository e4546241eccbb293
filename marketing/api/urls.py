"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

urlpatterns: list = []
