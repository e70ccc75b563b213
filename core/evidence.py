"""Evidence files (photos, scans, documents) kept by the bureau, not only by the chat app.

A file is checked (type and size) before anything is recorded, stored once under its SHA-256
in `DUBAN_EVIDENCE_DIR` (two directory levels, like git's objects), and attached to its entry
with its original name, type and size. A file refused is explained in one sentence and leaves
no trace; a file sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final

from core.errors import DubanError

MAX_BYTES: Final = 20 * 1024 * 1024
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

    def __init__(self, name: str) -> None:
        self.name = name
        self.suffix = PurePath(name).suffix.lower() or "（无扩展名）"
        super().__init__(f"files like {name!r} are not kept as evidence")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the evidence store: its hash, original name, type and size."""

    sha256: str
    name: str
    mime_type: str
    size: int


def check(name: str, size: int | None, limit: int = MAX_BYTES) -> None:
    """Refuse, before downloading it, a file whose name or announced size cannot be kept."""
    if PurePath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise EvidenceNotAllowed(name)
    if size is not None and size > limit:
        raise EvidenceTooLarge(size, limit)


class EvidenceStore:
    """Files by content under one folder: `ab/cdef…` for sha256 `abcdef…`."""

    def __init__(self, root: Path, limit: int = MAX_BYTES) -> None:
        self.root = root
        self.limit = limit

    def path(self, sha256: str) -> Path:
        """Return where the file with this hash is kept."""
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes, name: str, mime_type: str | None) -> StoredFile:
        """Check and keep a file (once, however often it is sent); return what was kept."""
        check(name, len(data), self.limit)
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
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
        return StoredFile(digest, name, mime_type or "application/octet-stream", len(data))

    def read(self, sha256: str) -> bytes:
        """Return a kept file's bytes."""
        return self.path(sha256).read_bytes()
