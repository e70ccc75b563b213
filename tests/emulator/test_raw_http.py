"""The Bot API over raw HTTP: encodings, envelopes and errors exactly as a client sees them."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from emulator import Emulator
from emulator.model import Chat, User


async def call(emu: Emulator, method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """POST to the Bot API and return the status and JSON body."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emu.base_url}{emu.token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_form_encoded_call_takes_json_encoded_keyboard(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    keyboard = {"inline_keyboard": [[{"text": "已完成", "callback_data": "done:1"}]]}
    status, body = await call(
        emu,
        "sendMessage",
        data={"chat_id": str(group.id), "text": "第1项", "reply_markup": json.dumps(keyboard)},
    )
    assert status == 200
    assert body["ok"] is True
    message = body["result"]
    assert message["reply_markup"] == keyboard
    assert message["from"]["is_bot"] is True
    assert message["chat"] == {"id": group.id, "type": "group", "title": "社区科"}
    assert isinstance(message["date"], int)


async def test_json_body_call_takes_nested_objects_as_values(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    first = emu.send(group.id, people[0], "/start")
    status, body = await call(
        emu,
        "sendMessage",
        json={
            "chat_id": group.id,
            "text": "收到",
            "reply_parameters": {"message_id": first["message_id"]},
        },
    )
    assert status == 200
    assert body["result"]["reply_to_message"]["text"] == "/start"
    assert body["result"]["message_id"] == first["message_id"] + 1


async def test_multipart_document_keeps_name_size_and_caption(
    emu: Emulator, people: tuple[User, Chat]
) -> None:
    _, group = people
    form = aiohttp.FormData()
    form.add_field("chat_id", str(group.id))
    form.add_field("caption", "周报")
    form.add_field("document", b"x" * 300, filename="周报.docx")
    status, body = await call(emu, "sendDocument", data=form)
    assert status == 200
    document = body["result"]["document"]
    assert (document["file_name"], document["file_size"]) == ("周报.docx", 300)
    assert body["result"]["caption"] == "周报"
    status, info = await call(emu, "getFile", data={"file_id": document["file_id"]})
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emu.base_file_url}{emu.token}/{info['result']['file_path']}") as got,
    ):
        assert await got.read() == b"x" * 300


async def test_wrong_token_is_401_and_unknown_method_404(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.base_url}1:wrong/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with session.post(f"{emu.base_url}{emu.token}/sendTelepathy") as response:
            assert response.status == 404
            assert (await response.json()) == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_injected_500_answers_then_recovers(emu: Emulator) -> None:
    emu.fail("getMe", times=1, kind="500")
    assert (await call(emu, "getMe"))[0] == 500
    status, body = await call(emu, "getMe")
    assert status == 200
    assert body["result"]["username"] == "duban_test_bot"


async def test_injected_drop_cuts_the_connection(emu: Emulator) -> None:
    emu.fail(None, times=1, kind="drop")
    with pytest.raises(aiohttp.ClientError):
        await call(emu, "getMe")
    assert (await call(emu, "getMe"))[0] == 200


async def test_getupdates_confirms_by_offset(emu: Emulator, people: tuple[User, Chat]) -> None:
    head, group = people
    emu.send(group.id, head, "/status")
    emu.send(group.id, head, "/tasks")
    _, body = await call(emu, "getUpdates", data={"timeout": "0"})
    ids = [update["update_id"] for update in body["result"]]
    assert ids == [ids[0], ids[0] + 1]
    _, body = await call(emu, "getUpdates", data={"offset": str(ids[1])})
    assert [u["message"]["text"] for u in body["result"]] == ["/tasks"]
    _, body = await call(emu, "getUpdates", data={"offset": str(ids[1] + 1)})
    assert body["result"] == []


async def test_control_endpoints_act_as_a_user_from_another_process(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as session:

        async def control(action: str, **body: Any) -> Any:
            async with session.post(f"{emu.control_url}/{action}", json=body) as response:
                answer = await response.json()
                assert answer["ok"], answer
                return answer["result"]

        user = await control("users", first_name="李主任")
        chat = await control("chats", type="private", user_id=user["id"])
        sent = await control("send", chat_id=chat["id"], user_id=user["id"], text="/help")
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
        status, _ = await call(emu, "sendMessage", data={"chat_id": chat["id"], "text": "帮助"})
        assert status == 200
        events = await control("events", after=0, timeout=1)
        assert [e["kind"] for e in events] == ["user_message", "sent"]
        assert events[1]["message"]["text"] == "帮助"
