"""`duban export --evidence DIR`: a folder per task for 巡察 and 审计.

Each task of the plan gets a folder named by its id and title (`2.3 创新社会救助方式`, made
safe for Windows), holding:

- `督办台账.xlsx`: the task's 台账 rows (a row per unit, as in the whole ledger) and its
  progress entries (the 进展记录 sheet, the same writers as `duban export --xlsx`);
- every evidence file attached to those entries, under the name it was sent with (a second
  file of the same name gets ` (2)`; the same file attached twice is copied once);
- `佐证清单.csv`: a line per attached file: its name in the folder, the name it was sent
  with, unit, status, reporter, time, type, size and SHA-256 (so a copy can be verified),
  including files known only in a chat (sent before files were kept) or missing on disk.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from zoneinfo import ZoneInfo

from core.errors import DubanError
from core.evidence import EvidenceStore
from core.runtime import Core
from reports.ledger_xlsx import entry_window, write_task_ledger
from reports.model import ReportRow
from reports.source import read_report_input
from storage.report_queries import EvidenceFile, evidence_files
from vocabulary import STATUS_NAMES

STATUS_LABELS: dict[str, str] = dict(STATUS_NAMES.items())
LEDGER_FILE = "督办台账.xlsx"
MANIFEST_FILE = "佐证清单.csv"
MANIFEST_COLUMNS = (
    "文件",
    "原文件名",
    "责任科室",
    "状态",
    "填报人",
    "填报时间",
    "类型",
    "大小（字节）",
    "SHA-256",
)
CHAT_ONLY = "（仅存于聊天记录）"
MISSING = "（服务器上缺失）"
# Windows: no <>:"/\|?* or control characters, no trailing dot or space, no device names.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
FOLDER_CHARS = 60
FILE_CHARS = 100


class ExportFolderNotEmpty(DubanError):
    """The export folder already holds something (refused unless forced)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"{folder} is not empty; choose a new folder, or add --force to write into it "
            "(files of the same name are replaced, others are left as they are)"
        )


class ExportFolderUnusable(DubanError):
    """The export folder cannot be made or written."""

    def __init__(self, folder: Path, why: str) -> None:
        self.folder = folder
        super().__init__(f"cannot write the evidence export to {folder}: {why}")


@dataclass(frozen=True, slots=True)
class EvidenceExport:
    """What an evidence export wrote."""

    folder: Path
    tasks: int
    entries: int
    files: int
    # Files known only by a chat's reference, and kept files missing from the store.
    chat_only: int
    missing: tuple[str, ...]


def safe_name(text: str, limit: int = FILE_CHARS) -> str:
    """Return a file or folder name that Windows, macOS and Linux all accept.

    Path separators are replaced too, so a sent name such as `../../x` stays inside its
    folder; a long name is shortened, keeping its extension.
    """
    name = _FORBIDDEN.sub("_", text).strip().rstrip(". ")
    if not name or set(name) <= {"_", "."}:
        name = "_" + name
    if name.split(".", 1)[0].upper() in _DEVICES:
        name = "_" + name
    if len(name) > limit:
        suffix = PurePath(name).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        name = name[: limit - len(suffix)].rstrip(". ") + suffix
    return name


def task_folder_name(task_id: str, title: str) -> str:
    """Return a task's folder name: `2.3 创新社会救助方式`."""
    return safe_name(f"{task_id} {title}", FOLDER_CHARS)


def unique_name(name: str, used: set[str]) -> str:
    """Return `name`, or `name (2).ext`, `name (3).ext` … if it is taken (case-insensitive)."""
    stem, suffix = _split(name)
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    used.add(candidate.casefold())
    return candidate


def _split(name: str) -> tuple[str, str]:
    suffix = PurePath(name).suffix
    return (name[: -len(suffix)], suffix) if suffix and suffix != name else (name, "")


async def export_evidence(
    core: Core,
    folder: Path,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    force: bool = False,
) -> EvidenceExport:
    """Write a folder per task with its 台账 rows, its entries and its evidence files."""
    as_of = core.now()
    since, until = entry_window(as_of, date_from, date_to, core.tz)
    await asyncio.to_thread(_prepare, folder, force)
    entries = files = chat_only = 0
    missing: list[str] = []
    async with core.db.session(readonly=True) as session:
        source = await read_report_input(session, as_of, rules=core.rules, tz=core.tz)
        attached: dict[str, list[EvidenceFile]] = {}
        for found in await evidence_files(session, until, since):
            attached.setdefault(found.task, []).append(found)
        by_task = _rows_by_task(source.rows)
        used_folders: set[str] = set()
        for task_id, rows in by_task.items():
            name = unique_name(task_folder_name(task_id, rows[0].title), used_folders)
            target = folder / name
            await asyncio.to_thread(_mkdir, target)
            written = await write_task_ledger(
                session, target / LEDGER_FILE, rows, until, since, core.tz
            )
            entries += written.entries
            copied = await asyncio.to_thread(
                _copy_files, core.evidence, target, attached.get(task_id, ()), core.tz
            )
            files += copied.files
            chat_only += copied.chat_only
            missing += copied.missing
    return EvidenceExport(folder, len(by_task), entries, files, chat_only, tuple(missing))


def _rows_by_task(rows: Iterable[ReportRow]) -> dict[str, list[ReportRow]]:
    """Return the 台账 rows grouped by task, in plan order."""
    grouped: dict[str, list[ReportRow]] = {}
    for row in rows:
        grouped.setdefault(row.task, []).append(row)
    return grouped


def _prepare(folder: Path, force: bool) -> None:
    """Make the export folder, refusing one that holds something unless forced."""
    if folder.exists() and not folder.is_dir():
        raise ExportFolderUnusable(folder, "it is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ExportFolderNotEmpty(folder)
    _mkdir(folder)


def _mkdir(folder: Path) -> None:
    try:
        # What units sent as evidence is for the office's eyes: owner only, like the store.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportFolderUnusable(folder, exc.strerror or str(exc)) from exc


@dataclass(frozen=True, slots=True)
class _Copied:
    files: int
    chat_only: int
    missing: tuple[str, ...]


def _copy_files(
    store: EvidenceStore, target: Path, attached: Sequence[EvidenceFile], tz: ZoneInfo
) -> _Copied:
    """Copy a task's kept files into its folder and write the list of them (a thread)."""
    used = {LEDGER_FILE.casefold(), MANIFEST_FILE.casefold()}
    names: dict[str, str] = {}
    lines: list[list[str]] = []
    files = chat_only = 0
    missing: list[str] = []
    for found in attached:
        if found.sha256 is None:
            chat_only += 1
            shown = CHAT_ONLY
        elif found.sha256 in names:
            shown = names[found.sha256]
        elif not store.has(found.sha256):
            missing.append(found.sha256)
            shown = MISSING
        else:
            sent = found.file_name or f"附件.{found.kind}"
            shown = unique_name(safe_name(sent), used)
            try:
                shutil.copyfile(store.path(found.sha256), target / shown)
            except OSError as exc:
                raise ExportFolderUnusable(target, exc.strerror or str(exc)) from exc
            names[found.sha256] = shown
            files += 1
        lines.append(_manifest_line(found, shown, tz))
    _write_manifest(target / MANIFEST_FILE, lines)
    return _Copied(files, chat_only, tuple(missing))


def _manifest_line(found: EvidenceFile, shown: str, tz: ZoneInfo) -> list[str]:
    at = found.at.astimezone(tz)
    return [
        _cell(shown),
        _cell(found.file_name or ""),
        found.unit,
        STATUS_LABELS.get(found.status, found.status),
        _cell(found.reporter),
        at.strftime("%Y-%m-%d %H:%M:%S"),
        found.mime_type or found.kind,
        "" if found.size is None else str(found.size),
        found.sha256 or "",
    ]


def _cell(text: str) -> str:
    """Return text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write_manifest(path: Path, lines: list[list[str]]) -> None:
    """Write the list as CSV that Excel and WPS open in Chinese (UTF-8 with a BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows(lines)
    try:
        path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ExportFolderUnusable(path.parent, exc.strerror or str(exc)) from exc
