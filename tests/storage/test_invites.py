"""Invite codes: hashed, single use, valid seven days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.bindings import bind, binding_for, chats_for_unit, leadership_chats, unbind
from storage.database import Database
from storage.errors import InvalidInvite
from storage.invites import code_hash, create_invite, redeem_invite
from storage.models import InviteRow
from tests.conftest import LEDGER_NOW


async def test_a_code_binds_once_and_only_its_hash_is_stored(ledger: Database) -> None:
    async with ledger.session() as session:
        invite = await create_invite(session, "社区科", LEDGER_NOW)
        stored = list(await session.scalars(select(InviteRow.code_hash)))
    assert stored == [code_hash(invite.code)]
    assert invite.code not in stored
    assert invite.expires_at == LEDGER_NOW + timedelta(days=7)
    async with ledger.session() as session:
        unit = await redeem_invite(session, invite.code.lower(), 1001, LEDGER_NOW)
    assert unit == "社区科"
    async with ledger.session() as session:
        with pytest.raises(InvalidInvite, match="already used"):
            await redeem_invite(session, invite.code, 1002, LEDGER_NOW)


async def test_an_expired_code_is_refused(ledger: Database) -> None:
    async with ledger.session() as session:
        invite = await create_invite(session, None, LEDGER_NOW)
        with pytest.raises(InvalidInvite, match="expired"):
            await redeem_invite(session, invite.code, 1001, LEDGER_NOW + timedelta(days=7))
        assert (
            await redeem_invite(session, invite.code, 1001, LEDGER_NOW + timedelta(days=6)) is None
        )


async def test_an_unknown_code_is_refused(ledger: Database) -> None:
    async with ledger.session() as session:
        await create_invite(session, "婚姻科", LEDGER_NOW)
        with pytest.raises(InvalidInvite, match="unknown"):
            await redeem_invite(session, "AAAA-BBBB", 1001, LEDGER_NOW)


async def test_bindings_follow_the_latest_bind(ledger: Database) -> None:
    async with ledger.session() as session:
        await bind(session, -100, "社区科", LEDGER_NOW, title="社区科群")
        await bind(session, -200, None, LEDGER_NOW, title="局领导")
        await bind(session, -100, "婚姻科", LEDGER_NOW + timedelta(hours=1))
        assert [b.chat_id for b in await chats_for_unit(session, "婚姻科")] == [-100]
        assert await chats_for_unit(session, "社区科") == []
        assert [b.chat_id for b in await leadership_chats(session)] == [-200]
        assert await unbind(session, -200, LEDGER_NOW)
        assert await binding_for(session, -200) is None
        found = await binding_for(session, -100)
    assert found is not None
    assert (found.unit, found.title, found.recipient) == ("婚姻科", "社区科群", "婚姻科")
