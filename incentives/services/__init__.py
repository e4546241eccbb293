"""Writes of the incentives app, by entity (see each module)."""

from .earnings import (
    BandInput,
    earnings_compute_periods,
    earnings_for_won_deal,
    earnings_reverse_for_deal,
    incentive_settings,
    multiplier_for,
    period_end,
    period_label,
    period_start,
    program_save,
    rebate_amount,
    rebate_post_period,
)
from .ledger import (
    Posting,
    account_for,
    balance_from_entries,
    balances,
    entry_post,
    entry_reverse,
    sum_by_currency,
)
from .points import (
    leaderboard,
    leaderboard_position,
    points_award,
    points_for_certification,
    points_for_deal_registered,
)

__all__ = [
    "BandInput",
    "earnings_compute_periods",
    "earnings_for_won_deal",
    "earnings_reverse_for_deal",
    "incentive_settings",
    "leaderboard",
    "leaderboard_position",
    "multiplier_for",
    "period_end",
    "period_label",
    "period_start",
    "points_award",
    "points_for_certification",
    "points_for_deal_registered",
    "program_save",
    "rebate_amount",
    "rebate_post_period",
    "Posting",
    "account_for",
    "balance_from_entries",
    "balances",
    "entry_post",
    "entry_reverse",
    "sum_by_currency",
]
