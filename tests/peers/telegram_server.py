"""A Telegram Bot API server on 127.0.0.1 for tests: real HTTP, the real method paths and JSON envelopes.

    peer = BotApiPeer(token="123:ABC", admins={(-100, 7)})
    port = await peer.start()                       # ABAILA_TELEGRAM_API_URL=http://127.0.0.1:<port>
    peer.push_message(chat={"id": 5, "type": "private"}, user={"id": 5, "language_code": "kk"}, text="…")
    peer.sent                                       # every sendMessage's parameters, in arrival order
    peer.throttle(5, retry_after=1)                 # the next sendMessage to chat 5 gets 429 retry_after=1

Methods: getMe, getUpdates (long polling: `offset` confirms, `timeout` waits for new updates),
sendMessage, deleteMessage, getChatMember (status "administrator" for (chat, user) in admins), and any
other method answers `true`. Requests are `POST /bot<token>/<method>` with form-encoded parameters (each
value JSON, as python-telegram-bot sends them) or JSON bodies; a wrong token gets 401 like the real server.
While a chat is throttled every sendMessage to it gets 429 until its retry_after has passed, as Telegram
does, so a bot that does not wait is seen failing again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from tests.peers.servers import HttpPeer, Request, Response

__all__ = ["BotApiPeer"]

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Abaila", "username": "abaila_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": True, "supports_inline_queries": False}


class BotApiPeer(HttpPeer):
    def __init__(self, token: str, *, admins: set[tuple[int, int]] = frozenset()) -> None:  # type: ignore[assignment]
        super().__init__()
        self.token = token
        self.admins = admins
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.deleted: list[tuple[int, int]] = []
        self.calls: list[str] = []
        self.rejected: list[tuple[int, float]] = []  # (chat, retry_after) of every 429 answered
        self.accepted_at: list[tuple[int, float]] = []  # (chat, monotonic) of every sendMessage accepted
        self._throttled: dict[int, tuple[float, int]] = {}  # chat -> (until, retry_after)
        self._pending_throttle: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Event()

    # -- what a test does

    def push_message(self, *, chat: dict[str, Any], user: dict[str, Any], text: str | None = None,
                     **extra: Any) -> int:
        """Queues a `message` update as Telegram would deliver it; returns its message_id."""
        message_id = next(self._message_ids)
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                   "from": {"is_bot": False, "first_name": "User", **user}, **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.updates.append({"update_id": next(self._ids), "message": message})
        self._changed.set()
        return message_id

    def throttle(self, chat_id: int, retry_after: int) -> None:
        """Makes the next sendMessage to chat_id start a Telegram flood wait of retry_after seconds."""
        self._pending_throttle[chat_id] = retry_after

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.sent if int(m["chat_id"]) == chat_id]

    # -- the protocol

    async def respond(self, request: Request) -> Response:
        status, answer = await self._answer(request.path, request.headers.get("content-type", ""), request.body)
        return Response(status, json.dumps(answer).encode(), {"Content-Type": "application/json"})

    async def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix):].split("?", 1)[0]
        self.calls.append(method)
        params = _params(content_type, body)
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(params)}
        if method == "sendMessage":
            return self._send_message(params)
        if method == "deleteMessage":
            self.deleted.append((int(params["chat_id"]), int(params["message_id"])))
            return 200, {"ok": True, "result": True}
        if method == "getChatMember":
            key = (int(params["chat_id"]), int(params["user_id"]))
            status = "administrator" if key in self.admins else "member"
            member = {"status": status, "user": {"id": key[1], "is_bot": False, "first_name": "User"}}
            if status == "administrator":
                member.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                               "can_delete_messages": True, "can_manage_video_chats": True,
                               "can_restrict_members": True, "can_promote_members": False,
                               "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                               "can_edit_stories": False, "can_delete_stories": False})
            return 200, {"ok": True, "result": member}
        return 200, {"ok": True, "result": True}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones are gone
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self.updates and time.monotonic() < deadline:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))
        limit = int(params.get("limit") or 100)
        return self.updates[:limit]

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        if chat_id in self._pending_throttle:
            retry = self._pending_throttle.pop(chat_id)
            self._throttled[chat_id] = (now + retry, retry)
        until, retry = self._throttled.get(chat_id, (0.0, 0))
        if now < until:
            self.rejected.append((chat_id, retry))
            left = max(1, int(until - now + 0.999))
            return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {left}",
                         "parameters": {"retry_after": left}}
        self.sent.append(params)
        self.accepted_at.append((chat_id, now))
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                   "from": BOT_USER, "text": params.get("text", "")}
        return 200, {"ok": True, "result": message}


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    """Returns a Bot API call's parameters: JSON body, or form fields whose values are JSON when they parse."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(body))
    params: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params
