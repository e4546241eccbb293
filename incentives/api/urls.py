"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("incentive-programs", views.ProgramViewSet, basename="incentive-program")
router.register("ledger-accounts", views.AccountViewSet, basename="ledger-account")
router.register("ledger-entries", views.EntryViewSet, basename="ledger-entry")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("payout-batches", views.PayoutBatchViewSet, basename="payout-batch")
router.register("funds", views.FundViewSet, basename="fund")
router.register("fund-allocations", views.AllocationViewSet, basename="fund-allocation")
router.register("fund-requests", views.FundRequestViewSet, basename="fund-request")
router.register("fund-claims", views.FundClaimViewSet, basename="fund-claim")

urlpatterns = router.urls
