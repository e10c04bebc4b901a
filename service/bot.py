"""`abaila bot`: a Telegram bot that checks the links and numbers in messages, as a client of the Abaila API.

    Telegram ──getUpdates──> AbailaBot ──extract (service.extract)──> links, cards/phones/IBANs
                                 │                        └── GET /v1/check?url=&lang=   (ABAILA_SERVICE_URL)
                                 │                        └── GET /v1/indicators/range/{5 hex} (k-anonymity)
                                 └──sendMessage / deleteMessage (per-chat self rate limit, obeys 429 retry_after)

- **Private chats**: any message, forwarded post or shared link gets one reply with the verdict of each
  link (hidden `text_link`s and link buttons of a forwarded post included) and number, in the user's
  Telegram language (kk / ru / en, else ru), with the advice and a Report button that opens the check
  page with the link (so the report comes from the person, under the page's limits). `/start`, `/help`.
- **Groups**: silent on honest messages; replies, quoting the message, only when it carries a `blocked`,
  `dangerous` or `suspicious` link or a reported number. A group admin sends `/abaila_delete on` to let
  the bot delete blocked / dangerous messages (when it has the right to), `/abaila_delete off` to stop.
- **Never stores message texts**: a message lives in memory while it is checked; only the links and the
  numbers' hashes leave the bot; the only file it writes holds each group's deletion switch.

Configuration (environment): ABAILA_TELEGRAM_TOKEN (required), ABAILA_TELEGRAM_API_URL (the Bot API
server's base address, default https://api.telegram.org; a self-hosted Bot API server works the same),
ABAILA_SERVICE_URL (default http://127.0.0.1:8080), ABAILA_SERVICE_KEY (optional API key: its rate instead
of the anonymous one), ABAILA_PUBLIC_URL (where people open the check page; default the service URL),
ABAILA_BOT_STATE (the switches file; default $ABAILA_VAR_DIR/bot-chats.json), ABAILA_BOT_METRICS_PORT
(Prometheus metrics on 127.0.0.1 unless ABAILA_BOT_METRICS_HOST; unset = off), ABAILA_BOT_RATE (messages a
second the bot sends in all; default 25, Telegram allows about 30).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import json
import logging
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from service import indicators, messages
from service.errors import ConfigError
from service.extract import extract
from service.settings import BotConfig

__all__ = ["BotConfig", "AbailaBot", "ServiceClient", "Judged", "compose_private", "compose_group", "run_bot"]

log = logging.getLogger("abaila.bot")

BOT_DEFAULT_LANG = "ru"  # most people in Kazakhstan read Russian; a kk or en Telegram gets its own language
WARN_LEVELS = ("blocked", "dangerous", "suspicious")  # a group hears about these only
DELETE_LEVELS = ("blocked", "dangerous")  # what deletion (when an admin turned it on) removes
GROUP_INTERVAL_S = 3.0  # seconds between the bot's messages in one group (Telegram allows 20 a minute)
PRIVATE_INTERVAL_S = 0.5  # seconds between replies in one private chat
MAX_WAIT_S = 30.0  # a reply that would wait longer for its chat's turn is dropped (a spam raid)
MAX_REPLY_CHARS = 3800  # Telegram refuses a message over 4096 characters; the tail goes to the check page
SEND_TRIES = 4  # attempts of one message when Telegram answers 429 with retry_after
_MARK = {"blocked": "⛔", "dangerous": "⛔", "suspicious": "⚠️", "unverified": "❔", "no_known_risk": "ℹ️",
         "trusted": "✅"}
_LEVEL_ORDER = ["blocked", "dangerous", "suspicious", "unverified", "no_known_risk", "trusted"]


# ---------------------------------------------------------------------------------------------- the API


@dataclass(frozen=True, slots=True)
class Judged:
    """What the service said about one message: a verdict (JSON) per link, a status per number."""

    links: tuple[tuple[str, dict[str, Any] | None], ...]  # (link, Verdict JSON or None when not checkable)
    numbers: tuple[tuple[str, bool | None], ...]  # (canonical indicator, reported? None = unknown)

    @property
    def worst(self) -> str | None:
        levels = [v["verdict"] for _, v in self.links if v]
        return min(levels, key=_LEVEL_ORDER.index) if levels else None

    @property
    def has_reported_number(self) -> bool:
        return any(reported for _, reported in self.numbers)


class ServiceClient:
    """The bot's only way to the Abaila API: GET /v1/check, and the indicator range lookup."""

    def __init__(self, base_url: str, *, key: str | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 timeout_s: float = 10.0) -> None:
        headers = {"User-Agent": "abaila-bot/1"} | ({"Authorization": f"Bearer {key}"} if key else {})
        self._client = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout_s, transport=transport,
                                         limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))

    async def close(self) -> None:
        await self._client.aclose()

    async def verdict(self, url: str, lang: str) -> dict[str, Any] | None:
        """Returns the Verdict JSON for url, or None when the service could not judge it (an error, a 4xx)."""
        for _ in range(2):
            try:
                response = await self._client.get("/v1/check", params={"url": url, "lang": lang})
            except httpx.HTTPError as exc:
                log.warning("service unreachable: %s", exc.__class__.__name__)
                return None
            if response.status_code == 429:  # the service's own limit: wait as told, once
                await asyncio.sleep(min(float(response.headers.get("retry-after", "1") or 1), 5.0))
                continue
            if response.status_code != 200:
                return None
            return dict(response.json())
        return None

    async def is_reported(self, canonical: str) -> bool | None:
        """Reports whether a canonical indicator is listed or reported, asking only its hash's 5-hex range
        (the service never learns the number); None when the service has no range lookup or fails."""
        digest = indicators.hash_hex(canonical)
        try:
            response = await self._client.get(f"/v1/indicators/range/{indicators.range_prefix(digest)}")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        # Lines are `<64 hex>:<reports>`, padded with decoys; only a listed indicator's own hash is ever in it,
        # so finding ours means it is listed (its count may still be 0 reports).
        return any(line.strip().partition(":")[0].lower() == digest for line in response.text.splitlines())

    async def judge(self, text: str, extra_links: Iterable[str], lang: str) -> Judged:
        """Returns the verdicts of every link and number in text plus extra_links (hidden links, buttons)."""
        found = extract(text[:20_000])
        links = list(dict.fromkeys([*found.links, *extra_links]))[:20]
        verdicts = await asyncio.gather(*(self.verdict(link, lang) for link in links))
        reported = await asyncio.gather(*(self.is_reported(value) for value in found.indicators))
        return Judged(tuple(zip(links, verdicts, strict=True)), tuple(zip(found.indicators, reported, strict=True)))


# ------------------------------------------------------------------------------------- composing replies


def _t(lang: str) -> dict[str, str]:
    return messages.strings("bot", lang)


def _report_url(public_url: str, link: str, lang: str) -> str:
    return f"{public_url}/share?lang={lang}&url={quote(link, safe='')}"


def compose_private(judged: Judged, lang: str, public_url: str) -> tuple[str, list[list[dict[str, str]]]]:
    """Returns the reply (Telegram HTML) and its buttons (rows of {text, url}) for a private chat."""
    t, page = _t(lang), messages.strings("page", lang)
    if not judged.links and not judged.numbers:
        return t["nothing_found"], []
    parts: list[str] = []
    buttons: list[list[dict[str, str]]] = []
    for link, verdict in judged.links:
        if verdict is None:
            parts.append(f"❔ <b>{html.escape(t['not_checked'])}</b>\n<code>{html.escape(link)}</code>")
            continue
        level = verdict["verdict"]
        lines = [f"{_MARK[level]} <b>{html.escape(messages.title(level, lang))}</b>",
                 f"<code>{html.escape(link)}</code>"]
        chain = (verdict.get("signals") or {}).get("redirects", {}).get("chain") or []
        if len(chain) > 1:
            lines.append(f"{html.escape(page['leads_to'])}: <code>{html.escape(chain[-1])}</code>")
        lines += [f"• {html.escape(reason['message'])}" for reason in verdict.get("reasons", [])[:3]]
        if level == "no_known_risk":
            lines.append(html.escape(page["no_reasons"]))
        if verdict.get("advice"):
            lines.append(f"<i>{html.escape(page['what_to_do'])}:</i>")
            lines += [f"– {html.escape(line)}" for line in verdict["advice"][:3]]
        parts.append("\n".join(lines))
        if level != "trusted" and len(buttons) < 5:
            label = f"{t['report']}: {verdict.get('host') or link}"[:60]
            buttons.append([{"text": label, "url": _report_url(public_url, link, lang)}])
    for value, reported in judged.numbers:
        kind, shown = value.split(":", 1)
        status = page["number_unknown"] if reported is None else (
            page["number_reported"] if reported else page["number_clean"])
        mark = "⛔" if reported else "ℹ️"
        parts.append(f"{mark} <b>{html.escape(page['kind_' + kind])}</b> <code>{html.escape(shown)}</code>\n"
                     f"{html.escape(status)}")
    return _fit(parts, t), buttons


def _fit(parts: list[str], t: dict[str, str]) -> str:
    """Returns the parts joined, as many as fit one Telegram message, then how many more there are."""
    shown: list[str] = []
    size = 0
    for index, part in enumerate(parts):
        if shown and size + len(part) + 2 > MAX_REPLY_CHARS:
            return "\n\n".join([*shown, html.escape(t["more"].format(count=len(parts) - index))])
        shown.append(part)
        size += len(part) + 2
    return "\n\n".join(shown)


def compose_group(judged: Judged, lang: str) -> str | None:
    """Returns the one-sentence warning for a group, or None when the message is to be left alone."""
    t = _t(lang)
    flagged = [(link, v) for link, v in judged.links if v and v["verdict"] in WARN_LEVELS]
    if not flagged and not judged.has_reported_number:
        return None
    if flagged:
        link, verdict = min(flagged, key=lambda pair: _LEVEL_ORDER.index(pair[1]["verdict"]))
        level = verdict["verdict"]
        advice = t["group_advice_scam"] if level in DELETE_LEVELS else t["group_advice_suspicious"]
        return (f"{_MARK[level]} <b>{html.escape(messages.title(level, lang))}</b> "
                f"<code>{html.escape(verdict.get('host') or link)}</code> — {html.escape(advice)}")
    return f"⛔ <b>{html.escape(t['group_number'])}</b> — {html.escape(t['group_advice_number'])}"


# ------------------------------------------------------------------------------------------- sending


class _Pacer:
    """Spaces the bot's messages: per chat (GROUP_INTERVAL_S / PRIVATE_INTERVAL_S) and in all (rate/s), and
    holds a chat back while Telegram's retry_after runs. Owned by one AbailaBot; uses the loop's clock."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next_global = 0.0
        self._next: dict[int, float] = {}

    def reserve(self, chat_id: int, *, group: bool) -> float | None:
        """Returns the seconds to wait before sending to chat_id (the slot is taken), or None to drop."""
        now = time.monotonic()
        slot = max(now, self._next.get(chat_id, 0.0), self._next_global)
        if slot - now > MAX_WAIT_S:
            return None
        self._next[chat_id] = slot + (GROUP_INTERVAL_S if group else PRIVATE_INTERVAL_S)
        self._next_global = max(self._next_global, slot) + self._interval
        if len(self._next) > 10_000:  # forget chats whose turn has long passed
            self._next = {chat: at for chat, at in self._next.items() if at > now}
        return slot - now

    def pause(self, chat_id: int, seconds: float) -> None:
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), time.monotonic() + seconds)


def _seconds(retry_after: Any) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)


@dataclass
class _Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.updates = Counter("abaila_bot_updates", "Messages received, by chat type", ["chat"], registry=r)
        self.replies = Counter("abaila_bot_replies", "Messages sent, by chat type and kind", ["chat", "kind"],
                               registry=r)
        self.links = Counter("abaila_bot_links", "Links judged, by verdict", ["verdict"], registry=r)
        self.deleted = Counter("abaila_bot_deleted", "Group messages deleted", registry=r)
        self.retry_after = Counter("abaila_bot_retry_after", "429 answers from Telegram (retry_after obeyed)",
                                   registry=r)
        self.dropped = Counter("abaila_bot_dropped", "Replies dropped: the chat's queue was too long", registry=r)
        self.service_errors = Counter("abaila_bot_service_errors", "Links the service could not judge", registry=r)
        self.answer = Histogram("abaila_bot_answer_seconds", "From receiving a message to sending its answer",
                                ["chat"], registry=r, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))


# ----------------------------------------------------------------------------------------------- the bot


class AbailaBot:
    """The Telegram side: python-telegram-bot's Application, our handlers, pacing and the group switches."""

    def __init__(self, config: BotConfig, *, service: ServiceClient | None = None) -> None:
        self.config = config
        self.service = service or ServiceClient(config.service_url, key=config.service_key)
        self.metrics = _Metrics()
        self._pacer = _Pacer(config.rate)
        self._deleting: set[int] = self._load_switches()

    # -- group switches: the only state the bot keeps on disk (chat ids, never texts)

    def _load_switches(self) -> set[int]:
        try:
            data = json.loads(self.config.state_path.read_text(encoding="utf-8"))
            return {int(chat) for chat in data.get("delete", [])}
        except FileNotFoundError:
            return set()
        except (ValueError, OSError) as exc:
            raise ConfigError(f"ABAILA_BOT_STATE={str(self.config.state_path)!r} is unreadable: {exc}") from None

    def _save_switches(self) -> None:
        path = self.config.state_path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"delete": sorted(self._deleting)}), encoding="utf-8")
        tmp.replace(path)

    # -- the application

    def build(self) -> Any:
        from telegram.ext import ApplicationBuilder, CommandHandler, MessageHandler, filters

        app = (ApplicationBuilder().token(self.config.token)
               .base_url(f"{self.config.api_url}/bot").base_file_url(f"{self.config.api_url}/file/bot")
               .concurrent_updates(64).post_shutdown(self._shutdown).build())
        app.add_handler(CommandHandler(["start", "help"], self._help))
        app.add_handler(CommandHandler("abaila_delete", self._delete_switch))
        app.add_handler(MessageHandler((filters.TEXT | filters.CAPTION) & ~filters.COMMAND
                                       & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE),
                                       self._message))
        return app

    async def _shutdown(self, app: Any) -> None:
        await self.service.close()

    def run(self) -> None:
        """Polls Telegram until SIGINT / SIGTERM."""
        if self.config.metrics_port is not None:
            start_http_server(self.config.metrics_port, addr=self.config.metrics_host, registry=self.metrics.registry)
        app = self.build()
        app.run_polling(allowed_updates=["message", "edited_message"], timeout=self.config.poll_timeout_s,
                        drop_pending_updates=False, close_loop=False)

    # -- handlers

    @staticmethod
    def _lang(update: Any) -> str:
        user = update.effective_user
        return messages.choose_lang(getattr(user, "language_code", None), accept_language=None,
                                    default=BOT_DEFAULT_LANG)

    @staticmethod
    def _is_group(update: Any) -> bool:
        return update.effective_chat.type in ("group", "supergroup")

    async def _help(self, update: Any, context: Any) -> None:
        lang = self._lang(update)
        await self._send(update, _t(lang)["help"], kind="help")

    async def _delete_switch(self, update: Any, context: Any) -> None:
        lang = self._lang(update)
        t = _t(lang)
        chat = update.effective_chat
        if not self._is_group(update):
            await self._send(update, t["delete_groups_only"], kind="help")
            return
        member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
        if member.status not in ("administrator", "creator"):
            await self._send(update, t["delete_admins_only"], kind="help", quote=True)
            return
        turn_on = (context.args or ["on"])[0].lower() not in ("off", "0", "no", "выкл", "өшіру")
        (self._deleting.add if turn_on else self._deleting.discard)(chat.id)
        self._save_switches()
        await self._send(update, t["delete_on"] if turn_on else t["delete_off"], kind="help", quote=True)

    async def _message(self, update: Any, context: Any) -> None:
        started = time.monotonic()
        message = update.effective_message
        group = self._is_group(update)
        chat_kind = "group" if group else "private"
        self.metrics.updates.labels(chat_kind).inc()
        lang = self._lang(update)
        text = message.text or message.caption or ""
        judged = await self.service.judge(text, _hidden_links(message), lang)
        del text  # the text goes no further than the extraction
        for _, verdict in judged.links:
            if verdict is None:
                self.metrics.service_errors.inc()
            else:
                self.metrics.links.labels(verdict["verdict"]).inc()
        if group:
            await self._warn_group(update, context, judged, lang)
        else:
            reply, buttons = compose_private(judged, lang, self.config.public_url)
            await self._send(update, reply, kind="verdict", buttons=buttons, quote=True)
        self.metrics.answer.labels(chat_kind).observe(time.monotonic() - started)

    async def _warn_group(self, update: Any, context: Any, judged: Judged, lang: str) -> None:
        warning = compose_group(judged, lang)
        if warning is None:
            return  # silent on honest messages
        chat = update.effective_chat
        if chat.id in self._deleting and (judged.worst in DELETE_LEVELS or judged.has_reported_number):
            from telegram.error import TelegramError

            try:
                await update.effective_message.delete()
                self.metrics.deleted.inc()
                await self._send(update, f"{warning}\n<i>{html.escape(_t(lang)['deleted'])}</i>", kind="warning")
                return
            except TelegramError:
                warning += f"\n<i>{html.escape(_t(lang)['delete_no_right'])}</i>"
        await self._send(update, warning, kind="warning", quote=True)

    async def _send(self, update: Any, text: str, *, kind: str, buttons: list[list[dict[str, str]]] | None = None,
                    quote: bool = False) -> None:
        """Sends one message to the update's chat, paced, obeying Telegram's 429 retry_after."""
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
        from telegram.error import BadRequest, RetryAfter

        chat = update.effective_chat
        group = self._is_group(update)
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["text"], url=b["url"]) for b in row]
                                       for row in buttons]) if buttons else None
        reply = ReplyParameters(update.effective_message.message_id, allow_sending_without_reply=True) if quote \
            else None
        for _ in range(SEND_TRIES):
            wait = self._pacer.reserve(chat.id, group=group)
            if wait is None:
                self.metrics.dropped.inc()
                return
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                await update.get_bot().send_message(
                    chat.id, text, parse_mode="HTML", reply_markup=markup, reply_parameters=reply,
                    link_preview_options=LinkPreviewOptions(is_disabled=True))  # never fetch a scam page's preview
            except RetryAfter as exc:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    seconds = _seconds(exc.retry_after)
                self.metrics.retry_after.inc()
                self._pacer.pause(chat.id, seconds)
                continue
            except BadRequest as exc:
                log.warning("sendMessage refused: %s", exc.message)
                return
            self.metrics.replies.labels("group" if group else "private", kind).inc()
            return


def _hidden_links(message: Any) -> list[str]:
    """Returns the links a message hides from its text: `text_link` entities and inline link buttons."""
    links = [entity.url for entity in (*(message.entities or ()), *(message.caption_entities or ()))
             if entity.type == "text_link" and entity.url]
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or ():
        links += [button.url for button in row if getattr(button, "url", None)]
    return [link for link in links if link.startswith(("http://", "https://"))]


def run_bot(environ: Mapping[str, str] | None = None) -> int:
    """Runs `abaila bot` until stopped; returns the exit status."""
    config = BotConfig.from_env(environ)
    # Whatever ABAILA_LOG_LEVEL says: httpx logs every request URL (the bot's token is in it) and
    # python-telegram-bot logs whole updates at debug (the people's messages). Neither may reach a log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    with contextlib.suppress(KeyboardInterrupt):
        AbailaBot(config).run()
    return 0
