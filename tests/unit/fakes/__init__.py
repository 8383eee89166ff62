"""`Fake*` doubles of our own ports (common/ports/), for the use-case tests in tests/unit.

Each behaves like its adapter where a use case depends on it (a taken email, a lost claim,
an uncommitted transaction), keeps what it was given in plain attributes for assertions,
and fails on demand (`fake.fail("method", error)`). Never a Google client library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.unit.fakes.base import START, AdminAction, FakeClock, ImageRow, Tables, VendorReview
from tests.unit.fakes.catalog import FakeCatalog, FakeProductQueries
from tests.unit.fakes.chat import FakeChatRooms, FakeMemberNames
from tests.unit.fakes.database import FakeDatabase, FakeUnitOfWork
from tests.unit.fakes.identity import FakeAccounts, FakeIdentity, FakeRateLimiter, FakeUser
from tests.unit.fakes.images import (
    FakeImageRecognizer,
    FakeImageStore,
    FakeProductImageCatalog,
    FakeSimilarProducts,
)
from tests.unit.fakes.messaging import FakeInbox, FakeMailer

__all__ = [
    "AdminAction", "FakeAccounts", "FakeCatalog", "FakeChatRooms", "FakeClock", "FakeDatabase",
    "FakeIdentity", "FakeMemberNames",
    "FakeImageRecognizer", "FakeImageStore", "FakeInbox", "FakeMailer",
    "FakeProductImageCatalog", "FakeProductQueries", "FakeRateLimiter", "FakeSimilarProducts",
    "FakeUnitOfWork", "FakeUser", "ImageRow", "START", "Tables", "VendorReview",
]

if TYPE_CHECKING:  # mypy proves each fake is its port (`mypy tests/unit/fakes`)
    from common.domain.images import Recognition
    from common.ports import catalog, chat, identity, images, messaging, unit_of_work

    def _conforms(db: FakeDatabase, recognition: Recognition) -> None:
        uow: unit_of_work.UnitOfWorkFactory = db.unit_of_work
        with uow() as tx:
            _in_tx: tuple[identity.Accounts, catalog.Catalog, messaging.Inbox] = (
                tx.accounts, tx.catalog, tx.inbox)
        _ports: tuple[identity.Identity, identity.RateLimiter, images.ImageStore,
                     images.ImageRecognizer, images.SimilarProducts,
                     images.ProductImageCatalog, catalog.ProductQueries, messaging.Mailer] = (
            FakeIdentity(), FakeRateLimiter(), FakeImageStore(), FakeImageRecognizer(recognition),
            FakeSimilarProducts([]), FakeProductImageCatalog(), FakeProductQueries(),
            FakeMailer())
        fakes = (FakeAccounts(Tables(), FakeClock()), FakeCatalog(Tables(), FakeClock()),
                 FakeInbox(Tables()))
        _outside: tuple[identity.Accounts, catalog.Catalog, messaging.Inbox] = fakes
        _chat: tuple[chat.ChatRooms, chat.MemberNames] = (FakeChatRooms(),
                                                          FakeMemberNames(Tables()))
