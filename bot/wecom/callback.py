"""The app's callback URL (`/wecom/callback`): verify, decrypt, dedupe, answer fast, hand off.

Order for a POST, each step refusing with an HTTP error and recording nothing:

1. query `msg_signature`, `timestamp`, `nonce` present, timestamp within `max_age` of the wall
   clock (a captured callback cannot be replayed after the dedupe memory forgot it) → else 400/403;
2. the envelope's `<Encrypt>` read with defusedxml (nothing else of the body) → else 400;
3. signature over token, timestamp, nonce and Encrypt → else 403; only now is anything decrypted;
4. decrypt; the receiveid and the inner ToUserName are our corp id (and AgentID ours when set)
   → else 403; the inner XML parsed into a `WeComEvent` → else 400;
5. replay: a dedupe key (MsgId, or user + CreateTime + task + EventKey) seen within `ttl` → 409;
6. queue the event for the handler and answer 200 with an empty body at once (WeCom wants an
   answer within 5 seconds and retries otherwise); a full queue is 503 and is not remembered, so
   WeCom's retry gets in later.

The handler runs in `serve()`, a loop that owns a TaskGroup: run it in your own task group, or
call `attach(app)` to let the aiohttp app own it (started on startup, drained on cleanup).
Logs name the failure class only: never the body, the key, the token or the signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from aiohttp import web

from bot.wecom.crypto import CorpIdMismatch, CryptoError, SignatureMismatch, WeComCrypto
from bot.wecom.events import (
    MAX_XML_BYTES,
    MalformedCallback,
    WeComEvent,
    parse_envelope,
    parse_event,
    to_user_name,
)

CALLBACK_PATH: Final = "/wecom/callback"
EventHandler = Callable[[WeComEvent], Awaitable[None]]
log = logging.getLogger("duban.wecom.callback")


class ReplayGuard:
    """Remember the last `size` dedupe keys for `ttl` seconds (an LRU with expiry)."""

    def __init__(
        self, size: int = 10_000, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size = size
        self._ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen(self, key: str) -> bool:
        """Tell whether `key` was remembered and has not expired yet."""
        self._expire()
        return key in self._seen

    def remember(self, key: str) -> None:
        """Remember `key` from now on (forgetting the oldest beyond `size`)."""
        self._seen[key] = self._clock() + self._ttl
        self._seen.move_to_end(key)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def _expire(self) -> None:
        now = self._clock()
        while self._seen:
            key, until = next(iter(self._seen.items()))
            if until > now:
                break
            del self._seen[key]


class Refused(Exception):
    """A callback answered with an HTTP error; `status` is the code."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


_STOP: Final = object()


class WeComCallback:
    """Serve `/wecom/callback` for one app and feed its events to `handler`, each once."""

    def __init__(
        self,
        crypto: WeComCrypto,
        handler: EventHandler,
        *,
        agent_id: int | None = None,
        replay: ReplayGuard | None = None,
        wall_clock: Callable[[], float] = time.time,
        max_age: float = 1800.0,
        queue_size: int = 1000,
        concurrency: int = 8,
    ) -> None:
        # wall_clock is the real time WeCom signs with, never the service's drill clock.
        self._crypto = crypto
        self._handler = handler
        self._agent_id = agent_id
        self._replay = replay or ReplayGuard()
        self._wall_clock = wall_clock
        self._max_age = max_age
        self._queue: asyncio.Queue[WeComEvent | object] = asyncio.Queue(queue_size)
        self._slots = asyncio.Semaphore(concurrency)
        self.handled = 0  # events the handler finished (with or without an error)

    # --- HTTP ---------------------------------------------------------------------------

    def routes(self, path: str = CALLBACK_PATH) -> list[web.RouteDef]:
        """Return the GET (URL verification) and POST (messages, events) routes."""
        return [web.get(path, self.verify_url), web.post(path, self.receive)]

    async def verify_url(self, request: web.Request) -> web.Response:
        """Answer WeCom's URL check: echo the decrypted echostr."""
        try:
            params = self._query(request, "msg_signature", "timestamp", "nonce", "echostr")
            echo = self._crypto.verify_url(*params)
        except Refused as refused:
            return self._refuse(refused)
        except SignatureMismatch:
            return self._refuse(Refused(403, "bad signature"))
        except CorpIdMismatch:
            return self._refuse(Refused(403, "wrong corp id"))
        except CryptoError:
            return self._refuse(Refused(400, "malformed echostr"))
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        """Take one POSTed message or event: check it, queue it, answer at once."""
        try:
            await self._accept(request)
        except Refused as refused:
            return self._refuse(refused)
        return web.Response(text="")

    async def _accept(self, request: web.Request) -> WeComEvent:
        signature, timestamp, nonce = self._query(request, "msg_signature", "timestamp", "nonce")
        if not timestamp.isdigit() or abs(self._wall_clock() - int(timestamp)) > self._max_age:
            raise Refused(403, "stale or bad timestamp")
        if request.content_length is not None and request.content_length > MAX_XML_BYTES:
            raise Refused(413, "body too large")
        body = bytearray()
        # read(n) returns what has arrived so far (up to n): loop until the end or the limit.
        while len(body) <= MAX_XML_BYTES and (
            chunk := await request.content.read(MAX_XML_BYTES + 1 - len(body))
        ):
            body += chunk
        if len(body) > MAX_XML_BYTES:
            raise Refused(413, "body too large")
        try:
            envelope = parse_envelope(bytes(body))
            self._crypto.verify_signature(signature, timestamp, nonce, envelope.encrypt)
            plain = self._crypto.decrypt(envelope.encrypt)
            if to_user_name(plain) not in (None, self._crypto.corp_id):
                raise Refused(403, "wrong corp id")
            event = parse_event(plain)
        except SignatureMismatch:
            raise Refused(403, "bad signature") from None
        except CorpIdMismatch:
            raise Refused(403, "wrong corp id") from None
        except (CryptoError, MalformedCallback):
            raise Refused(400, "malformed body") from None
        if self._agent_id is not None and event_agent_id(event) not in (None, self._agent_id):
            raise Refused(403, "wrong agent id")
        key = event.dedupe_key
        if self._replay.seen(key):
            raise Refused(409, "replayed message")
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            raise Refused(503, "busy") from None
        self._replay.remember(key)
        return event

    @staticmethod
    def _query(request: web.Request, *names: str) -> tuple[str, ...]:
        values = tuple(request.query.get(name, "") for name in names)
        if not all(values):
            raise Refused(400, "missing query parameters")
        return values

    @staticmethod
    def _refuse(refused: Refused) -> web.Response:
        log.warning("wecom callback refused (%s): %s", refused.status, refused.reason)
        return web.Response(status=refused.status, text=refused.reason)

    # --- handing events to the handler --------------------------------------------------

    async def serve(self) -> None:
        """Run the handler on queued events until `stop()`; let in-flight handlers finish."""
        async with asyncio.TaskGroup() as group:
            while (event := await self._queue.get()) is not _STOP:
                await self._slots.acquire()
                group.create_task(self._run(event))  # type: ignore[arg-type]

    def stop(self) -> None:
        """Ask `serve()` to return once what is queued before now has been handed over."""
        self._queue.put_nowait(_STOP)

    async def _run(self, event: WeComEvent) -> None:
        try:
            await self._handler(event)
        except Exception:
            # One bad event must not stop the others; the dialogue logs its own details.
            log.exception("wecom event handler failed for %s", type(event).__name__)
        finally:
            self.handled += 1
            self._slots.release()

    def attach(self, app: web.Application, path: str = CALLBACK_PATH, grace: float = 5.0) -> None:
        """Add the routes to `app` and let the app own `serve()` (startup to cleanup)."""
        app.router.add_routes(self.routes(path))
        app.cleanup_ctx.append(lambda _app: self._lifetime(grace))

    @contextlib.asynccontextmanager
    async def running(self, grace: float = 5.0) -> AsyncIterator[None]:
        """Serve the handler for the duration of the block; drain (or cancel after `grace`)."""
        task = asyncio.get_running_loop().create_task(self.serve())
        try:
            yield
        finally:
            self.stop()
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _lifetime(self, grace: float) -> AsyncIterator[None]:
        async with self.running(grace):
            yield


def event_agent_id(event: WeComEvent) -> int | None:
    """Return the AgentID an event names, if any."""
    return getattr(event, "agent_id", None)


def add_wecom_callback(
    app: web.Application,
    crypto: WeComCrypto,
    handler: EventHandler,
    *,
    path: str = CALLBACK_PATH,
    agent_id: int | None = None,
    replay: ReplayGuard | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> WeComCallback:
    """Serve the WeCom callback at `path` on `app`; the app owns the handler's tasks."""
    callback = WeComCallback(
        crypto, handler, agent_id=agent_id, replay=replay, wall_clock=wall_clock
    )
    callback.attach(app, path)
    return callback
