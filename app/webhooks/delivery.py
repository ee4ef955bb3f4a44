"""Signing and sending one webhook request.

Receivers verify `X-Portal-Signature: t=<unix time>,v1=<hex>` where v1 is
HMAC-SHA256(secret, f"{t}.{body}") and reject old timestamps (replay). The
request goes to the address checked by `targets.check`, with the original
Host header and TLS server name, and never follows redirects (a redirect to
an internal address would bypass the check).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.webhooks.targets import Target

TIMEOUT_SECONDS = 10.0
USER_AGENT = "InitiativePortal-Webhooks/1"


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(
        secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (documented on the endpoint page; the tests use it)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def send(
    target: Target, secret: str, event_type: str, delivery_uid: str, payload: dict[str, Any]
) -> Outcome:
    body = body_of(payload)
    timestamp = int(time.time())
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "Host": target.host if target.port == default_port else f"{target.host}:{target.port}",
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": event_type,
        "X-Portal-Delivery": delivery_uid,
        "X-Portal-Signature": f"t={timestamp},v1={sign(secret, timestamp, body)}",
    }
    url = httpx.URL(target.url).copy_with(host=target.address)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    started = time.monotonic()
    try:
        with httpx.Client(
            timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
        ) as client:
            response = client.post(url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(None, elapsed, f"{type(exc).__name__}: {exc}"[:500])
    elapsed = int((time.monotonic() - started) * 1000)
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Outcome(response.status_code, elapsed, error)
