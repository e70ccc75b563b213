"""The typed context every handler receives: services as properties, chat state as a class."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.callbacks import Answer

if TYPE_CHECKING:
    from bot.services import BotServices


@dataclass
class PendingAsk:
    """A question the bot asked after a button tap; the reply to it completes the answer."""

    answer: Answer
    task_id: str
    milestone_id: int | None
    # the prompt item and message it came from (None when read back from a question's text)
    item_id: int | None = None
    prompt_message_id: int | None = None
    # the entry a 已完成 question follows up (its reply adds a note, its files are evidence)
    entry_id: int | None = None


@dataclass
class PromptView:
    """The current text and buttons of a prompt message, so later edits build on earlier ones."""

    text: str
    rows: list[list[tuple[str, str]]]
    marks: list[str] = field(default_factory=list)


@dataclass
class ChatState:
    """What one chat's conversation is in the middle of; lives in memory only."""

    # question message id -> what the reply to it will record
    asks: dict[int, PendingAsk] = field(default_factory=dict)
    # prompt message id -> its text and remaining buttons
    prompts: dict[int, PromptView] = field(default_factory=dict)
    # user id -> (entry id, task id, when) of the last 已完成: files sent next are evidence
    evidence_for: dict[int, tuple[int, str, datetime]] = field(default_factory=dict)


class BotData:
    """Application-wide state: the services, set in post_init and cleared in post_shutdown."""

    def __init__(self) -> None:
        self.services: BotServices | None = None


class CustomContext(CallbackContext[ExtBot[int], dict[Any, Any], ChatState, BotData]):
    """A callback context whose properties give the bot's services."""

    @property
    def services(self) -> BotServices:
        """Return the running services (database, clock, sender)."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the bot's services are not running (post_init has not run)")
        return services

    @property
    def state(self) -> ChatState:
        """Return this chat's conversation state."""
        state = self.chat_data
        if state is None:
            raise RuntimeError("this update has no chat")
        return state


CONTEXT_TYPES = ContextTypes(
    context=CustomContext, chat_data=ChatState, bot_data=BotData, user_data=dict
)

DubanApp = Application[
    ExtBot[int],
    CustomContext,
    dict[Any, Any],
    ChatState,
    BotData,
    JobQueue[CustomContext],
]
