"""The client's address, as the sign-in throttle and the session list record it.

``X-Forwarded-For`` (and ``X-Forwarded-Proto``) are believed only when the connection
comes from a proxy listed in ``FORWARDED_ALLOW_IPS`` (addresses or networks, comma
separated; ``*`` trusts everyone — only behind a proxy that overwrites the header).
Otherwise anyone could choose the address their attempts are counted under. The
address kept is the right-most one that is not a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The parsed ``FORWARDED_ALLOW_IPS``."""

    everyone: bool
    networks: tuple[Network, ...]
    names: frozenset[str]  # non-IP peers (a unix socket, the test client)

    @classmethod
    def parse(cls, raw: str) -> TrustedProxies:
        networks: list[Network] = []
        names: set[str] = set()
        items = [item.strip() for item in raw.split(",") if item.strip()]
        for item in items:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                names.add(item)
        return cls("*" in names, tuple(networks), frozenset(names - {"*"}))

    def __contains__(self, host: object) -> bool:
        if not isinstance(host, str) or not host:
            return False
        if self.everyone or host in self.names:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def forwarded_client(peer: str, header: str, trusted: TrustedProxies) -> str:
    """The address to believe for a connection from ``peer`` carrying ``header``."""
    if peer not in trusted or not header:
        return peer
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop in trusted:
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # garbage in the header: keep the proxy's own address
    return hops[0] if hops else peer


class ForwardedFor:
    """ASGI middleware: rewrite ``scope['client']`` (and scheme) from trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        self.trusted = TrustedProxies.parse(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            peer = str(scope["client"][0])
            if peer in self.trusted:
                headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
                client = forwarded_client(peer, headers.get("x-forwarded-for", ""), self.trusted)
                scope = dict(scope, client=(client, 0))
                proto = headers.get("x-forwarded-proto", "").strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
