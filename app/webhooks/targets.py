"""Where a webhook may be sent: http(s) only, never to private or internal addresses.

A URL is checked when it is registered and again, on freshly resolved
addresses, right before each delivery: a host that resolved to a public
address at registration can later resolve to 127.0.0.1 (DNS rebinding). The
delivery then connects to the address that was checked, not to a second
lookup, so nothing can change in between.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.config import get_settings
from app.i18n import _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The URL is not a public http(s) address; the message is for the user."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address to connect to


def is_forbidden_address(ip: IPAddress) -> bool:
    """True for loopback, private, link-local, multicast, reserved and other non-public ranges.

    IPv4-mapped (::ffff:10.0.0.1) and 6to4/NAT64 forms are judged by the IPv4
    address they carry.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_forbidden_address(embedded)
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return is_forbidden_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or UnsafeTarget."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(_("Enter a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(_("Only http:// and https:// addresses are allowed."))
    if not parts.hostname:
        raise UnsafeTarget(_("Enter a valid URL."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("The URL must not contain a user name or password."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(_("The host name could not be resolved.")) from exc
    found: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise UnsafeTarget(_("The host name could not be resolved."))
    return found


def check(url: str, *, allow_private: bool | None = None) -> Target:
    """Resolve `url` and return where to connect, or raise UnsafeTarget.

    Every resolved address must be allowed: refusing only some would let an
    attacker's DNS answer alternate between a public and a private address.
    """
    allow = get_settings().webhooks_allow_private if allow_private is None else allow_private
    scheme, host, port = parse_url(url)
    addresses = resolve(host, port)
    if not allow and any(is_forbidden_address(ip) for ip in addresses):
        raise UnsafeTarget(
            _("This address points to a private or internal network and is not allowed.")
        )
    return Target(url=url.strip(), scheme=scheme, host=host, port=port, address=str(addresses[0]))
