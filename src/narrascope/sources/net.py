"""Which addresses narrascope may connect to, and a URL pinned to one checked address.

A feed or page is hostile: it can name any URL, and a host name can resolve to an internal address (or to a
public one at the check and an internal one at the connect: DNS rebinding). So every host is resolved here,
EVERY address it resolves to is checked, and the request then goes to the checked address itself (the URL's
host is kept for the Host header and for TLS: SNI and certificate check), never resolved a second time.

Refused always: non-http(s) schemes, link-local addresses (169.254.0.0/16 and fe80::/10, where most cloud
metadata services live), every known cloud metadata endpoint outside them (`METADATA`: AWS's fd00:ec2::254,
Alibaba's 100.100.100.200, Oracle's 192.0.0.192, Google's fd20:ce::254, Azure's 168.63.129.16, ...) and the
metadata host names (`METADATA_NAMES`), also when an IPv6 address carries one of them inside (IPv4-mapped,
IPv4-compatible, NAT64, 6to4, Teredo), and unspecified, multicast and reserved ranges. Refused unless
`allow_private` (for tests and intranet feeds): loopback and private ranges (10/8, 172.16/12, 192.168/16,
fc00::/7, 100.64/10, ...).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from narrascope.errors import NarrascopeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL = 4000


class FetchError(NarrascopeError):
    """A URL that cannot or may not be fetched; the message is one line naming the URL and the reason."""


class RefusedError(FetchError):
    """A URL narrascope must not fetch: not http(s), or an address it may not connect to."""


class SkippedError(FetchError):
    """A URL left alone on purpose (robots.txt disallows it, or the round's time is up): not a failure."""


# Cloud metadata endpoints outside the link-local ranges (those are refused whole): refused even with
# --allow-private, which opens loopback and private ranges to intranet feeds.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254", "169.254.170.2", "169.254.170.23", "169.254.0.23", "169.254.42.42",  # (link-local too)
        "fd00:ec2::254", "fd00:ec2::23",  # AWS IMDS and EKS pod identity over IPv6
        "fd20:ce::254",  # Google Compute Engine over IPv6
        "fd00:c1::a9fe:a9fe",  # Oracle Cloud over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "168.63.129.16",  # Azure WireServer
        "100.96.0.96",  # Tencent Cloud (metadata.tencentyun.com in some regions)
    )
)  # fmt: skip
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
     "metadata.tencentyun.com", "metadata.azure.com", "metadata.packet.net", "metadata.platformequinix.com"}
)  # fmt: skip
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4, Teredo client), or None."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    packed = int(address)
    if address in _NAT64 or (packed >> 32 == 0 and packed > 1):  # NAT64 well-known prefix, or ::a.b.c.d
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why narrascope must not connect to `address`, or None when it may."""
    inner = embedded_ipv4(address)
    if inner is not None and (inner in METADATA or inner.is_link_local):
        return address_problem(inner, allow_private=allow_private)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped, allow_private=allow_private)
    if address.is_link_local:
        return "a link-local address (where cloud metadata services live); always refused"
    if address in METADATA:
        return "a cloud metadata address; always refused"
    if allow_private and address.is_loopback:
        return None
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "an unspecified, multicast or reserved address"
    if allow_private:
        return None
    if address.is_loopback:
        return "a loopback address (pass --allow-private to fetch from this machine)"
    if address.is_private or not address.is_global:
        return "a private address (pass --allow-private to fetch from an internal network)"
    return None


@dataclass(frozen=True)
class Pinned:
    """A URL with its host replaced by one checked address; `host_header` and `sni` keep the real name."""

    url: str
    host_header: str
    sni: str | None
    address: str
    extensions: dict[str, str] = field(default_factory=dict)


def split_checked(url: str) -> tuple[str, str, int]:
    """Scheme, host (lower case, no brackets) and port of an http(s) URL, or FetchError."""
    if len(url) > MAX_URL:
        raise FetchError(f"{url[:80]}...: URL over {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise RefusedError(f"{url}: only http and https URLs are fetched, not {scheme or 'a relative URL'}")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(f"{url}: the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedError(f"{url}: URLs with user names or passwords are not fetched")
    return scheme, host, port or DEFAULT_PORTS[scheme]


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise FetchError(f"cannot resolve {host}: no address")
    return found


def pin(url: str, *, allow_private: bool) -> Pinned:
    """Check `url` and every address of its host; the URL to connect to the first one (FetchError if any is bad)."""
    scheme, host, port = split_checked(url)
    if host.rstrip(".") in METADATA_NAMES:
        raise RefusedError(f"{url}: refused: {host} is a cloud metadata host name; always refused")
    try:
        addresses = resolve(host, port)
    except FetchError as exc:
        raise FetchError(f"{url}: {exc}") from None
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem is not None:
            name = f"{address} is" if str(address) == host else f"{host} resolves to {address},"
            raise RefusedError(f"{url}: refused: {name} {problem}")
    chosen = addresses[0]
    parts = urlsplit(url)
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = literal if port == DEFAULT_PORTS[scheme] else f"{literal}:{port}"
    pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    sni = host if scheme == "https" and not _is_literal(host) else None
    return Pinned(pinned, host_header, sni, str(chosen), {"sni_hostname": sni} if sni else {})


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_key(url: str) -> str:
    """The per-host key for politeness (rate limit, concurrency, robots.txt): scheme, host and port."""
    scheme, host, port = split_checked(url)
    return f"{scheme}://{host}:{port}"
