"""Evidence files: checked, kept once by content, attached with their details, exported per
task; on both databases."""

from __future__ import annotations

import asyncio
import csv
import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from cli.main import main
from core import progress
from core.actor import Reporter
from core.evidence import (
    EvidenceNotAllowed,
    EvidenceStore,
    EvidenceTooLarge,
    EvidenceUnavailable,
    check,
    default_folder,
)
from core.evidence_export import (
    MANIFEST_FILE,
    ExportFolderNotEmpty,
    export_evidence,
    safe_name,
    task_folder_name,
    unique_name,
)
from core.runtime import Core, CoreConfig
from plan_data import default_plan_path
from scheduler.clock import FrozenClock
from storage.progress import entries_for
from vocabulary import DEFAULT_TZ

NOON = datetime(2022, 6, 23, 12, 0, tzinfo=DEFAULT_TZ)
WANG = Reporter("王科长", "telegram")


@pytest.fixture
async def core(database_url: str, tmp_path: Path) -> AsyncIterator[Core]:
    """Yield a core on an empty ledger, its evidence in tmp_path/kept, clock at noon."""
    config = CoreConfig(database_url, default_plan_path(), evidence_dir=tmp_path / "kept")
    opened = await Core.open(config, FrozenClock(NOON))
    try:
        yield opened
    finally:
        await opened.close()


def _bytes(data: bytes):  # type: ignore[no-untyped-def]
    async def fetch() -> bytes:
        return data

    return fetch


async def _keep(core: Core, entry_id: int, data: bytes, name: str | None, kind: str = "document"):  # type: ignore[no-untyped-def]
    return await progress.keep_evidence(
        core, entry_id, ref=f"ref-{name}", kind=kind, name=name, mime_type=None,
        size=None, fetch=_bytes(data),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "size", "refused"),
    [
        ("现场.JPG", 10, None),
        ("协议.pdf", 20 * 1024 * 1024, None),
        ("台账.xlsx", None, None),
        ("报告.wps", 1, None),
        ("协议.pdf", 20 * 1024 * 1024 + 1, EvidenceTooLarge),
        ("setup.exe", 10, EvidenceNotAllowed),
        ("run.sh", 10, EvidenceNotAllowed),
        ("README", 10, EvidenceNotAllowed),
        (None, 10, EvidenceNotAllowed),
    ],
)
def test_check_refuses_by_type_and_announced_size(
    name: str | None, size: int | None, refused: type[Exception] | None
) -> None:
    if refused is None:
        assert check(name, size) == name
    else:
        with pytest.raises(refused):
            check(name, size)


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("sqlite:////srv/duban/duban.db", Path("/srv/duban/evidence")),
        ("sqlite:///duban.db", Path("evidence")),
        ("sqlite:///:memory:", Path("evidence")),
        ("postgresql://duban@127.0.0.1/duban", Path("evidence")),
    ],
)
def test_evidence_goes_beside_a_sqlite_ledger_by_default(url: str, folder: Path) -> None:
    assert default_folder(url) == folder


def test_the_store_keeps_a_file_once_by_its_hash(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "kept")
    first = store.put(b"scan", "协议.pdf", None)
    second = store.put(b"scan", "另一个名字.pdf", "application/pdf")
    assert first.sha256 == second.sha256 == hashlib.sha256(b"scan").hexdigest()
    assert (first.mime_type, first.size) == ("application/pdf", 4)
    assert [p.name for p in (tmp_path / "kept").rglob("*") if p.is_file()] == [first.sha256[2:]]
    assert store.read(first.sha256) == b"scan"
    assert not store.has("../../etc/passwd")
    with pytest.raises(ValueError, match="SHA-256"):
        store.path("../../etc/passwd")


@pytest.mark.parametrize(
    ("sent", "safe"),
    [
        ("现场照片.jpg", "现场照片.jpg"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("CON.txt", "_CON.txt"),
        ("报告. ", "报告"),
        ("..", "_"),
        ("长" * 120 + ".pdf", "长" * 96 + ".pdf"),
    ],
)
def test_names_are_safe_on_windows(sent: str, safe: str) -> None:
    assert safe_name(sent) == safe


def test_task_folders_and_colliding_names() -> None:
    assert task_folder_name("2.3", "创新社会救助方式") == "2.3 创新社会救助方式"
    used: set[str] = set()
    names = [unique_name(n, used) for n in ("照片.jpg", "照片.JPG", "照片.jpg", "说明")]
    assert names == ["照片.jpg", "照片 (2).JPG", "照片 (3).jpg", "说明"]


async def test_a_file_is_attached_once_with_its_details(core: Core) -> None:
    entry = await progress.report(core, "社救科", "2.3", "done", by=WANG)
    first = await _keep(core, entry.id, b"%PDF-1.4 scan", "协议.pdf")
    again = await _keep(core, entry.id, b"%PDF-1.4 scan", "协议.pdf")
    assert again.id == first.id
    assert (first.file_name, first.mime_type, first.size) == ("协议.pdf", "application/pdf", 13)
    async with core.db.session(readonly=True) as session:
        [kept] = await entries_for(session, "2.3", "社救科")
    assert [e.sha256 for e in kept.evidence] == [hashlib.sha256(b"%PDF-1.4 scan").hexdigest()]


async def test_a_file_larger_than_announced_is_refused_after_download(core: Core) -> None:
    """WeCom announces no size: the limit is checked on the bytes, and nothing is kept."""
    entry = await progress.report(core, "社救科", "2.3", "done", by=WANG)
    with pytest.raises(EvidenceTooLarge):
        await _keep(core, entry.id, b"x" * (core.evidence.limit + 1), "大文件.zip")
    assert not core.evidence.root.exists()
    async with core.db.session(readonly=True) as session:
        [kept] = await entries_for(session, "2.3", "社救科")
    assert kept.evidence == ()


async def test_a_failed_download_is_explained_and_records_nothing(core: Core) -> None:
    entry = await progress.report(core, "社救科", "2.3", "done", by=WANG)

    async def broken() -> bytes:
        raise ConnectionError("reset by peer")

    with pytest.raises(EvidenceUnavailable):
        await progress.keep_evidence(
            core, entry.id, ref="r", kind="photo", name=None, mime_type="image/jpeg",
            size=None, fetch=broken,
        )  # fmt: skip
    async with core.db.session(readonly=True) as session:
        [kept] = await entries_for(session, "2.3", "社救科")
    assert kept.evidence == ()


async def test_export_names_collisions_and_lists_every_file(core: Core, tmp_path: Path) -> None:
    first = await progress.report(core, "社救科", "2.3", "in_progress", by=WANG, note="洽谈")
    second = await progress.report(core, "社救科", "2.3", "done", by=WANG)
    await _keep(core, first.id, b"one", "协议.pdf")
    await _keep(core, second.id, b"two", "协议.pdf")
    await _keep(core, second.id, b"one", "协议-副本.pdf")  # the same bytes: copied once
    out = tmp_path / "export"
    done = await export_evidence(core, out)
    assert (done.files, done.missing, done.chat_only) == (2, (), 0)
    folder = out / "2.3 创新社会救助方式"
    assert (folder / "协议.pdf").read_bytes() == b"one"
    assert (folder / "协议 (2).pdf").read_bytes() == b"two"
    with (folder / MANIFEST_FILE).open(encoding="utf-8-sig", newline="") as listed:
        lines = [(r["文件"], r["原文件名"], r["状态"]) for r in csv.DictReader(listed)]
    assert lines == [
        ("协议.pdf", "协议.pdf", "进行中"),
        ("协议 (2).pdf", "协议.pdf", "已完成"),
        ("协议.pdf", "协议-副本.pdf", "已完成"),
    ]
    with pytest.raises(ExportFolderNotEmpty):
        await export_evidence(core, out)
    again = await export_evidence(core, out, force=True)
    assert again.files == 2


def test_the_cli_refuses_a_folder_that_is_not_empty_and_reports_missing_files(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "old.txt").write_text("something of the office's")
    argv = ["--db", sqlite_url, "--clock", "2022-06-23T12:00", "export", "--evidence", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {out} is not empty")
    assert "--force" in err
    assert main([*argv, "--force"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: ")
    assert (out / "old.txt").exists()

    async def keep_one() -> Path:
        opened = await Core.open(CoreConfig(sqlite_url, default_plan_path()), FrozenClock(NOON))
        try:
            entry = await progress.report(opened, "社救科", "2.3", "done", by=WANG)
            kept = await _keep(opened, entry.id, b"scan", "协议.pdf")
            return opened.evidence.path(kept.sha256)
        finally:
            await opened.close()

    kept = asyncio.run(keep_one())
    assert kept.parent.parent == tmp_path / "ledger" / "evidence"
    kept.unlink()  # the evidence folder was not carried over with the ledger
    assert main([*argv, "--force"]) == 1
    assert "1 evidence files recorded in the ledger are missing" in capsys.readouterr().err
