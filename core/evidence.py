"""Evidence files (photos, scans, documents) kept by the bureau, not only by the chat app.

A file is checked (type and size) before anything is recorded, stored once under its SHA-256
in `DUBAN_EVIDENCE_DIR` (two directory levels, like git's objects), and attached to its entry
with its original name, type and size. A file refused is explained in one sentence and leaves
no trace; a file sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final

from core.errors import DubanError
from storage import urls

# Telegram lets a bot download files up to 20 MB; the same limit on every channel.
MAX_BYTES: Final = 20 * 1024 * 1024
FOLDER_NAME: Final = "evidence"
SHA256: Final = re.compile(r"[0-9a-f]{64}")
# What an office sends as proof: pictures, PDFs and office documents (WPS included), text.
ALLOWED_SUFFIXES: Final = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff",
        ".pdf", ".ofd",
        ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps",
        ".txt", ".csv", ".zip", ".rar", ".7z",
    }
)  # fmt: skip


class EvidenceTooLarge(DubanError):
    """A file over the size limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"the file is {size} bytes; evidence is limited to {limit} bytes")


class EvidenceNotAllowed(DubanError):
    """A file of a type the office does not keep as evidence (programs, scripts …)."""

    def __init__(self, name: str | None) -> None:
        self.name = name or ""
        self.suffix = suffix_of(name) or "（无扩展名）"
        super().__init__(f"files like {self.name!r} are not kept as evidence")


class EvidenceUnavailable(DubanError):
    """A file the chat announced but whose bytes could not be fetched from it."""

    def __init__(self) -> None:
        super().__init__("the file could not be downloaded from the chat; send it again")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the evidence store: its hash, original name, type and size."""

    sha256: str
    name: str
    mime_type: str
    size: int


def suffix_of(name: str | None) -> str:
    """Return a file name's extension, lower case (`.jpg`), or "" for none."""
    return PurePath(name.replace("\\", "/")).suffix.lower() if name else ""


def check(name: str | None, size: int | None, limit: int = MAX_BYTES) -> str:
    """Refuse, before downloading it, a file whose name or announced size cannot be kept;
    return the name of one that can."""
    if name is None or suffix_of(name) not in ALLOWED_SUFFIXES:
        raise EvidenceNotAllowed(name)
    if size is not None and size > limit:
        raise EvidenceTooLarge(size, limit)
    return name


def mime_of(name: str, announced: str | None) -> str:
    """Return a file's type: as the chat announced it, else as its name suggests."""
    if announced:
        return announced
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def default_folder(database_url: str) -> Path:
    """Return where evidence is kept when DUBAN_EVIDENCE_DIR is not set.

    `evidence/` beside a SQLite ledger file (so the ledger and its files move together);
    for PostgreSQL, or a ledger in memory, `evidence/` in the working directory.
    """
    parsed = urls.parse(database_url)
    database = parsed.database or ""
    in_memory = not database or database == ":memory:" or database.startswith("file:")
    if parsed.get_backend_name() != "sqlite" or in_memory:
        return Path(FOLDER_NAME)
    return Path(database).expanduser().parent / FOLDER_NAME


class EvidenceStore:
    """Files by content under one folder: `ab/cdef…` for sha256 `abcdef…`."""

    def __init__(self, root: Path, limit: int = MAX_BYTES) -> None:
        self.root = root
        self.limit = limit

    def path(self, sha256: str) -> Path:
        """Return where the file with this hash is kept (a hash, never a path, goes in)."""
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str | None) -> bool:
        """Return whether a file with this hash is kept here."""
        return sha256 is not None and SHA256.fullmatch(sha256) is not None and (
            self.path(sha256).is_file()
        )

    def put(self, data: bytes, name: str, mime_type: str | None) -> StoredFile:
        """Check and keep a file (once, however often it is sent); return what was kept."""
        check(name, len(data), self.limit)
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            # Only the service's user may read what units sent (folders 0700, files 0600).
            for folder in (self.root, target.parent):
                if not folder.is_dir():
                    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                    folder.chmod(0o700)  # mkdir's mode passes through the umask
            # Written aside and renamed: a crash never leaves half a file under its hash.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.chmod(temporary, 0o600)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return StoredFile(digest, name, mime_of(name, mime_type), len(data))

    def read(self, sha256: str) -> bytes:
        """Return a kept file's bytes."""
        return self.path(sha256).read_bytes()
