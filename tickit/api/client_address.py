"""The address a request comes from, seen through the reverse proxies TickIt trusts.

Only a peer listed in TICKIT_TRUSTED_PROXIES may say who its client is. A proxy appends the
address it saw to the header, so the chain is read from its right end: every trusted hop is
skipped, and the first address that is not a trusted proxy is the client's. Anything to the
left of it was written by that client and could be anything.

X-Forwarded-For is read first because nearly every proxy appends to it (nginx, Caddy, Traefik,
HAProxy) while passing an incoming `Forwarded` header on untouched; `Forwarded` (RFC 7239) is read
only when no X-Forwarded-For arrived, for proxies that speak only it.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from tickit.config import Network, get_settings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: Request) -> str:
    """The client's IP address as text; the peer's own when it is not a trusted proxy."""
    peer = request.client.host if request.client else ""
    trusted = get_settings().trusted_proxies
    if not trusted or not _is_in(_parse(peer), trusted):
        return peer
    chain = _forwarded_chain(request)
    client = peer
    for hop in reversed(chain):
        address = _parse(hop)
        if address is None:
            # A hop a trusted proxy could not name ("unknown", an obfuscated name): the last
            # address we could trust is the best we know.
            break
        client = str(address)
        if not _is_in(address, trusted):
            break
    return client


def _forwarded_chain(request: Request) -> list[str]:
    x_forwarded_for = request.headers.getlist("x-forwarded-for")
    if x_forwarded_for:
        return [hop.strip() for line in x_forwarded_for for hop in line.split(",")]
    hops = []
    for line in request.headers.getlist("forwarded"):
        for element in line.split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.lower() == "for":
                    hops.append(value.strip().strip('"'))
    return hops


def _parse(hop: str) -> IpAddress | None:
    """The address in a hop: bare, "[v6]", "[v6]:port" or "v4:port"; None when it holds none."""
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def _is_in(address: IpAddress | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)
