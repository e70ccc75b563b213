"""Storage's domain errors; each message is one English line safe to show."""

from __future__ import annotations

from plan_data.errors import DubanError


class DatabaseUnavailable(DubanError):
    """The database cannot be reached or opened."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot open database {url}: {reason}")


class UnknownTask(DubanError):
    """A task id that the current plan does not have."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(f"unknown task '{task_id}'")


class NotOwner(DubanError):
    """A unit reporting on a task it does not own."""

    def __init__(self, task_id: str, unit: str, owners: tuple[str, ...]) -> None:
        self.task_id = task_id
        self.unit = unit
        self.owners = owners
        super().__init__(
            f"unit '{unit}' does not own task {task_id} (owners: {'、'.join(owners)})"
        )


class UnknownStatus(DubanError):
    """A status word that is not one of the four."""

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(
            f"unknown status '{status}'; use in_progress, done, blocked or extension"
            " (进行中, 已完成, 遇到困难, 申请延期)"
        )


class InvalidPercent(DubanError):
    """A percent outside 0–100."""

    def __init__(self, percent: int) -> None:
        self.percent = percent
        super().__init__(f"percent must be between 0 and 100, not {percent}")


class UnknownMilestone(DubanError):
    """A milestone id that does not belong to the task."""

    def __init__(self, milestone_id: int, task_id: str) -> None:
        super().__init__(f"milestone {milestone_id} is not a milestone of task {task_id}")


class InvalidInvite(DubanError):
    """An invite code that is unknown, already used or expired."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid invite code: {reason}")


class NoPlan(DubanError):
    """The ledger has no plan yet."""

    def __init__(self) -> None:
        super().__init__("no plan is loaded; run `duban plan import`")


class ExtensionAlreadyDecided(DubanError):
    """A second decision on an extension request."""

    def __init__(self, request_id: int, state: str) -> None:
        self.request_id = request_id
        self.state = state
        super().__init__(f"extension request {request_id} is already {state}")


class UnknownExtension(DubanError):
    """An extension request id that does not exist."""

    def __init__(self, request_id: int) -> None:
        super().__init__(f"unknown extension request {request_id}")


class BackupFailed(DubanError):
    """A backup or restore could not be made."""


class RestoreRefused(DubanError):
    """A backup that must not replace the ledger (unreadable, tampered, or target in use)."""


class ToolMissing(DubanError):
    """pg_dump or pg_restore is not on PATH; `command` is what to run by hand."""

    def __init__(self, tool: str, command: str) -> None:
        self.tool = tool
        self.command = command
        super().__init__(
            f"{tool} is not on PATH; install the PostgreSQL client tools or run by hand"
            f" (the password comes from PGPASSWORD or ~/.pgpass): {command}"
        )
