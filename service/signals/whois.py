"""WHOIS (port 43, RFC 3912) -> DomainAge, with one total deadline over every hop.

python-whois's own socket code has per-read timeouts only and a hard-coded port, so a server that drips
one byte a second holds it for ever; here each lookup runs under one `asyncio.timeout` and reads at most
`MAX_REPLY_BYTES`. Its parsers (`whois.parser.WhoisEntry.load`) still read the text, with the fixes in
`whois_kz` and `domain_age.parse_registry_date` for what they get wrong.

Hostile replies (issue 10: 32 KB with no newline froze the whole instance for 27 s; python-whois's
regexes hold the GIL, so a thread did not help, and they are quadratic in a line's length): the parser
sees at most PARSE_BYTES, in lines of at most PARSE_LINE_CHARS, and runs in a separate process
(`_ParserProcess`) under what is left of the lookup's deadline; a parse that overruns is killed with its
process and the lookup fails as "timeout". Each server also gets at most QUERY_BUDGET queries a minute
(40k distinct URLs once caused 31,609 WHOIS queries), and a referral whose name resolves to a loopback,
private or otherwise non-public address is not followed.

How `WhoisClient.lookup("iceagesaga.com")` goes:

    1. server for the TLD: an override (ABAILA_WHOIS_SERVERS), else the built-in table (.kz and .қаз ->
       whois.nic.kz, .com -> whois.verisign-grs.com, ...), else ask whois.iana.org for the TLD and take
       its `refer:` / `whois:` line (remembered for the process' life).
    2. ask that registry: "No match" / "Nothing found" means UNREGISTERED; a creation date means
       REGISTERED.
    3. a thin registry (no creation date in its reply) names the registrar's server
       (`Registrar WHOIS Server: whois.example-registrar.com`): ask it, within what is left of the
       deadline, and take its date. A registry that printed a date is not second-guessed, and its
       registrar is not bothered. A registrar's "not found" or empty reply (MarkMonitor sends 0 bytes in
       2026) changes nothing: only the registry can say a name is unregistered.

Where it may connect: the override for a TLD or for a server host name, else a host *name* (never an IP
literal, never a port taken from a reply) on port 43.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import multiprocessing
import os
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import whois.parser as whois_parser

from service.signals import is_public_domain
from service.signals.domain_age import DomainAge, Registration, parse_registry_date
from service.signals.whois_kz import is_kaznic_text, parse_kz

__all__ = ["DEFAULT_SERVERS", "MAX_REPLY_BYTES", "WhoisClient", "WhoisError", "fetch_whois"]

log = logging.getLogger(__name__)

WHOIS_PORT = 43
MAX_REPLY_BYTES = 64 * 1024  # the largest real reply seen is ~20 KiB; more is a misbehaving server
PARSE_BYTES = 24 * 1024  # of a reply reach the parser: dates and names sit in the first few KB
PARSE_LINE_CHARS = 200  # longer lines are split (real replies: legal text, up to ~1.4 KB a line)
QUERY_BUDGET = 120  # queries per server per minute; more fail as "budget" (cached briefly, like failures)
IANA = "whois.iana.org"

# Registry servers for the TLDs Abaila's users meet most; anything else is asked of IANA once.
DEFAULT_SERVERS: dict[str, str] = {
    "kz": "whois.nic.kz",
    "xn--80ao21a": "whois.nic.kz",  # .қаз, run by KazNIC on the same server (kz-context.md §3)
    "com": "whois.verisign-grs.com",
    "net": "whois.verisign-grs.com",
    "org": "whois.pir.org",
    "ru": "whois.tcinet.ru",
    "su": "whois.tcinet.ru",
    "xn--p1ai": "whois.tcinet.ru",  # .рф
    "uz": "whois.cctld.uz",
    "kg": "whois.kg",
    "by": "whois.cctld.by",
}

# Registry replies that mean "no such domain", as captured in tests/fixtures/whois (real registry replies).
_NOT_FOUND = re.compile(
    r"\*\*\* Nothing found for this query|^No match for|^No entries found|^NOT FOUND|No Data Found"
    r"|The queried object does not exist|not found in database|^%?\s*No such domain|^Status:\s*free"
    r"|is available for registration|^Domain not found",
    re.IGNORECASE | re.MULTILINE)
_REFERRAL = re.compile(r"^\s*(?:Registrar WHOIS Server|ReferralServer|refer|whois)\s*:\s*(?P<host>\S+)\s*$",
                       re.IGNORECASE | re.MULTILINE)
_CREATED = re.compile(
    r"^\s*(?:Creation Date|Created On|Created|Registered On|Registration Time|Registration Date|Record created"
    r"|Domain Registration Date|Domain created|Registered)[ .]*:[ \t]*(?P<value>.+?)\s*$",
    re.IGNORECASE | re.MULTILINE)


class WhoisError(Exception):
    """A WHOIS exchange that produced no text: `reason` is "timeout", "connect", "refused_host", "budget"."""

    def __init__(self, reason: str, server: str) -> None:
        super().__init__(f"whois: {reason} ({server})")
        self.reason = reason
        self.server = server


@dataclass(frozen=True, slots=True)
class _Reply:
    found: bool | None  # False: registry says no such name; None: cannot tell
    created: object  # whatever the parser produced; parse_registry_date reads it


async def fetch_whois(host: str, port: int, query: str, *, timeout_s: float,
                      max_bytes: int = MAX_REPLY_BYTES) -> str:
    """Returns the reply of the WHOIS server at host:port to query, read to EOF (or max_bytes) within
    timeout_s in total, connection included; raises WhoisError("timeout" | "connect")."""
    writer = None
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(query.encode("idna" if not query.isascii() else "ascii") + b"\r\n")
            await writer.drain()
            chunks: list[bytes] = []
            size = 0
            while size < max_bytes:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except TimeoutError as exc:
        raise WhoisError("timeout", host) from exc
    except (OSError, UnicodeError) as exc:
        raise WhoisError("connect", host) from exc
    finally:
        if writer is not None:
            writer.close()
    return b"".join(chunks).decode("utf-8", errors="replace")


Resolver = Callable[[str], Awaitable[list[str]]]  # host name -> its addresses


async def _system_resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, WHOIS_PORT, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_public_address(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_global
    except ValueError:
        return False


def _parseable(text: str) -> str:
    """Returns the first PARSE_BYTES of a reply with lines cut to PARSE_LINE_CHARS: what the parser may see."""
    text = text[:PARSE_BYTES]
    lines = text.split("\n")
    if all(len(line) <= PARSE_LINE_CHARS for line in lines):
        return text
    out: list[str] = []
    for line in lines:
        out.extend(line[i:i + PARSE_LINE_CHARS] for i in range(0, max(len(line), 1), PARSE_LINE_CHARS))
    return "\n".join(out)


def _exit_with_parent(parent: int) -> None:
    """In the worker: exits once the instance that started it is gone (killed with SIGKILL, it cannot say)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="abaila-whois-parent-watch").start()


class _ParserProcess:
    """Runs _parse_reply in a worker process, so a slow parse never holds this process's GIL.

    One spawned worker, started on first use; a parse that overruns its time is killed with the worker
    (the next parse starts a new one).
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_exit_with_parent, initargs=(os.getpid(),))
        return self._pool

    def warm(self) -> None:
        """Starts the worker now (it takes about a second to import), not inside a first check."""
        self._get().submit(_parse_reply, "warm.example.com", "", True)

    async def parse(self, domain: str, text: str, is_registry: bool, timeout_s: float) -> _Reply:
        pool = self._get()
        future = asyncio.get_running_loop().run_in_executor(pool, _parse_reply, domain, text, is_registry)
        try:
            return await asyncio.wait_for(future, timeout=max(timeout_s, 0.001))
        except TimeoutError:
            self._kill(pool)
            raise WhoisError("timeout", domain) from None

    def _kill(self, pool: ProcessPoolExecutor) -> None:
        processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way to stop one task
        for process in processes:
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        if self._pool is pool:
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class WhoisClient:
    """Looks up registration dates over port 43 (see the module docstring for the steps)."""

    def __init__(self, overrides: Mapping[str, tuple[str, int]] | None = None, *, timeout_s: float = 8.0,
                 per_server_limit: int = 4, follow_referrals: bool = True, query_budget: int = QUERY_BUDGET,
                 resolve: Resolver = _system_resolve) -> None:
        assert timeout_s > 0 and per_server_limit > 0 and query_budget > 0
        self._overrides = {k.lower().strip("."): v for k, v in (overrides or {}).items()}
        self._timeout_s = timeout_s
        self._per_server_limit = per_server_limit
        self._follow_referrals = follow_referrals
        self._limits: dict[str, asyncio.Semaphore] = {}  # server host name -> its concurrency bound
        self._iana_servers: dict[str, str] = {}  # tld -> registry server, as IANA answered
        self._budget = query_budget
        self._spent: dict[str, tuple[int, int]] = {}  # server -> (minute of the loop clock, queries in it)
        self._resolve = resolve
        self._parser = _ParserProcess()

    def start(self) -> None:
        """Starts the parser's worker process in the background."""
        self._parser.warm()

    def close(self) -> None:
        """Stops the parser's worker process."""
        self._parser.close()

    async def _parse(self, domain: str, text: str, is_registry: bool, deadline: float) -> _Reply:
        remaining = deadline - asyncio.get_running_loop().time()
        return await self._parser.parse(domain, _parseable(text), is_registry, remaining)

    def has_server(self, domain: str) -> bool:
        """Reports whether a registry server for domain's TLD is known without asking IANA."""
        return self._override_for(domain) is not None or domain.rsplit(".", 1)[-1] in DEFAULT_SERVERS

    async def lookup(self, domain: str) -> DomainAge:
        """Returns what WHOIS says about the registrable domain; failures come back as FAILED values."""
        assert is_public_domain(domain), domain
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        try:
            server = await self._registry_for(domain, deadline)
            if server is None:
                return DomainAge(domain, Registration.FAILED, source="whois", error="no_whois_server")
            text = await self._ask(server, domain, deadline)
        except WhoisError as exc:
            return DomainAge(domain, Registration.FAILED, source="whois", server=exc.server, error=exc.reason)
        if not text.strip():
            return DomainAge(domain, Registration.FAILED, source="whois", server=server, error="empty_reply")
        try:
            reply = await self._parse(domain, text, True, deadline)
        except WhoisError as exc:
            return DomainAge(domain, Registration.FAILED, source="whois", server=server, error=exc.reason)
        if reply.found is False:
            return DomainAge(domain, Registration.UNREGISTERED, source="whois", server=server)
        created = parse_registry_date(reply.created)
        used = server
        referral = _referral_in(_parseable(text)) if self._follow_referrals else None
        if created is None and referral and referral != server and loop.time() < deadline:
            try:
                registrar_text = await self._ask(referral, domain, deadline)
                registrar = await self._parse(domain, registrar_text, False, deadline)
            except WhoisError as exc:
                log.info("whois referral %s for %s failed: %s", referral, domain, exc.reason)
            else:
                registrar_created = parse_registry_date(registrar.created)
                if registrar_created is not None:
                    created, used = registrar_created, referral
        if created is not None:
            return DomainAge(domain, Registration.REGISTERED, created, source="whois", server=used)
        if reply.found:
            return DomainAge(domain, Registration.HIDDEN, source="whois", server=server)
        return DomainAge(domain, Registration.FAILED, source="whois", server=server, error="unparseable")

    # ---------------------------------------------------------------- servers

    def _override_for(self, domain: str) -> tuple[str, int] | None:
        labels = domain.split(".")
        for i in range(1, len(labels)):  # longest suffix first: "com.kz" before "kz"
            hit = self._overrides.get(".".join(labels[i:]))
            if hit is not None:
                return hit
        return None

    async def _registry_for(self, domain: str, deadline: float) -> str | None:
        override = self._override_for(domain)
        if override is not None:
            return f"{override[0]}:{override[1]}"
        tld = domain.rsplit(".", 1)[-1]
        if tld in DEFAULT_SERVERS:
            return DEFAULT_SERVERS[tld]
        if tld not in self._iana_servers:
            text = await self._ask(IANA, tld, deadline)
            host = _referral_in(_parseable(text))
            if host is None:
                return None
            self._iana_servers[tld] = host
        return self._iana_servers[tld]

    def _address_of(self, server: str) -> tuple[str, int, bool]:
        """Returns host, port and whether the operator configured it (an override: any address is fine)."""
        if server in self._overrides:
            return (*self._overrides[server], True)
        host, sep, port = server.rpartition(":")
        if sep and port.isdigit():  # only ever an override target, formatted by _registry_for
            return host, int(port), True
        return server, WHOIS_PORT, False

    def _spend(self, server: str, now: float) -> None:
        minute = int(now // 60)
        window, used = self._spent.get(server, (minute, 0))
        if window != minute:
            window, used = minute, 0
        if used >= self._budget:
            raise WhoisError("budget", server)
        if len(self._spent) > 10_000:  # referral names come from replies: keep the table bounded
            self._spent.clear()
        self._spent[server] = (window, used + 1)

    async def _ask(self, server: str, query: str, deadline: float) -> str:
        host, port, configured = self._address_of(server)
        limit = self._limits.setdefault(server, asyncio.Semaphore(self._per_server_limit))
        now = asyncio.get_running_loop().time()
        remaining = deadline - now
        if remaining <= 0:
            raise WhoisError("timeout", server)
        self._spend(server, now)
        try:
            async with asyncio.timeout(remaining):
                if not configured:
                    # A name from a table or a reply: connect only to a public address it resolves to,
                    # pinned, so a referral cannot point us at loopback or the private network.
                    try:
                        addresses = [a for a in await self._resolve(host) if _is_public_address(a)]
                    except OSError as exc:
                        raise WhoisError("connect", server) from exc
                    if not addresses:
                        raise WhoisError("refused_host", server)
                    host = addresses[0]
                async with limit:
                    return await fetch_whois(host, port, query, timeout_s=remaining)
        except TimeoutError as exc:
            raise WhoisError("timeout", server) from exc


def _referral_in(text: str) -> str | None:
    """Returns the host name a reply refers to (registrar or registry server), or None. A value that is
    not a public host name (an IP literal, a URL with a port, garbage) is ignored: replies do not choose
    where we connect beyond a name on port 43."""
    for match in _REFERRAL.finditer(text):
        host = match["host"].lower()
        for prefix in ("whois://", "rwhois://"):
            host = host.removeprefix(prefix)
        host = host.rstrip("/").rstrip(".")
        if is_public_domain(host):
            return host
    return None


def _parse_reply(domain: str, text: str, is_registry: bool) -> _Reply:
    """Returns whether a reply says the name exists and its raw creation value. Runs in a thread:
    python-whois's parsers are sync and regex-heavy."""
    if is_kaznic_text(text):
        record = parse_kz(text)
        return _Reply(found=record.found if is_registry or record.found else None, created=record.created)
    if _NOT_FOUND.search(text) and not _CREATED.search(text):
        return _Reply(found=False if is_registry else None, created=None)
    created: object = None
    try:
        entry = whois_parser.WhoisEntry.load(domain, text)
        created = entry.get("creation_date")
    except whois_parser.WhoisDomainNotFoundError:
        return _Reply(found=False if is_registry else None, created=None)
    except Exception:  # noqa: BLE001 - any parser failure falls back to our own line reader below
        created = None
    if parse_registry_date(created) is None:
        created = [m["value"] for m in _CREATED.finditer(text)] or None
    named = re.search(r"^\s*Domain Name\s*:", text, re.IGNORECASE | re.MULTILINE) is not None
    return _Reply(found=True if (created is not None or named) else None, created=created)
