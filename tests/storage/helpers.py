"""Helpers shared by the storage tests."""

from __future__ import annotations

from pathlib import Path

from plan_data import default_plan_path


def edited_seed(tmp_path: Path) -> Path:
    """Return the seed without task 2.3 (so 2.4 becomes 2.3) and with 3.1 due in November."""
    lines = default_plan_path().read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "（三）创新社会救助方式" in line)
    del lines[start : start + 3]
    due = next(i for i, line in enumerate(lines) if "推进助餐服务提标扩面" in line) + 2
    assert lines[due].strip() == "完成时限：12月底"
    lines[due] = "完成时限：11月底"
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return edited
