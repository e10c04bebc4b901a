"""Signals to a verdict: a pure function with explicit weights.

Input is a `Facts` value (everything known about one URL); output is an `Assessment` (level, 0-100 risk
score, one `Reason` per contributing signal). No I/O, no clock: the protected brands come in the facts
(loaded once by the engine), and the lexical, look-alike and slow signals (`service.signals.slow`) are pure
functions that return findings — a code and its evidence. Only this module weighs: `WEIGHTS` is the one
table of severities and weights. Example::

    score(Facts(url=parse("http://kaspi-kz.top/pay"), registrable_domain="kaspi-kz.top", brands=brands,
                context=PageContext(payment_form=True, asks_for=("card",))))
    -> Assessment(Level.DANGEROUS, 90, (
         Reason("lookalike.brand_keyword", HIGH, 45, {"brand": "Kaspi.kz", "official": "kaspi.kz", "keyword": "kz"}),
         Reason("lexical.suspicious_tld", LOW, 15, {"tld": "top"}),
         Reason("context.asks_card", HIGH, 10, {"asks_for": ["card"], "payment_form": True})))

The cascade (docs/scoring.md has the reasoning and the measured rates):

    list hit                              -> blocked      (score 100)
    allowlist hit / official brand domain -> trusted      (score 0)
    look-alike + page asks for card/code  -> dangerous    (score >= 90)
    risk score >= SUSPICIOUS_AT           -> suspicious
    risk score >= UNVERIFIED_AT, or a payment page on a young / unknown-age domain -> unverified
    otherwise                             -> no_known_risk (never "safe")

The risk score is the sum of the weights of the reasons (capped at 100). A young domain alone weighs
less than SUSPICIOUS_AT and is never `dangerous`: honest new shops exist (design.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.brands import Brands
from service.platforms import Placement, Where
from service.signals.lexical import Finding, lexical_findings
from service.signals.lookalike import account_name_findings, lookalike_findings
from service.urls import CanonicalURL, public_suffix
from service.verdicts import Level, ListHit, PageContext, Reason, Severity

__all__ = ["Facts", "Assessment", "score", "WEIGHTS", "SUSPICIOUS_AT", "UNVERIFIED_AT", "DANGEROUS_FLOOR",
           "POPULAR_DAMPING"]

_H, _M, _L, _I = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

# The one weights table: reason code -> (severity, weight in risk points). Reasoning in docs/scoring.md.
WEIGHTS: dict[str, tuple[Severity, int]] = {
    # look-alikes of protected brands (service.signals.lookalike); at most one per URL
    "lookalike.homoglyph": (_H, 60),  # letters from another alphabet spell a brand: no honest reason
    "lookalike.other_tld": (_H, 50),  # kaspi.com, homebank.kz.com
    "lookalike.brand": (_H, 45),  # a misspelt brand: kaspii.kz, paypa1.com
    "lookalike.brand_keyword": (_H, 45),  # brand + scam word or country: kaspi-kz, halyk-bonus, egov-shtraf
    "lookalike.brand_in_subdomain": (_H, 45),  # olx-kz.deal.online, kaspi.kz.secure-pay.top
    "lookalike.brand_token": (_M, 40),  # mykaspishop.com: 18x more common in phishing than in Tranco
    "lookalike.account_name": (_H, 45),  # instagram.com/kaspi.sale.bonus: fires on 2 of 1,794 real handles
    # identities on platforms (service.platforms): judged as themselves, never with the platform's trust
    "identity.account": (_M, 20),  # nobody verified it: caution (unverified), do not prepay
    "identity.listing": (_M, 20),
    "identity.page": (_M, 20),
    "identity.invite": (_M, 20),
    "identity.phone": (_M, 20),
    "platform.other_page": (_I, 0),  # an unknown page of a platform: not trusted, not evidence either
    "rule.olx": (_I, 0),  # the marketplace's own payment rule, shown with its listings
    "rule.kolesa": (_I, 0),
    "rule.krisha": (_I, 0),
    # the address itself (service.signals.lexical)
    "lexical.mixed_script": (_H, 30),  # Latin and Cyrillic letters in one label
    "lexical.userinfo": (_H, 35),  # http://kaspi.kz@evil.top/: the real host is after the @
    "lexical.ip_host": (_M, 30),  # shops and banks have names
    "lexical.fake_tld_label": (_M, 20),  # paypal.com-secure.info, kaspi.kz.pay.top
    "lexical.free_tld": (_M, 40),  # former Freenom zones: 100-470x more common among phishing than in Tranco
    "lexical.suspicious_tld": (_L, 10),  # cheap zones: only 1.6x enriched in phishing (bench/evaluate)
    "lexical.keyword": (_L, 15),  # oplata, dostavka, verify, login ...
    "lexical.keywords": (_M, 30),  # two or more different ones: secure-login-verify
    "lexical.free_hosting": (_M, 30),  # anyone can publish there: 6.8% of phishing domains, 0.06% of Tranco
    "lexical.shortener": (_L, 10),  # hides the destination
    "lexical.app_file": (_M, 30),  # the URL is an .apk / .exe: fake bank and delivery apps (issue 13)
    # a shortener's redirect chain, followed by the checker (service.redirects)
    "redirect.followed": (_I, 0),  # the verdict is of the destination; this says which short link led there
    "redirect.private_address": (_H, 35),  # a public short link pointing into a private network
    "redirect.unresolved": (_I, 0),  # loop, too many hops, timeout: the destination is unknown, never safe
    "lexical.port": (_L, 10),
    "lexical.many_hyphens": (_L, 10),
    "lexical.many_labels": (_M, 25),  # 2% of phishing domains, no Tranco domain
    "lexical.long_label": (_L, 15),
    "lexical.random_label": (_L, 10),
    # slow signals (service.signals.slow.slow_findings): registration and DNS
    "domain.young": (_M, 25),  # alone -> unverified, never more
    "domain.recent": (_L, 5),  # 30-180 days: most honest shops are older, but many are not
    "domain.unregistered": (_H, 40),
    "domain.lookup_failed": (_I, 0),  # unknown is never safe, but not evidence either
    "domain.registration_hidden": (_I, 0),
    "domain.age_unknown": (_I, 0),  # the age lookup missed the deadline (Facts.pending)
    "dns.nxdomain": (_M, 15),
    "dns.private_address": (_H, 35),  # a public site pointing into a private network
    "dns.fast_flux": (_M, 25),
    "dns.kz_hosted_abroad": (_M, 20),  # .kz must be hosted in KZ (KazNIC rules, kz-context §3)
    "dns.no_mx": (_L, 5),
    "dns.no_answer": (_L, 10),  # the name exists but has no address: nothing to buy from there
    "dns.servfail": (_L, 5),  # the site's own DNS servers fail
    "dns.timeout": (_I, 0),  # our lookup failed: unknown is never safe, but not evidence either
    # page context from the extension: raises the stakes, see _level()
    "context.asks_card": (_H, 10),
    "context.asks_code": (_H, 10),
    # the payment moment read from the page (extension/lib/pagereader.js, issue 13): money to a private person
    # is what a fake shop wants; alone each is `unverified` ("do not prepay"), see _level() for `dangerous`
    "context.transfer_card": (_H, 25),  # "100% предоплата на Kaspi Gold 4400 …"
    "context.transfer_phone": (_H, 25),  # "Kaspi перевод по номеру +7 701 …"
    "context.transfer_iban": (_M, 20),  # an IBAN of a recipient without a valid BIN next to it
    "context.messenger_only": (_M, 20),  # orders only through WhatsApp / Direct, no checkout, money first
    "context.refund_pattern": (_H, 40),  # send money or a code to *receive* money: no honest page does this
    "context.prepayment": (_L, 5),  # prepayment / pay the manager / send the receipt, with the above
    "context.pressure": (_L, 5),  # today only, countdowns, far below the crossed-out price, with the above
    "context.app_download": (_H, 30),  # an .apk / .exe from this site: fake bank and delivery apps steal codes
    # a ranking of popular sites (a feed of category "popular"): damps, never blocks nor clears a list hit
    "popularity.listed": (_I, 0),
}

# A host on a popularity ranking has been around and linked to for long: the weights of its look-alike,
# lexical and registration reasons are multiplied by this (the page-context reasons are not).
POPULAR_DAMPING = 0.5
_DAMPED = ("lookalike.", "lexical.", "domain.")
SUSPICIOUS_AT = 40  # risk points: two independent signals, or one look-alike
UNVERIFIED_AT = 20  # risk points: one medium signal (a young domain, an IP host)
DANGEROUS_FLOOR = 90  # the score shown for a dangerous verdict is at least this

_CARD_ASKS = frozenset({"card", "cvv", "expiry"})
_CODE_ASKS = frozenset({"sms_code", "otp", "password", "iin"})
# Page-reader codes (PageContext.ASKS) -> the reason each one contributes; every reason's evidence lists its codes.
_MOMENT_REASONS = {
    "transfer_card": "context.transfer_card", "transfer_phone": "context.transfer_phone",
    "transfer_iban": "context.transfer_iban", "messenger_only": "context.messenger_only",
    "refund_pattern": "context.refund_pattern", "app_download": "context.app_download",
}
_DEMAND_ASKS = frozenset({"prepayment", "pay_manager", "send_receipt", "private_recipient"})
# A transfer to a private person on a young domain or a look-alike is the fake shop itself (issue 13).
_PRIVATE_TRANSFER = frozenset({"context.transfer_card", "context.transfer_phone"})
_UNKNOWN_AGE = frozenset({"domain.lookup_failed", "domain.registration_hidden", "domain.unregistered",
                          "domain.age_unknown"})


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything known about one URL when it is scored.

    The checker fills url, registrable_domain and the list hits; slow_findings are what
    `service.signals.slow.slow_findings` found in the domain-age and DNS facts (empty when offline or not yet
    known); slow_reasons are reasons the checker itself adds (a short link's chain), re-weighed here.
    """

    url: CanonicalURL
    registrable_domain: str
    list_hits: tuple[ListHit, ...] = ()
    allow_hits: tuple[ListHit, ...] = ()
    context: PageContext | None = None
    offline: bool = False
    slow_reasons: tuple[Reason, ...] = ()  # the checker's own reasons; weights are re-read from WEIGHTS
    raw_url: str = ""  # the URL as given: only it still shows userinfo and the port
    pending: tuple[str, ...] = ()  # slow signals that missed the deadline ("domain_age", "dns")
    brands: Brands = Brands(())  # protected brands (the engine's); default: none
    slow_findings: tuple[Finding, ...] = ()  # domain.* / dns.* findings, weighed from WEIGHTS
    placement: Placement | None = None  # where the URL sits on a platform (service.platforms.place), if it does
    popular: tuple[ListHit, ...] = ()  # this host on a ranking of popular sites (a "popular" feed)


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    score: int
    reasons: tuple[Reason, ...]


def reason(code: str, evidence: dict[str, Any], weight: int | None = None) -> Reason:
    """Returns the Reason for a code with its severity and weight from WEIGHTS (unknown codes: info, weight)."""
    severity, table_weight = WEIGHTS.get(code, (Severity.INFO, 0))
    if code not in WEIGHTS and weight is not None:
        severity = Severity.LOW if weight < 20 else Severity.MEDIUM if weight < 40 else Severity.HIGH
        return Reason(code, severity, weight, evidence)
    return Reason(code, severity, table_weight, evidence)


def _from_findings(findings: list[Finding]) -> list[Reason]:
    return [reason(f.code, f.evidence) for f in findings]


def score(facts: Facts) -> Assessment:
    """Returns the verdict level, risk score and reasons for facts."""
    if facts.list_hits:
        listed = tuple(
            Reason(f"list.{hit.category}", Severity.CRITICAL, 100,
                   {"list": hit.list, "category": hit.category, "expression": hit.expression, "source": hit.source})
            for hit in _unique_by_list(facts.list_hits)
        )
        return Assessment(Level.BLOCKED, 100, listed)
    placement = facts.placement
    on_platform = placement is not None and placement.where is not Where.OWN
    identity = placement.identity if placement is not None else None
    allow_hits = facts.allow_hits
    if on_platform:
        # The platform's trust is never lent: only the identity's own allowlist entry trusts it.
        allow_hits = tuple(h for h in allow_hits if identity is not None and h.expression == identity.key)
    if allow_hits:
        hit = allow_hits[0]
        if identity is not None and placement is not None:
            return Assessment(Level.TRUSTED, 0, (Reason("allowlist.identity", Severity.INFO, 0, {
                "list": hit.list, "expression": hit.expression, "platform": placement.platform.name,
                "kind": identity.kind, "key": identity.key}),))
        return Assessment(Level.TRUSTED, 0, (Reason("allowlist.official", Severity.INFO, 0,
                                                     {"list": hit.list, "expression": hit.expression}),))
    brands = facts.brands
    host = facts.url.host
    official = None if on_platform else brands.official_brand(host)
    if official is not None:
        return Assessment(Level.TRUSTED, 0, (Reason("brand.official", Severity.INFO, 0,
                                                     {"brand": official.name, "official": official.primary}),))

    suffix = public_suffix(host)
    reasons = _from_findings(lookalike_findings(host, facts.registrable_domain, suffix, brands))
    if on_platform and placement is not None:
        reasons += _platform_reasons(placement, brands, has_lookalike=bool(reasons))
    lexical = _from_findings(lexical_findings(facts.url, facts.registrable_domain, suffix, facts.raw_url))
    if identity is not None:  # "a page anyone can make on ..." already says what free hosting would
        lexical = [r for r in lexical if r.code != "lexical.free_hosting"]
    if any(r.code == "lookalike.homoglyph" for r in reasons):  # the same letters: one reason, not two
        lexical = [r for r in lexical if r.code != "lexical.mixed_script"]
    reasons += lexical
    reasons += _from_findings(list(facts.slow_findings))
    reasons += [reason(r.code, r.evidence, r.weight) for r in facts.slow_reasons]
    if "domain_age" in facts.pending and not facts.offline:
        reasons.append(reason("domain.age_unknown", {}))
    if facts.popular:
        reasons = [Reason(r.code, r.severity, int(r.weight * POPULAR_DAMPING), r.evidence)
                   if r.code.startswith(_DAMPED) else r for r in reasons]
        hit = facts.popular[0]
        reasons.append(reason("popularity.listed", {"list": hit.list, "expression": hit.expression,
                                                    "source": hit.source, "licence": hit.licence}))
    has_risk = any(r.weight > 0 or r.code in _UNKNOWN_AGE or r.code == "domain.young" for r in reasons)
    reasons += _context_reasons(facts.context, has_risk=has_risk)
    reasons += _moment_reasons(facts.context)

    risk = min(100, sum(r.weight for r in reasons))
    level = _level(reasons, risk, facts)
    if level is Level.DANGEROUS:
        risk = max(risk, DANGEROUS_FLOOR)
    reasons.sort(key=lambda r: -r.weight)
    return Assessment(level, risk, tuple(reasons))


def _platform_reasons(placement: Placement, brands: Brands, *, has_lookalike: bool) -> list[Reason]:
    """Returns what an identity is (and the brand its name uses, the marketplace's rule), or that the URL is
    an unknown page of the platform."""
    platform = placement.platform
    identity = placement.identity
    if identity is None:
        return [reason("platform.other_page", {"platform": platform.name})]
    evidence: dict[str, Any] = {"platform": platform.name, "platform_id": platform.id, "kind": identity.kind,
                                "key": identity.key}
    if identity.kind == "phone":
        evidence["number"] = identity.key.removeprefix("phone:")
    out = [reason(f"identity.{identity.kind}", evidence)]
    if not has_lookalike and identity.kind in ("account", "page"):
        for name in _identity_names(identity.key):
            found = account_name_findings(name, brands, platform.hosts[0] if platform.hosts else "")
            if found:
                out.append(reason(found[0].code, found[0].evidence))
                break
    if platform.advice:
        out.append(reason(platform.advice, {"platform": platform.name}))
    return out


def _identity_names(key: str) -> list[str]:
    """Returns the names a person chose in an identity key: the handle, the page name, the sub-site."""
    host, _, path = key.partition("/")
    names = []
    last = path.partition("?")[0].rstrip("/").rpartition("/")[2].lstrip("@+")
    if last and not last.isdigit():
        names.append(last)
    if host.count(".") >= 2 and not host.startswith("www."):
        names.append(host.split(".")[0])
    return names


def _context_reasons(context: PageContext | None, *, has_risk: bool) -> list[Reason]:
    """Returns what the page asks for, as reasons, when there is some risk to weigh it against."""
    if context is None or not has_risk:
        return []
    asks = set(context.asks_for)
    out = []
    if context.payment_form or asks & _CARD_ASKS:
        out.append(reason("context.asks_card", {"payment_form": context.payment_form,
                                                "asks_for": sorted(asks & _CARD_ASKS)}))
    if asks & _CODE_ASKS:
        out.append(reason("context.asks_code", {"asks_for": sorted(asks & _CODE_ASKS)}))
    return out


def _moment_reasons(context: PageContext | None) -> list[Reason]:
    """Returns the payment-moment reasons (transfer, messenger-only, refund, app download) of the page.

    Unlike a card form, these are risk on their own: an honest shop does not ask for a transfer to a private
    card. They come after the allowlist, so a bank's help page on transfers is never flagged."""
    if context is None:
        return []
    asks = set(context.asks_for)
    out = [reason(code, {"asks_for": [ask]}) for ask, code in _MOMENT_REASONS.items() if ask in asks]
    if not out:
        return out
    private = "private_recipient" in asks
    if private:
        out = [Reason(r.code, r.severity, r.weight, {**r.evidence, "private_recipient": True}) for r in out]
    demand = sorted(asks & (_DEMAND_ASKS - {"private_recipient"}))
    if demand:
        out.append(reason("context.prepayment", {"asks_for": demand}))
    if context.page_value("pressure"):
        out.append(reason("context.pressure", {}))
    return out


def _level(reasons: list[Reason], risk: int, facts: Facts) -> Level:
    codes = {r.code for r in reasons}
    has_lookalike = any(r.code.startswith("lookalike.") and r.severity is Severity.HIGH for r in reasons)
    asks_money = bool(codes & {"context.asks_card", "context.asks_code"})
    if has_lookalike and asks_money:
        return Level.DANGEROUS  # a protected brand's look-alike asking for a card or a code
    young = "domain.young" in codes
    if (young or has_lookalike) and codes & (_PRIVATE_TRANSFER | {"context.refund_pattern"}):
        return Level.DANGEROUS  # a days-old site or a look-alike wanting money sent to a person, or a "refund"
    if has_lookalike and "context.app_download" in codes:
        return Level.DANGEROUS  # a bank / eGov look-alike handing out an app
    if risk >= SUSPICIOUS_AT:
        return Level.SUSPICIOUS
    if risk >= UNVERIFIED_AT:
        return Level.UNVERIFIED
    context = facts.context
    if context is not None and (context.payment_form or set(context.asks_for) & (_CARD_ASKS | _CODE_ASKS)):
        if "domain.young" in codes or codes & _UNKNOWN_AGE:
            return Level.UNVERIFIED  # a payment page on a young or unknown site: do not prepay
    return Level.NO_KNOWN_RISK


def _unique_by_list(hits: tuple[ListHit, ...]) -> list[ListHit]:
    seen: dict[str, ListHit] = {}
    for hit in hits:
        seen.setdefault(hit.list, hit)
    return list(seen.values())
