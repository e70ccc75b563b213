"""Login links for the web board: single use, expiring, scoped, revocable; only hashes kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.models import WebLinkRow, WebSessionRow
from storage.web_access import (
    InvalidLoginLink,
    check_link,
    create_link,
    redeem_link,
    revoke,
    session_access,
)
from tests.conftest import LEDGER_NOW

DAY = timedelta(hours=24)
WEEK = timedelta(days=7)


async def test_a_link_opens_one_session_once_and_stores_only_hashes(ledger: Database) -> None:
    async with ledger.session() as session:
        link = await create_link(session, "社区科", LEDGER_NOW, DAY)
    async with ledger.session() as session:
        assert (await check_link(session, link.token, LEDGER_NOW)).unit == "社区科"
        opened = await redeem_link(session, link.token, LEDGER_NOW, WEEK)
    assert opened.access.unit == "社区科"
    assert opened.expires_at == LEDGER_NOW + WEEK
    async with ledger.session() as session:
        with pytest.raises(InvalidLoginLink, match="already used"):
            await redeem_link(session, link.token, LEDGER_NOW, WEEK)
    async with ledger.session() as session:
        access = await session_access(session, opened.token, LEDGER_NOW + timedelta(days=6))
        assert access is not None
        assert access.may_see("社区科")
        assert not access.may_see("社救科")
        assert not access.is_leadership
        assert await session_access(session, opened.token, LEDGER_NOW + WEEK) is None
        stored = [*(await session.scalars(select(WebLinkRow.token_hash)))]
        stored += [*(await session.scalars(select(WebSessionRow.session_hash)))]
    assert link.token not in stored
    assert opened.token not in stored


async def test_expired_unknown_and_revoked_links_open_nothing(ledger: Database) -> None:
    async with ledger.session() as session:
        old = await create_link(session, None, LEDGER_NOW, DAY)
        revoked = await create_link(session, "leadership", LEDGER_NOW, DAY)
        assert revoked.access.is_leadership
    async with ledger.session() as session:
        with pytest.raises(InvalidLoginLink, match="expired"):
            await redeem_link(session, old.token, LEDGER_NOW + DAY, WEEK)
        with pytest.raises(InvalidLoginLink, match="unknown"):
            await redeem_link(session, "not-a-token", LEDGER_NOW, WEEK)
        await revoke(session, LEDGER_NOW, "leadership")
    async with ledger.session() as session:
        with pytest.raises(InvalidLoginLink, match="revoked"):
            await check_link(session, revoked.token, LEDGER_NOW)
        with pytest.raises(InvalidLoginLink, match="unknown unit"):
            await create_link(session, "外星科", LEDGER_NOW, DAY)


async def test_revoking_a_unit_ends_its_sessions_only(ledger: Database) -> None:
    tokens = {}
    for scope in ("社区科", "婚姻科", "leadership"):
        async with ledger.session() as session:
            link = await create_link(session, scope, LEDGER_NOW, DAY)
            tokens[scope] = (await redeem_link(session, link.token, LEDGER_NOW, WEEK)).token
    async with ledger.session() as session:
        assert await revoke(session, LEDGER_NOW, "社区科") == 1
    async with ledger.session() as session:
        assert await session_access(session, tokens["社区科"], LEDGER_NOW) is None
        assert await session_access(session, tokens["婚姻科"], LEDGER_NOW) is not None
        assert await revoke(session, LEDGER_NOW) == 2
    async with ledger.session() as session:
        assert await session_access(session, tokens["leadership"], LEDGER_NOW) is None
