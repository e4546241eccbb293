"""Provider registries: how a lower app asks a higher app for a figure or a rule.

A lower page sometimes shows what a higher app computes (certified people on the tier
page) or obeys a rule a higher app owns (a learning path required before registering
deals in a motion). The lower app declares a `Registry` in its `providers.py` and calls
what is registered; the higher app registers its function in `AppConfig.ready()`. Nothing
is imported upwards, and an app that is not installed simply provides nothing, while a
broken import in an installed app fails loudly at start-up instead of as silent zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


class Registry[P: Callable]:
    """An ordered set of provider functions with one documented signature."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[P] = []

    def register(self, provider: P) -> P:
        """Add `provider` (idempotent, so it can be used as a decorator or from ready())."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def unregister(self, provider: P) -> None:
        if provider in self._providers:
            self._providers.remove(provider)

    def __iter__(self) -> Iterator[P]:
        return iter(list(self._providers))

    def __len__(self) -> int:
        return len(self._providers)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._providers)} provider(s)>"
