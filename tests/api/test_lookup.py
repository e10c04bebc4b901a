"""POST /v1/lookup/prefixes: prefixes in, full hashes with list and category out, never a URL."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api import lookup
from service.errors import AbailaError


@dataclass(frozen=True)
class _Match:
    full_hash: bytes
    list: str
    category: str


class _FakeIndex:
    """An index over a few expressions that records the prefixes it was asked about."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self.entries = {hashlib.sha256(e.encode()).digest(): meta for e, meta in entries.items()}
        self.asked: list[list[bytes]] = []

    def lookup_prefixes(self, prefixes: list[bytes]) -> list[_Match]:
        self.asked.append(list(prefixes))
        return [_Match(h, *meta) for h, meta in self.entries.items() if h[:4] in prefixes]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _prefix(expression: str) -> str:
    return _b64(hashlib.sha256(expression.encode()).digest()[:4])


def _app(index: _FakeIndex) -> Starlette:
    async def render(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AbailaError)
        return JSONResponse(exc.to_json(), status_code=exc.status)

    app = Starlette(routes=lookup.routes, exception_handlers={AbailaError: render})
    app.state.checker = SimpleNamespace(index=index)
    return app


@pytest.fixture
def index() -> _FakeIndex:
    return _FakeIndex({"kaspi-kz.top/": ("abaila-kz-scam", "phishing"), "olx-dostavka.shop/": ("shops", "scam_shop"),
                       "kaspi.kz/": ("official", "allowlist")})


@pytest.fixture
async def client(index: _FakeIndex):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(index)), base_url="http://t") as c:
        yield c


async def test_returns_full_hashes_for_matching_prefixes(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/lookup/prefixes", json={"prefixes": [_prefix("kaspi-kz.top/"), "AAAAAA=="]})
    assert response.status_code == 200
    body = response.json()
    assert body["matches"] == [{"hash": _b64(hashlib.sha256(b"kaspi-kz.top/").digest()),
                                "list": "abaila-kz-scam", "category": "phishing"}]
    assert body["cacheDuration"] == f"{lookup.CACHE_DURATION_S}s"


async def test_no_match_is_an_empty_list_with_a_cache_duration(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/lookup/prefixes", json={"prefixes": ["AAAAAA=="]})
    assert response.status_code == 200
    assert response.json() == {"matches": [], "cacheDuration": "300s"}


async def test_empty_prefix_list_is_fine(client: httpx.AsyncClient, index: _FakeIndex) -> None:
    response = await client.post("/v1/lookup/prefixes", json={"prefixes": []})
    assert response.json()["matches"] == []
    assert index.asked == []


async def test_duplicates_are_asked_once(client: httpx.AsyncClient, index: _FakeIndex) -> None:
    p = _prefix("olx-dostavka.shop/")
    response = await client.post("/v1/lookup/prefixes", json={"prefixes": [p, p, p.replace("+", "-")]})
    assert len(response.json()["matches"]) == 1
    assert len(index.asked[0]) == 1


async def test_thousand_prefixes_is_the_limit(client: httpx.AsyncClient) -> None:
    ok = await client.post("/v1/lookup/prefixes", json={"prefixes": ["AAAAAA=="] * 1000})
    assert ok.status_code == 200
    too_many = await client.post("/v1/lookup/prefixes", json={"prefixes": ["AAAAAA=="] * 1001})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_field"
    assert too_many.json()["error"]["field"] == "prefixes"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(b"not json", "invalid_json", id="not-json"),
        pytest.param(b"[]", "invalid_json", id="not-an-object"),
        pytest.param(b"{}", "invalid_field", id="missing"),
        pytest.param(b'{"prefixes": "qYEh6A=="}', "invalid_field", id="string-not-list"),
        pytest.param(b'{"prefixes": [1234]}', "invalid_field", id="number"),
        pytest.param(b'{"prefixes": ["not base64!"]}', "invalid_field", id="bad-base64"),
        pytest.param(b'{"prefixes": ["AAAAAAA="]}', "invalid_field", id="five-bytes"),
        pytest.param(b'{"prefixes": ["http://kaspi-kz.top/"]}', "invalid_field", id="a-url"),
    ],
)
async def test_bad_input_is_a_400_with_the_error_envelope(client: httpx.AsyncClient, body: bytes, code: str) -> None:
    response = await client.post("/v1/lookup/prefixes", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


async def test_allowlist_entries_are_never_returned(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/lookup/prefixes", json={"prefixes": [_prefix("kaspi.kz/")]})
    assert response.json()["matches"] == []


async def test_get_is_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/lookup/prefixes")
    assert response.status_code == 405


async def test_real_app_answers_from_its_lists(tmp_path, settings_factory) -> None:
    """The endpoint as the real app wires it, over a list file."""
    from service.app import create_app

    lists = tmp_path / "own-lists"
    lists.mkdir()
    (lists / "scam.txt").write_text("# name: test-scam\n# category: phishing\nkaspi-kz.top\n", encoding="utf-8")
    (lists / "allow.txt").write_text("# name: test-allow\n# category: allowlist\nkaspi.kz\n", encoding="utf-8")
    app = create_app(settings_factory(ABAILA_LISTS_DIR=str(lists),
                                      ABAILA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/abaila.db"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.post("/v1/lookup/prefixes", json={"prefixes": [_prefix("kaspi-kz.top/")]})
            assert response.status_code == 200, response.text
            matches = response.json()["matches"]
            assert {"hash": _b64(hashlib.sha256(b"kaspi-kz.top/").digest()), "list": "test-scam",
                    "category": "phishing"} in matches
            allowed = await c.post("/v1/lookup/prefixes", json={"prefixes": [_prefix("kaspi.kz/")]})
            assert allowed.json()["matches"] == []
            bad = await c.post("/v1/lookup/prefixes", json={"prefixes": ["AAAAAA=="] * 1001})
            assert bad.status_code == 400
            assert bad.json()["error"]["field"] == "prefixes"
