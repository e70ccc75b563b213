"""Hand-made report rows for the pure tests (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reports.digest import digest_instant
from reports.model import ExtensionItem, OpenMilestone, ReportRow

AS_OF = digest_instant(date(2022, 7, 6))  # Monday 2022-07-04 09:00, week 27


def ago(days: float) -> datetime:
    """Return the instant this many days before the digest."""
    return AS_OF - timedelta(days=days)


def sample_rows() -> list[ReportRow]:
    """Return one row of each category, plus a blocked row that is also overdue."""
    return [
        ReportRow(
            "2.1", "社救科", "构建综合救助格局", "lead", "red", "in_progress", "起草中",
            ago(20), date(2022, 1, 31), 2, (OpenMilestone("印发文件", date(2022, 1, 31)),),
        ),
        ReportRow(
            "2.2", "社救科", "兜底保障", "lead", "red", "blocked", "资金未到位",
            ago(3), date(2022, 6, 30), 1, (OpenMilestone(None, date(2022, 6, 30)),),
        ),
        ReportRow(
            "3.2", "社会事务科", "推进社区养老设施建设", "owner", "yellow", "blocked",
            "日照中心选址未定，需协调街道", ago(3), date(2022, 7, 12), 1,
            (OpenMilestone("选址", date(2022, 7, 12)),),
        ),
        ReportRow(
            "7.3", "综合办", "持续加强民政基础性工作", "owner", "done", "done", "已完成",
            ago(2), None, 3,
        ),
        ReportRow(
            "7.1", "综合办", "加强党建", "owner", "done", "done", "上月完成", ago(30), None, 1,
        ),
        ReportRow(
            "4.1", "社区科", "加强自治组织建设", "owner", "green", "in_progress", "60%",
            ago(1), date(2022, 12, 31), 4, (OpenMilestone(None, date(2022, 12, 31)),),
        ),
        ReportRow(
            "6.3", "殡葬科", "推进公墓建设", "owner", "yellow", None, None, None,
            date(2022, 7, 4), 0, (OpenMilestone("完成验收", date(2022, 7, 4)),),
        ),
    ]


EXTENSIONS = [ExtensionItem("6.3", "殡葬科", date(2023, 1, 20), "pending")]
