"""Evidence sent in Telegram is kept by the bureau: stored once, kept over a restart, exported.

A unit presses ✅ 已完成 and replies with a photo: the bot downloads it, stores it under its
SHA-256 in the evidence folder (beside the SQLite ledger by default) and attaches it to the
entry with its name, type and size. A file too large or of a type not kept is refused in one
Chinese sentence before anything is downloaded, and nothing is recorded.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import stat
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from cli.main import main
from core.evidence_export import LEDGER_FILE, MANIFEST_FILE
from plan_data import default_plan_path, load_plan
from reports.xlsx_sheets import ENTRIES_SHEET, LEDGER_SHEET
from storage.models import EvidenceRow
from tests.bot.harness import SHANGHAI, Chat, Harness, Message, text_of

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=SHANGHAI)
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
SCAN = b"%PDF-1.4\n" + b"0" * 3000


async def _done_and_asked_for_evidence(harness: Harness) -> tuple[Chat, Message]:
    """Bind 社救科, take the 09:00 prompt, press 已完成; return the chat and the follow-up."""
    unit = await harness.bound("社救科工作群", "王科长", "社救科")
    await harness.at(NINE)
    prompt = await harness.next_message(unit, containing="【督办提醒】")
    await harness.press(unit, prompt, "已完成")
    follow_up = await harness.next_message(unit, after=prompt["message_id"], containing="佐证")
    return unit, follow_up


async def _evidence_rows(harness: Harness) -> int:
    async with harness.core.db.session(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(EvidenceRow)) or 0)


def _kept_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def test_a_photo_is_kept_once_survives_a_restart_and_is_exported(
    harness: Harness, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUBAN_EVIDENCE_DIR", raising=False)
    unit, follow_up = await _done_and_asked_for_evidence(harness)
    for _ in range(2):  # the same photo twice: one file kept, attached once
        photo = harness.emu.send_photo(
            unit.id, unit.user, PHOTO, reply_to_message_id=follow_up["message_id"]
        )
        saved = await harness.next_message(unit, after=photo["message_id"], containing="佐证")
        assert text_of(saved) == "已收到附件，作为 2.3 的佐证保存。"
    store = harness.core.evidence
    digest = hashlib.sha256(PHOTO).hexdigest()
    # Beside the ledger file by default, private to the service's user.
    assert store.root == tmp_path / "ledger" / "evidence"
    assert _kept_files(store.root) == [store.root / digest[:2] / digest[2:]]
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path(digest).stat().st_mode) == 0o600

    await harness.stop()
    await harness.start()
    assert harness.core.evidence.read(digest) == PHOTO
    history = await harness.say(unit, "/history 2.3", expect="2.3")
    assert "附件1个" in text_of(history)
    await harness.stop()

    out = tmp_path / "巡察"
    whole = tmp_path / "台账.xlsx"
    argv = ["--db", sqlite_url, "--clock", "2022-06-23T12:00", "export", "--evidence", str(out)]
    assert await asyncio.to_thread(main, [*argv, "--xlsx", str(whole)]) == 0
    folder = out / "2.3 创新社会救助方式"
    files = sorted(p.name for p in folder.iterdir())
    photos = [name for name in files if name.startswith("照片")]
    assert len(photos) == 1
    assert photos[0].startswith("照片20220623-09")  # named by when it came
    assert photos[0].endswith(".jpg")
    assert sorted(files) == sorted([LEDGER_FILE, MANIFEST_FILE, photos[0]])
    assert (folder / photos[0]).read_bytes() == PHOTO
    book = openpyxl.load_workbook(folder / LEDGER_FILE)
    assert book.sheetnames == [LEDGER_SHEET, ENTRIES_SHEET]
    ledger = list(book[LEDGER_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[3]) for row in ledger] == [("2.3", "社救科")]
    entries = list(book[ENTRIES_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[3], row[9]) for row in entries] == [("2.3", "已完成", photos[0])]
    # The whole 台账's 进展记录 sheet names the file too.
    rows = list(openpyxl.load_workbook(whole)[ENTRIES_SHEET].iter_rows(values_only=True))
    assert [(row[1], row[9]) for row in rows[1:]] == [("2.3", photos[0])]
    with (folder / MANIFEST_FILE).open(encoding="utf-8-sig", newline="") as listed:
        lines = list(csv.DictReader(listed))
    assert [(line["文件"], line["责任科室"], line["SHA-256"]) for line in lines] == [
        (photos[0], "社救科", digest)
    ]
    # Every task of the plan has its folder, with its rows even when nothing was reported.
    tasks = load_plan(default_plan_path()).tasks
    assert sorted(p.name.split(" ")[0] for p in out.iterdir()) == sorted(t.id for t in tasks)
    other = next(p for p in out.iterdir() if p.name.startswith("2.1 "))
    assert sorted(p.name for p in other.iterdir()) == sorted([LEDGER_FILE, MANIFEST_FILE])


async def test_an_oversized_file_is_refused_before_download_and_leaves_no_trace(
    harness: Harness,
) -> None:
    harness.core_overrides["evidence_max_bytes"] = 2048
    await harness.stop()
    await harness.start()
    unit, follow_up = await _done_and_asked_for_evidence(harness)
    downloads = len(harness.emu.calls_of("getFile"))
    sent = harness.emu.send_document(
        unit.id, unit.user, SCAN, "协议扫描件.pdf", "application/pdf",
        reply_to_message_id=follow_up["message_id"],
    )  # fmt: skip
    refused = await harness.next_message(unit, after=sent["message_id"])
    assert text_of(refused) == (
        "这个文件有3KB，超过了佐证材料2KB的上限，未作记录，请压缩或拆分后再发送。"
    )
    assert len(harness.emu.calls_of("getFile")) == downloads
    assert await _evidence_rows(harness) == 0
    assert _kept_files(harness.core.evidence.root) == []


async def test_a_forbidden_file_is_refused_and_leaves_no_trace(harness: Harness) -> None:
    unit, follow_up = await _done_and_asked_for_evidence(harness)
    sent = harness.emu.send_document(
        unit.id, unit.user, b"MZ\x90\x00program", "整改报告.exe",
        reply_to_message_id=follow_up["message_id"],
    )  # fmt: skip
    refused = await harness.next_message(unit, after=sent["message_id"])
    assert text_of(refused) == (
        ".exe文件不能作为佐证保存，未作记录；请发送照片、PDF、Word/Excel/WPS文档、文本或压缩包。"
    )
    assert await _evidence_rows(harness) == 0
    assert _kept_files(harness.core.evidence.root) == []
    # The question stays open: the right file, sent next, is kept.
    sent = harness.emu.send_document(
        unit.id, unit.user, SCAN, "整改报告.pdf", "application/pdf",
        reply_to_message_id=follow_up["message_id"],
    )  # fmt: skip
    saved = await harness.next_message(unit, after=sent["message_id"])
    assert text_of(saved) == "已收到附件，作为 2.3 的佐证保存。"
    async with harness.core.db.session(readonly=True) as session:
        row = (await session.scalars(select(EvidenceRow))).one()
    kept = (row.file_name, row.mime_type, row.size)
    assert kept == ("整改报告.pdf", "application/pdf", len(SCAN))
    assert row.sha256 == hashlib.sha256(SCAN).hexdigest()
