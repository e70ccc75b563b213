"""Where the board finds an evidence file on disk (PROVISIONAL until issue 11/14's store).

Today the ledger keeps a chat's file id per evidence row (`evidence.file_id`) and nothing
on disk. The coming evidence store (`DUBAN_EVIDENCE_DIR`, content-addressed) will put each
file under its content hash; until it lands, `EvidenceStore.path` looks for the file id as
a file name directly in the folder or in a two-character fan-out sub-folder (`ab/abcd…`).
A file that is not there is listed on the task page without a link. Swap `path` for the
store's own lookup when it exists.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}")
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


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


def content_type(path: Path, kind: str) -> tuple[str, bool]:
    """Return the type to serve a file as, and whether a browser may show it inline."""
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed is None:
        guessed = {"photo": "image/jpeg", "image": "image/jpeg"}.get(kind, "")
    if guessed in INLINE_TYPES:
        return guessed, True
    return "application/octet-stream", False
