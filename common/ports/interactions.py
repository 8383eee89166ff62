"""Interactions in and preference features out: the ports of common/services/interactions.py,
and the read port the promoted feed uses (`PreferenceReads.features_of`)."""

from __future__ import annotations

from typing import Callable, ContextManager, Mapping, Protocol, Sequence

from common.domain.preferences import Preferences, ProductFacts
from common.ports.messaging import Inbox


class PreferenceStore(Protocol):
    """Preference features inside one transaction."""

    def locked(self, pseudonyms: Sequence[str]) -> dict[str, Preferences]:
        """The features of each pseudonym (empty for a new one), locked until commit."""
        ...

    def save(self, prefs: Preferences) -> None:
        """Write features read with `locked`."""
        ...

    def link_device(self, device_pseudonym: str, account_pseudonym: str) -> bool:
        """Record that the first pseudonym's features merge into the second's (a device into
        its account, or a pseudonym of a rotated key into the new one); False if they have."""
        ...

    def products(self, product_ids: Sequence[str]) -> Mapping[str, ProductFacts]:
        """What each existing product counts towards (unknown ids are left out)."""
        ...

    def ordered_products(self, order_id: str) -> list[str]:
        """The ids of the products an order bought."""
        ...


class PreferencesTransaction(Protocol):
    inbox: Inbox
    preferences: PreferenceStore

    def commit(self) -> None: ...


PreferencesUnitOfWorkFactory = Callable[[], ContextManager[PreferencesTransaction]]


class PreferenceReads(Protocol):
    def features_of(self, pseudonym: str) -> Preferences | None:
        """The pseudonym's features as stored (weights as of `updated_at`); None if none."""
        ...
