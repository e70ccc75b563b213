"""The plan as data: read a work plan (工作要点) into units, tasks and milestones."""

from __future__ import annotations

from pathlib import Path

from plan_data.json_view import plan_to_json
from plan_data.model import Plan
from plan_data.read_errors import PLAN_YEARS, PlanFileError, PlanYearOutOfRange, PlanYearUnknown

# The readers are imported inside the functions: `import plan_data.model` (which every
# layer does) stays light and never depends on the deadline grammar being importable.

__all__ = [
    "PlanFileError",
    "PlanYearOutOfRange",
    "PlanYearUnknown",
    "decode_text",
    "default_plan_path",
    "load_plan",
    "plan_to_json",
]

_SEED = Path(__file__).resolve().parent / "dongli-2022-minzheng.txt"


def default_plan_path() -> Path:
    """Return the shipped seed plan (东丽区民政局 2022)."""
    return _SEED


def decode_text(data: bytes) -> str:
    """Decode a plan's bytes: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlanFileError("plan text has a UTF-16 mark but is not UTF-16") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise PlanFileError("plan text is neither UTF-8 nor GB18030") from exc


def load_plan(path: str | Path, year: int | None = None) -> Plan:
    """Read a plan file (.txt, .docx or .xlsx) into a Plan."""
    if year is not None and year not in PLAN_YEARS:
        raise PlanYearOutOfRange(year)
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(f"plan file not found: {file}") from None
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {file}: {exc.strerror or exc}") from None
    if not data.strip():
        raise PlanFileError(f"plan file is empty: {file}")
    source = str(file)
    if suffix == ".docx":
        from plan_data.docx_reader import read_docx

        return read_docx(data, year, source)
    if suffix in (".xlsx", ".xlsm"):
        from plan_data.xlsx_reader import read_xlsx

        return read_xlsx(data, year, source)
    if suffix in ("", ".txt", ".text", ".md"):
        try:
            text = decode_text(data)
        except PlanFileError as exc:
            raise PlanFileError(f"cannot read plan file {file}: {exc}") from None
        from plan_data.text_reader import read_text

        plan = read_text(text, year, source)
        if not plan.tasks:
            raise PlanFileError(f"no tasks found in plan file {file}")
        return plan
    if suffix in (".doc", ".xls", ".wps", ".et"):
        raise PlanFileError(f"old binary Office file; save it as .docx or .xlsx: {file}")
    raise PlanFileError(f"unknown plan file type '{suffix}' (use .txt, .docx or .xlsx): {file}")
