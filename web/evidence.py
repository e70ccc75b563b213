"""How the board serves an evidence file kept in the store (core.evidence, by SHA-256).

A file's type is read from its first bytes, never taken from its name or from what the chat
announced: only pictures and PDFs open in the browser, everything else downloads under its
original name.
"""

from __future__ import annotations

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
