"""Where TickIt posts to (Web Push, webhooks): public https hosts only, so a subscription or a
webhook cannot aim this server at itself, its network or a cloud metadata service (server-side
request forgery). An admin may allow one webhook a private address, http included (a receiver
inside the network); that is the only exception besides TICKIT_PUSH_ALLOWED_HOSTS.

The rule is applied three times: when a browser subscribes (the endpoint's host is resolved and
every address it has is checked), again before each send (DNS may have changed since), and on the
socket itself once connected, so a name that resolves to a public address for the check and to an
internal one for the connection (DNS rebinding) is still refused before a byte is sent. Redirects
are never followed. Hosts named in TICKIT_PUSH_ALLOWED_HOSTS (tests and local development, never
production) are exempt, plain http included.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tickit.config import get_settings

# Not covered by `is_global`: the IETF protocol block holding Oracle Cloud's metadata service
# (192.0.0.192), and NAT64's local-use prefix (RFC 8215), which can translate to any IPv4 address.
_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("64:ff9b:1::/48"))
# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address actually reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"https": 443, "http": 80}


class UnsafeEndpoint(Exception):
    """The endpoint is not a public https address; no request is, or will ever be, sent to it."""


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not private, loopback, link-local
    (cloud metadata at 169.254.169.254), shared, reserved or multicast, nor one of those
    wrapped in an IPv6 form (IPv4-mapped, 6to4, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast and not any(ip in network for network in _NOT_PUBLIC)


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (raises OSError when it does not resolve)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _allowed(host: str) -> bool:
    return host.lower().rstrip(".") in get_settings().push_allowed_hosts


def refusal(endpoint: str, *, allow_private: bool = False) -> str | None:
    """Why this server will not post to `endpoint` (a sentence for the subscriber), or None.

    `allow_private` accepts any address, and http as well as https. Raises OSError when the host
    does not resolve now, which may pass.
    """
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "The endpoint is not a valid URL."
    if not host:
        return "The endpoint is not a valid URL."
    if (allow_private or _allowed(host)) and parts.scheme in _DEFAULT_PORTS:
        return None
    if parts.scheme != "https":
        return "The endpoint must be an https URL."
    addresses = [host] if _is_ip(host) else resolve(host, port or _DEFAULT_PORTS["https"])
    if not addresses or not all(is_public(address) for address in addresses):
        return f"The endpoint must be on the public internet; {host} is not."
    return None


def check(endpoint: str, *, allow_private: bool = False) -> None:
    """Raise UnsafeEndpoint unless `endpoint` may be posted to (OSError when its host does not resolve)."""
    reason = refusal(endpoint, allow_private=allow_private)
    if reason is not None:
        raise UnsafeEndpoint(reason)


def _vetted(connection: HTTPConnection, sock: socket.socket) -> socket.socket:
    # The address actually connected to, whatever DNS said at the check.
    peer = sock.getpeername()[0]
    if not (_allowed(connection.host) or is_public(peer)):
        sock.close()
        raise UnsafeEndpoint(f"{connection.host} resolved to a non-public address when connecting.")
    return sock


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _vetted(self, super()._new_conn())


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _vetted(self, super()._new_conn())


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


class _NoRedirects(requests.Session):
    # A push service or webhook receiver answers a delivery itself; a redirect could only lead somewhere unchecked.
    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)


def http_session(*, allow_private: bool = False) -> requests.Session:
    """A requests session that connects only to public addresses (or allowed hosts) and follows no redirect.

    `allow_private` lifts the address rule; redirects are still not followed.
    """
    session = _NoRedirects()
    if allow_private:
        return session
    adapter = _PublicOnlyAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
