"""The board is a door: it reads storage, reports and plan_data, never a chat library or CLI."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
ALLOWED = {"web", "storage", "reports", "plan_data", "scheduler"}
FORBIDDEN = {"telegram", "bot", "cli", "emulator"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_web_imports_no_chat_library_and_no_other_door() -> None:
    files = sorted(WEB.glob("*.py"))
    assert files
    for path in files:
        assert not _imports(path) & FORBIDDEN, path.name


def test_documents_and_storage_know_nothing_of_the_web() -> None:
    root = WEB.parent
    for folder in ("storage", "reports"):
        for path in (root / folder).rglob("*.py"):
            assert "web" not in _imports(path), path
