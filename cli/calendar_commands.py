"""`duban calendar import`: a year's holidays from the State Council's notice, into the
holiday file that the workday calendar reads for years chinese-calendar does not know."""

from __future__ import annotations

import argparse
import os
import tempfile
import tomllib
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plan_data.errors import DubanError
from plan_data.read_errors import PLAN_YEARS

if TYPE_CHECKING:
    from cli.context import CliContext

DEFAULT_OUT = Path("holiday.toml")
_KEYS = ("days_off", "workdays")
_PER_LINE = 6


class CalendarImportError(DubanError):
    """A notice file or holiday file that `duban calendar import` cannot use."""


def register(sub: Any) -> None:
    """Add the `calendar` group: `import`."""
    calendar = sub.add_parser("calendar", help="the official calendar of holidays and workdays")
    actions = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="read the State Council's holiday notice into the holiday file"
    )
    imp.add_argument("file", type=Path, metavar="FILE", help="the notice's text (UTF-8 or GBK)")
    imp.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="holiday file to write or merge into (default: holiday_file of the settings, "
        f"else {DEFAULT_OUT})",
    )
    imp.add_argument("--year", type=int, metavar="Y", help="the notice's year, if it lacks it")
    imp.set_defaults(func=import_notice)


def import_notice(args: argparse.Namespace, ctx: CliContext) -> int:
    """Read a holiday notice and write its days into the holiday file; print what changed."""
    from scheduler.holiday_notice import notice_year, parse_notice
    from scheduler.settings import load_settings

    text = _read_text(args.file)
    year = args.year or notice_year(text)
    if year is None:
        raise CalendarImportError("cannot tell the notice year; pass --year")
    if year not in PLAN_YEARS:
        raise CalendarImportError(f"--year must be between 1900 and 2100, not {year}")
    days_off, workdays = parse_notice(text, year)
    configured = load_settings(ctx.settings.policy_file).holiday_file
    out: Path = args.out or configured or DEFAULT_OUT
    old_off, old_work = _existing(out)
    # The notice is the whole truth from its first day to its last (a 元旦 may start in
    # December of the year before); entries outside that span stay as they were.
    first, last = min((*days_off, *workdays)), max((*days_off, *workdays))
    merged_off = {d for d in old_off if not first <= d <= last} | set(days_off)
    merged_work = {d for d in old_work if not first <= d <= last} | set(workdays)
    _write(out, sorted(merged_off), sorted(merged_work))
    print(
        f"wrote {year}: {len(days_off)} days off and {len(workdays)} workdays to {out}",
        file=ctx.out,
    )
    if configured is None or configured.resolve() != out.resolve():
        print(
            f'to use it, set holiday_file = "{out}" in the settings file (DUBAN_SETTINGS)',
            file=ctx.out,
        )
    return 0


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CalendarImportError(f"notice file not found: {path}") from None
    except OSError as exc:
        raise CalendarImportError(f"cannot read notice file {path}: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarImportError(f"notice file {path} is neither UTF-8 nor GB18030")


def _existing(path: Path) -> tuple[list[date], list[date]]:
    """Return the days of a holiday file already there; refuse one this command did not write."""
    if not path.exists():
        return [], []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalendarImportError(f"cannot read holiday file {path}: {exc}") from None
    other = sorted(set(data) - set(_KEYS))
    if other:
        raise CalendarImportError(
            f"holiday file {path} has other keys ({', '.join(other)}); not rewriting it"
        )
    found: list[list[date]] = []
    for key in _KEYS:
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, date) for v in values):
            raise CalendarImportError(f"holiday file {path}: {key} must be a list of dates")
        found.append(values)
    return found[0], found[1]


def _write(path: Path, days_off: list[date], workdays: list[date]) -> None:
    """Write the holiday file whole, or not at all."""
    text = (
        "# Holidays of the official calendar for duban (the holiday_file setting): days off\n"
        "# and 调休 workdays, for years chinese-calendar does not know. Written by\n"
        "# `duban calendar import NOTICE`; an import replaces the days its notice spans.\n"
        f"days_off = {_dates(days_off)}\n"
        f"workdays = {_dates(workdays)}\n"
    )
    directory = path.resolve().parent
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=directory, prefix=".holiday-", suffix=".toml")
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        temporary.replace(path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise CalendarImportError(f"cannot write holiday file {path}: {exc.strerror}") from None


def _dates(days: Iterable[date]) -> str:
    values = [day.isoformat() for day in days]
    if not values:
        return "[]"
    lines = [
        "    " + ", ".join(values[i : i + _PER_LINE]) + ","
        for i in range(0, len(values), _PER_LINE)
    ]
    return "[\n" + "\n".join(lines) + "\n]"
