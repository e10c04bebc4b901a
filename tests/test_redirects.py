"""Following shortener links (service/redirects.py) against a local redirector and a local DNS server.

Names resolve through tests/peers/dns_server.py, so `bit.ly` and `clck.ru` here are 127.0.0.1 and the
follower is told (allowed_networks) that 127.0.0.1 — and only it — may be connected to; 127.0.0.2, 10/8
and 169.254.169.254 stay refused as they would be in production.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.engine import open_engine
from service.redirects import Chain, ChainOutcome, RedirectFollower, dns_resolver, is_shortener, parse_networks
from service.settings import Settings
from tests._env import offline_upstreams
from tests.conftest import write_lists
from tests.peers.dns_server import DnsPeer
from tests.peers.redirector import Redirector

ZONE = [
    "bit.ly. 300 IN A 127.0.0.1",
    "clck.ru. 300 IN A 127.0.0.1",
    "tinyurl.com. 300 IN A 127.0.0.1",
    "kaspi-kz.top. 300 IN A 127.0.0.1",
    "honest-shop.kz. 300 IN A 127.0.0.1",
    "vk.cc. 300 IN A 127.0.0.2",  # loopback, but not the allowed address
    "goo.su. 300 IN A 10.0.0.5",  # a private network
    "cutt.ly. 300 IN A 127.0.0.1",
    "cutt.ly. 300 IN A 192.168.1.10",  # one public-looking answer is not enough: every address is checked
]
ROUTES: dict[str, tuple[Any, ...]] = {
    "/one": (302, "http://clck.ru:{port}/two"),
    "/two": (301, "/three-relative"),
    "/three-relative": (307, "http://kaspi-kz.top:{port}/unblock"),
    "/unblock": (200, None),
    "/loop-a": (302, "http://bit.ly:{port}/loop-b"),
    "/loop-b": (302, "http://bit.ly:{port}/loop-a"),
    "/private": (302, "http://goo.su:{port}/inside"),
    "/loopback": (302, "http://vk.cc:{port}/inside"),
    "/metadata": (302, "http://169.254.169.254/latest/meta-data/"),
    "/mixed": (302, "http://cutt.ly:{port}/inside"),
    "/slow": (302, "http://bit.ly:{port}/unblock", 5.0),
    "/no-head": (302, "http://kaspi-kz.top:{port}/unblock"),
    "/to-honest": (302, "http://honest-shop.kz:{port}/"),
    "/": (200, None),
    "/ftp": (302, "ftp://bit.ly/file"),
    **{f"/hop{i}": (302, f"http://bit.ly:{{port}}/hop{i + 1}") for i in range(10)},
}
ALLOWED = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture
async def peers() -> AsyncIterator[tuple[DnsPeer, Redirector]]:
    dns = DnsPeer(ZONE)
    redirector = Redirector(ROUTES, no_head={"/no-head"})
    await dns.start()
    await redirector.start()
    yield dns, redirector
    dns.close()
    await redirector.close()


@pytest.fixture
async def follower(peers: tuple[DnsPeer, Redirector]) -> AsyncIterator[RedirectFollower]:
    made = RedirectFollower(dns_resolver([("127.0.0.1", peers[0].port)], timeout_s=1.0), allowed_networks=ALLOWED,
                            timeout_s=1.5)
    yield made
    await made.close()


def _url(peers: tuple[DnsPeer, Redirector], path: str, host: str = "bit.ly") -> str:
    return f"http://{host}:{peers[1].port}{path}"


async def test_follows_hops_to_the_destination_with_headers_only(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/one"))
    port = peers[1].port
    assert chain.outcome is ChainOutcome.FOLLOWED
    assert chain.hops == (f"http://bit.ly:{port}/one", f"http://clck.ru:{port}/two",
                          f"http://clck.ru:{port}/three-relative", f"http://kaspi-kz.top:{port}/unblock")
    assert [(method, host) for method, host, _ in peers[1].requests] == [
        ("HEAD", f"bit.ly:{port}"), ("HEAD", f"clck.ru:{port}"), ("HEAD", f"clck.ru:{port}"),
        ("HEAD", f"kaspi-kz.top:{port}")]  # the name travels in Host, the connection goes to the checked address


async def test_a_server_refusing_head_is_asked_with_get(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/no-head"))
    assert chain.outcome is ChainOutcome.FOLLOWED and chain.final.endswith("/unblock")
    assert [m for m, _, p in peers[1].requests if p == "/no-head"] == ["HEAD", "GET"]


async def test_loop_stops_at_once(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/loop-a"))
    assert chain.outcome is ChainOutcome.LOOP and len(chain.hops) == 3 and chain.hops[0] == chain.hops[-1]
    assert len(peers[1].requests) == 2


async def test_at_most_five_redirects(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/hop0"))
    assert chain.outcome is ChainOutcome.TOO_MANY
    assert len(peers[1].requests) == 6 and len(chain.hops) == 7  # the link, five redirects, then one too many


@pytest.mark.parametrize(("path", "address"), [
    ("/private", "10.0.0.5"), ("/loopback", "127.0.0.2"), ("/metadata", "169.254.169.254"),
    ("/mixed", "192.168.1.10")])
async def test_a_hop_to_a_non_public_address_is_refused_before_connecting(
        peers: Any, follower: RedirectFollower, path: str, address: str) -> None:
    chain = await follower.follow(_url(peers, path))
    assert chain.outcome is ChainOutcome.REFUSED and chain.refused_address == address
    assert [p for _, _, p in peers[1].requests] == [path]  # the refused hop was never requested


async def test_the_first_link_is_checked_too(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/inside", host="goo.su"))
    assert chain.outcome is ChainOutcome.REFUSED and chain.hops == (_url(peers, "/inside", host="goo.su"),)
    assert peers[1].requests == []


async def test_timeout_ends_the_chain(peers: Any, follower: RedirectFollower) -> None:
    chain = await follower.follow(_url(peers, "/slow"))
    assert chain.outcome is ChainOutcome.TIMEOUT and chain.hops == (_url(peers, "/slow"),)


async def test_bad_location_and_unknown_names_fail_as_data(peers: Any, follower: RedirectFollower) -> None:
    assert (await follower.follow(_url(peers, "/ftp"))).outcome is ChainOutcome.FAILED
    assert (await follower.follow(_url(peers, "/x", host="nowhere.example"))).outcome is ChainOutcome.FAILED


async def test_chains_are_cached_and_concurrent_follows_share_one_walk(peers: Any,
                                                                       follower: RedirectFollower) -> None:
    chains = await asyncio.gather(*(follower.follow(_url(peers, "/one")) for _ in range(20)))
    assert len({c.hops for c in chains}) == 1 and follower.walks == 1
    assert isinstance(await follower.follow(_url(peers, "/one")), Chain)
    assert follower.walks == 1 and len(peers[1].requests) == 4


def test_no_network_is_allowed_by_default() -> None:
    assert parse_networks(None) == () and parse_networks("") == ()
    assert parse_networks("127.0.0.1/32, ::1/128") == (ipaddress.ip_network("127.0.0.1/32"),
                                                       ipaddress.ip_network("::1/128"))
    with pytest.raises(ValueError, match="ABAILA_REDIRECT_ALLOW_NETWORKS"):
        parse_networks("10.0.0.0/99")
    assert is_shortener("bit.ly") and is_shortener("www.clck.ru") and not is_shortener("kaspi.kz")


async def test_default_follower_refuses_loopback(peers: Any) -> None:
    strict = RedirectFollower(dns_resolver([("127.0.0.1", peers[0].port)], timeout_s=1.0), timeout_s=1.5)
    try:
        chain = await strict.follow(_url(peers, "/one"))
    finally:
        await strict.close()
    assert chain.outcome is ChainOutcome.REFUSED and chain.refused_address == "127.0.0.1"


def _settings(dns: DnsPeer, tmp_path: Path) -> Settings:
    """A service whose names resolve through dns and whose shortener follower may reach 127.0.0.1."""
    return Settings.from_env({
        "ABAILA_LISTS_DIR": str(write_lists(tmp_path / "lists")), "ABAILA_VAR_DIR": str(tmp_path / "var"),
        "ABAILA_CHECK_DEADLINE_MS": "300", **offline_upstreams(tmp_path),
        "ABAILA_DNS_SERVERS": f"127.0.0.1:{dns.port}", "ABAILA_REDIRECT_ALLOW_NETWORKS": "127.0.0.1/32"})


async def test_checker_judges_the_destination_and_shows_the_chain(peers: Any, tmp_path: Path) -> None:
    redirector = peers[1]
    settings = _settings(peers[0], tmp_path)
    engine = await open_engine(settings)
    try:
        from service.urls import validate_for_api

        async def check(url: str) -> Any:
            return (await engine.checker.check(validate_for_api(url), url=url, lang="ru")).to_json()

        scam = await check(_url(peers, "/one"))
        assert scam["verdict"] == "blocked" and scam["url"] == _url(peers, "/one")
        assert scam["host"] == "kaspi-kz.top"
        assert scam["signals"]["redirects"]["chain"][-1] == f"http://kaspi-kz.top:{redirector.port}/unblock"
        assert [r["code"] for r in scam["reasons"]] == ["list.phishing"]  # the list decides, as for the site itself
        honest = await check(_url(peers, "/to-honest"))
        assert honest["host"] == "honest-shop.kz" and len(honest["signals"]["redirects"]["chain"]) == 2
        assert any(r["code"] == "redirect.followed" and "honest-shop.kz" in r["message"] for r in honest["reasons"])
        refused = await check(_url(peers, "/private"))
        assert refused["signals"]["redirects"]["outcome"] == "refused"
        assert any(r["code"] == "redirect.private_address" for r in refused["reasons"])
        assert refused["verdict"] != "no_known_risk"
        looped = await check(_url(peers, "/loop-a"))
        assert any(r["code"] == "redirect.unresolved" for r in looped["reasons"])
        offline = (await engine.checker.check(validate_for_api(_url(peers, "/to-honest")),
                                              url=_url(peers, "/to-honest"), offline=True)).to_json()
        assert "redirects" not in offline["signals"]  # offline checks never go out
    finally:
        await engine.close()


async def test_check_page_shows_the_chain(peers: Any, tmp_path: Path) -> None:
    import httpx

    from service.app import create_app

    redirector = peers[1]
    settings = _settings(peers[0], tmp_path)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.post("/", data={"text": f"Срочно: {_url(peers, '/one')} !", "lang": "ru"})
    assert page.status_code == 200 and 'data-level="blocked"' in page.text
    assert "Ссылка ведёт сюда" in page.text
    assert f"http://clck.ru:{redirector.port}/two" in page.text
    assert f"http://kaspi-kz.top:{redirector.port}/unblock" in page.text
