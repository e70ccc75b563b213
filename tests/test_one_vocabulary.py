"""Issue 9's one vocabulary stays one: statuses, roles, lights, the time zone and the 6月30日
format are written in `vocabulary/` only, never copied into another package's table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from vocabulary import DEFAULT_TZ_NAME, LIGHT_NAMES, ROLE_NAMES, STATUS_NAMES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("plan_data", "storage", "reports", "scheduler", "core", "bot", "simulate", "web")
PACKAGES += ("service", "cli")
WORD_SETS = {
    "statuses": set(STATUS_NAMES.values()),
    "roles": set(ROLE_NAMES.values()),
    "lights": set(LIGHT_NAMES.values()),
}
# `{d.month}月{d.day}日` written by hand instead of vocabulary.cn_date.
HAND_DATE = re.compile(r"\{[^{}]*\.month\}月\{[^{}]*\.day\}日")


def _sources() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]


def _copied_tables(path: Path) -> list[str]:
    """Return the word sets a dict literal in `path` copies (all its words, nothing else)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict) or not node.values:
            continue
        values = {v.value for v in node.values if isinstance(v, ast.Constant)}
        found += [name for name, words in WORD_SETS.items() if words <= values]
    return found


def test_no_package_keeps_its_own_table_of_status_role_or_light_words() -> None:
    copies = {str(p.relative_to(ROOT)): t for p in _sources() if (t := _copied_tables(p))}
    assert copies == {}


def test_the_time_zone_and_the_date_format_are_written_once() -> None:
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        assert f'"{DEFAULT_TZ_NAME}"' not in text, path
        assert not HAND_DATE.search(text), (path, HAND_DATE.search(text))
