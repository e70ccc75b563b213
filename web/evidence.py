"""Where the board finds an evidence file on disk (PROVISIONAL until issue 11/14's store).

Today the ledger keeps a chat's file id per evidence row (`evidence.file_id`) and nothing
on disk. The coming evidence store (`DUBAN_EVIDENCE_DIR`, content-addressed) will put each
file under its content hash; until it lands, `EvidenceStore.path` looks for the file id as
a file name directly in the folder or in a two-character fan-out sub-folder (`ab/abcd…`).
A file that is not there is listed on the task page without a link. Swap `path` for the
store's own lookup when it exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}")


@dataclass(frozen=True, slots=True)
class EvidenceStore:
    """A folder of evidence files named by their id (None: no files on this server)."""

    folder: Path | None = None

    def path(self, file_id: str) -> Path | None:
        """Return the file stored for this id, or None; never a path outside the folder."""
        if self.folder is None or not SAFE_NAME.fullmatch(file_id) or ".." in file_id:
            return None
        for candidate in (self.folder / file_id, self.folder / file_id[:2] / file_id):
            if candidate.is_file():
                return candidate
        return None


SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def content_type(body: bytes) -> tuple[str, bool]:
    """Return the type to serve a file as, and whether a browser may show it inline.

    Content-addressed files have no extension, so the type is read from the first bytes;
    only pictures and PDFs are shown inline, everything else is offered as a download.
    """
    for magic, kind in SIGNATURES:
        if body.startswith(magic):
            return kind, True
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp", True
    return "application/octet-stream", False
