"""`abaila bot` against a local Bot API peer (tests/peers/telegram_server.py) and a real `abaila serve`.

    BotApiPeer (getMe, getUpdates, sendMessage, deleteMessage, getChatMember; 429s)
        ^ real HTTP                         abaila serve (test lists: kaspi-kz.top is listed)
        └── abaila bot (a subprocess, as deployed) ──GET /v1/check──┘

Private chat: one reply per message in the user's Telegram language (kk / ru / en, else ru) with a Report
button; /start. Group: silent on honest messages, one quoting reply on a scam; an admin turns deletion
on; a 429 from the peer is waited out. The bot writes no message text anywhere.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.bot import BotConfig
from service.errors import ConfigError
from tests._serve import ROOT, Serve, environ, free_port, wait_until
from tests.conftest import write_lists
from tests.peers.servers import PeerLoop
from tests.peers.telegram_server import BotApiPeer

TOKEN = "123456:TEST-token_abc"
GROUP = -1001234
ADMIN, MEMBER = 7, 8
SECRET = "секретное-слово-771"  # a word only the messages carry: it must not show up in any file or log


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.loop = PeerLoop()
        self.peer = BotApiPeer(TOKEN, admins={(GROUP, ADMIN)})
        self.loop.run(self.peer.start())
        env = environ(tmp, write_lists(tmp / "lists"), ABAILA_ANON_RATE="10000/minute", ABAILA_LOG_LEVEL="info")
        self.service = Serve(env, log=tmp / "serve.log")
        self.metrics_port = free_port()
        self.state = tmp / "bot-chats.json"
        self.bot_log = (tmp / "bot.log").open("wb")
        bot_env = {**env, "ABAILA_TELEGRAM_TOKEN": TOKEN, "ABAILA_TELEGRAM_API_URL": f"http://127.0.0.1:{self.peer.port}",
                   "ABAILA_SERVICE_URL": self.service.base, "ABAILA_PUBLIC_URL": "https://abaila.example",
                   "ABAILA_BOT_STATE": str(self.state), "ABAILA_BOT_METRICS_PORT": str(self.metrics_port),
                   "ABAILA_LOG_LEVEL": "debug"}
        self.bot = subprocess.Popen([sys.executable, "-m", "service", "bot"], cwd=ROOT, env=bot_env,
                                    stdout=self.bot_log, stderr=subprocess.STDOUT)
        wait_until(lambda: "getUpdates" in self.peer.calls or self.bot.poll() is not None, "the bot polls")
        assert self.bot.poll() is None, (tmp / "bot.log").read_text()

    def push(self, **kwargs: Any) -> int:
        return int(self.loop.call(self.peer.push_message, **kwargs))

    def replies(self, chat: int, count: int) -> list[dict[str, Any]]:
        wait_until(lambda: len(self.peer.sent_to(chat)) >= count, f"{count} replies in chat {chat}")
        return self.peer.sent_to(chat)

    def close(self) -> None:
        self.bot.terminate()
        try:
            self.bot.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.bot.kill()
            self.bot.wait()
        self.bot_log.close()
        self.service.stop()
        self.loop.run(self.peer.close())
        self.loop.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory() as tmp:
        made = Stack(Path(tmp))
        try:
            yield made
        finally:
            made.close()


def _private(user_id: int, lang: str | None) -> dict[str, Any]:
    return {"chat": {"id": user_id, "type": "private", "first_name": "U"},
            "user": {"id": user_id, **({"language_code": lang} if lang else {})}}


def test_bot_starts_with_get_me(stack: Stack) -> None:
    assert stack.peer.calls[0] == "getMe"


@pytest.mark.parametrize(("user_id", "lang", "headline", "button"), [
    (101, "kk", "Абайлаңыз, алаяқ!", "Хабарлау"),
    (102, "ru", "Осторожно, мошенники!", "Пожаловаться"),
    (103, "en-US", "Beware: possible scam!", "Report"),
    (104, "de", "Осторожно, мошенники!", "Пожаловаться"),  # a language we do not have: Russian
    (105, None, "Осторожно, мошенники!", "Пожаловаться"),
])
def test_private_chat_gets_one_reply_in_the_users_language(stack: Stack, user_id: int, lang: str | None,
                                                            headline: str, button: str) -> None:
    message_id = stack.push(**_private(user_id, lang),
                            text=f"{SECRET}: карта заблокирована, kaspi-kz.top/unblock, звоните +7 747 000 11 22")
    reply, = stack.replies(user_id, 1)
    assert headline in reply["text"] and "kaspi-kz.top/unblock" in reply["text"] and "+77470001122" in reply["text"]
    assert reply["parse_mode"] == "HTML" and reply["link_preview_options"] == {"is_disabled": True}
    assert reply["reply_parameters"]["message_id"] == message_id
    buttons = reply["reply_markup"]["inline_keyboard"]
    assert buttons[0][0]["text"].startswith(button)
    assert buttons[0][0]["url"].startswith("https://abaila.example/share?lang=")
    assert "kaspi-kz.top" in buttons[0][0]["url"]


def test_hidden_links_and_forwarded_buttons_are_checked(stack: Stack) -> None:
    text = "Нажмите здесь, чтобы получить компенсацию"
    stack.push(**_private(110, "ru"), text=text,
               entities=[{"type": "text_link", "offset": 0, "length": 13, "url": "https://halyk-bonus.xyz/gift"}],
               forward_origin={"type": "hidden_user", "date": 1700000000, "sender_user_name": "Bank"},
               reply_markup={"inline_keyboard": [[{"text": "Получить", "url": "https://olx-kz.deal-safe.online/x"}]]})
    reply, = stack.replies(110, 1)
    assert "halyk-bonus.xyz/gift" in reply["text"] and "olx-kz.deal-safe.online" in reply["text"]


def test_start_and_help_and_nothing_to_check(stack: Stack) -> None:
    stack.push(**_private(120, "kk"), text="/start")
    stack.push(**_private(121, "en"), text="hello, how are you?")
    assert "Abaila" in stack.replies(120, 1)[0]["text"] and "сілтеме" in stack.replies(120, 1)[0]["text"]
    assert "There are no links" in stack.replies(121, 1)[0]["text"]


def test_group_is_silent_on_honest_messages_and_warns_on_a_scam(stack: Stack) -> None:
    group = {"chat": {"id": GROUP, "type": "supergroup", "title": "Аула чаты"}, "user": {"id": MEMBER,
                                                                                      "language_code": "ru"}}
    stack.push(**group, text="Всем привет! Собрание в 19:00 у школы")
    stack.push(**group, text="Оплачивать только через kaspi.kz или halykbank.kz")
    scam_id = stack.push(**group, text=f"{SECRET} Раздаём подарки: kaspi-kz.top/gift")
    warning, = stack.replies(GROUP, 1)
    assert warning["reply_parameters"]["message_id"] == scam_id and "Осторожно, мошенники!" in warning["text"]
    assert "Не переходите по ссылке" in warning["text"] and "reply_markup" not in warning
    # the two honest messages were read too (they came first) and got nothing
    wait_until(lambda: _metric(stack, 'abaila_bot_updates_total{chat="group"}') >= 3, "3 group messages counted")
    assert len(stack.peer.sent_to(GROUP)) == 1


def test_admin_turns_deletion_on(stack: Stack) -> None:
    group = {"chat": {"id": GROUP, "type": "supergroup", "title": "Аула чаты"}}
    stack.push(**group, user={"id": MEMBER, "language_code": "ru"}, text="/abaila_delete on")
    refused = stack.replies(GROUP, 2)[-1]
    assert "только администратор" in refused["text"]
    stack.push(**group, user={"id": ADMIN, "language_code": "ru"}, text="/abaila_delete on")
    assert "Готово" in stack.replies(GROUP, 3)[-1]["text"]
    scam_id = stack.push(**group, user={"id": MEMBER, "language_code": "ru"}, text="Акция! halyk-bonus.xyz")
    wait_until(lambda: (GROUP, scam_id) in stack.peer.deleted, "the scam message deleted")
    assert "удалено" in stack.replies(GROUP, 4)[-1]["text"]
    assert str(GROUP) in stack.state.read_text() and "halyk" not in stack.state.read_text()


def test_429_retry_after_is_obeyed(stack: Stack) -> None:
    stack.loop.call(stack.peer.throttle, 130, retry_after=1)
    stack.push(**_private(130, "ru"), text="kaspi-kz.top")
    reply, = stack.replies(130, 1)
    assert "Осторожно, мошенники!" in reply["text"]
    # The peer refuses every send to the chat until retry_after has passed, as Telegram does: one refusal
    # means the bot waited it out instead of retrying at once.
    assert [chat for chat, _ in stack.peer.rejected] == [130]
    assert _metric(stack, "abaila_bot_retry_after_total") == 1


def test_no_message_text_is_written_anywhere(stack: Stack) -> None:
    stack.bot_log.flush()
    files = [stack.tmp / "bot.log", stack.tmp / "serve.log", stack.state]
    for path in files:
        assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path.name
    assert TOKEN not in (stack.tmp / "bot.log").read_text(encoding="utf-8", errors="replace")


def _metric(stack: Stack, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{stack.metrics_port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_config_names_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="ABAILA_TELEGRAM_TOKEN"):
        BotConfig.from_env({})
    with pytest.raises(ConfigError, match="ABAILA_SERVICE_URL"):
        BotConfig.from_env({"ABAILA_TELEGRAM_TOKEN": TOKEN, "ABAILA_SERVICE_URL": "ftp://x"})
    config = BotConfig.from_env({"ABAILA_TELEGRAM_TOKEN": TOKEN})
    assert config.api_url == "https://api.telegram.org" and config.public_url == config.service_url


def test_compose_runs_the_bot_against_the_api() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["command"] == ["abaila", "bot"] and "bot" in bot["profiles"]
    assert {"ABAILA_TELEGRAM_TOKEN", "ABAILA_TELEGRAM_API_URL", "ABAILA_SERVICE_URL"} <= set(bot["environment"])
    assert bot["environment"]["ABAILA_SERVICE_URL"].startswith("http://api-")
    assert bot["environment"]["ABAILA_BOT_METRICS_PORT"] in bot["healthcheck"]["test"][-1]


def test_a_long_answer_fits_one_telegram_message() -> None:
    from service.bot import Judged, compose_private

    verdict = {"verdict": "suspicious", "host": "x.example", "reasons": [{"message": "r" * 300}] * 3,
               "advice": ["a" * 200] * 3, "signals": {}}
    judged = Judged(tuple((f"http://shop{i}.example/" + "p" * 100, verdict) for i in range(20)), ())
    text, buttons = compose_private(judged, "ru", "https://abaila.example")
    assert len(text) <= 4096 and "Остальное (" in text and len(buttons) == 5
