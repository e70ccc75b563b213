"""Files only their owner may read: the SQLite ledger, its WAL, and backups (mode 0600)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> bool:
    """Create an empty file readable by its owner only; return False if it already existed.

    SQLite gives the `-wal`, `-shm` and `-journal` files it makes the mode of the database
    file, so creating the database this way before SQLite opens it keeps them private too.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def make_private(path: Path) -> None:
    """Take group and other permissions off an existing regular file that this user owns."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    mine = stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
    if mine and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(stat.S_IMODE(info.st_mode) & 0o700)


def private_sqlite_file(path: Path) -> None:
    """Create the ledger file 0600, or make an existing ledger and its companions private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if create_private(path):
        return
    for candidate in (path, *(sqlite_companion(path, s) for s in SQLITE_COMPANIONS)):
        make_private(candidate)


def sqlite_companion(path: Path, suffix: str) -> Path:
    """Return the path of a database's `-wal`, `-shm` or `-journal` file."""
    return path.with_name(path.name + suffix)
