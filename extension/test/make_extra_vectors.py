"""Writes vectors/extra.tsv: the canonical form and expressions of tricky URLs, as service/urls.py gives them.

The shared vectors hold Google's documented examples only; these rows add IPv4 notations, IPv6, IDN,
userinfo, ports and invalid hosts, so the JavaScript mirror (extension/lib/urls.js) is checked against the
Python reference on each. Run from the repository root after changing service/urls.py:

    .venv/bin/python extension/test/make_extra_vectors.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service.urls import canonicalize, expressions  # noqa: E402

CASES = [
    # name, url
    ("ipv4-integer", "http://3279880203/blah"),
    ("ipv4-hex-integer", "http://0xC37F000B/"),
    ("ipv4-octal-parts", "http://0300.0177.0.013/x"),
    ("ipv4-hex-parts", "http://0xc3.0x7f.0x0.0xb/"),
    ("ipv4-three-parts", "http://195.127.11/"),
    ("ipv4-two-parts", "http://195.8323083/"),
    ("ipv4-mixed", "http://0xc3.0177.11/"),
    ("ipv4-too-big-part", "http://256.1.1.1/"),
    ("ipv4-last-too-big", "http://1.1.1.256/"),
    ("ipv4-five-parts", "http://1.2.3.4.5/"),
    ("ipv4-bad-octal", "http://09.1.1.1/"),
    ("ipv4-bare-0x", "http://0x.1/"),
    ("ipv4-trailing-dot", "http://127.0.0.1./a"),
    ("ipv4-with-port", "http://127.0.0.1:8080/a?b"),
    ("ipv6-full", "http://[2001:0db8:0000:0000:0000:ff00:0042:8329]/"),
    ("ipv6-short", "http://[2001:DB8::1]:8443/x"),
    ("ipv6-loopback", "http://[::1]/"),
    ("ipv6-v4-mapped", "http://[::ffff:192.0.2.1]/a"),
    ("ipv6-nat64", "http://[64:ff9b::c000:201]/"),
    ("ipv6-zone", "http://[fe80::1%25eth0]/"),
    ("ipv6-zeros-tie", "http://[1:0:0:2:0:0:3:4]/"),
    ("ipv6-unclosed", "http://[::1/x"),
    ("ipv6-invalid", "http://[::g]/"),
    ("ipv6-two-gaps", "http://[1::2::3]/"),
    ("idn-cyrillic", "http://мысал.қаз/төлем"),
    ("idn-mixed-script", "https://kаspi.kz/pay"),
    ("idn-uppercase", "http://ÄPFEL.de/"),
    ("idn-escaped", "http://%D0%BC%D1%8B%D1%81%D0%B0%D0%BB.kz/"),
    ("idn-fullwidth-dot", "http://мысал。kz/"),
    ("idn-emoji", "http://i❤.ws/"),
    ("idn-german-sharp-s", "http://straße.de/"),
    ("userinfo", "http://user:pass@Bank.KZ@evil.top/login"),
    ("userinfo-escaped-at", "http://bank.kz%40evil.top/"),
    ("port-dropped", "https://shop.example:8443/cart?x=1"),
    ("port-empty", "http://shop.example:/"),
    ("no-scheme-port", "shop.example:8080/checkout"),
    ("scheme-relative", "//shop.example/a"),
    ("upper-scheme", "HTTPS://Shop.Example/A"),
    ("non-hierarchical", "mailto:someone@example.com"),
    ("javascript", "javascript:alert(1)"),
    ("empty-host", "http:///path"),
    ("only-dots", "http://.../"),
    ("empty", ""),
    ("spaces-in-host", "http://a b.com/"),
    ("host-bad-utf8", "http://%ff%fe.com/"),
    ("latin1-upper-bad-utf8", "http://%C0%C1.com/"),
    ("query-escapes", "http://a.b/?q=%E2%9C%93&x=%23"),
    ("empty-query", "http://a.b/?"),
    ("deep-path", "http://a.b.c.d.e.f/1/2/3/4/5.html?q"),
    ("dotdot-above-root", "http://a.b/../../x"),
    ("backslash", "http://a.b\\c/"),
    ("leading-space", "  http://a.b/ "),
    ("tab-in-host", "http://a.\tb/"),
    ("fragment-only", "http://a.b#x"),
    ("kaspi-lookalike", "http://kaspi.kz.secure-pay.top/card/verify?id=7"),
]


def main() -> None:
    out = ROOT / "extension" / "test" / "vectors" / "extra.tsv"
    lines = ["name\turl(escapes:\\t)\tcanonical(or !error)\texpressions"]
    for name, url in CASES:
        try:
            canonical, exprs = canonicalize(url), " ".join(expressions(url))
        except ValueError:
            canonical, exprs = "!error", ""
        lines.append("\t".join([name, url.replace("\t", "\\t"), canonical, exprs]))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} rows to {out}")


if __name__ == "__main__":
    main()
