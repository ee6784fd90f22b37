"""A Web Push service on 127.0.0.1 for tests and benchmarks, checking what a real one checks.

Each request must carry a VAPID JWT (RFC 8292) signed by the app's key for this origin, and an
aes128gcm body (RFC 8291) that decrypts with the subscription's private key, which the service
makes like a browser would (its own P-256 pair and auth secret). A request that fails a check
is answered 400/401/403 and noted in `errors`. Answers can be scripted per subscription, and a
request can be held unanswered (to kill the sender mid-send). A message with the Topic of one
still pending for the same subscription replaces it, as RFC 8030 §5.4 has it: `shown` holds
what a device would finally show.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_JWT_LIFETIME_SECONDS = 24 * 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """What a browser hands the page after subscribing: an endpoint and its public keys."""

    endpoint: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    path: str


@dataclass(frozen=True)
class Received:
    """One accepted push: decrypted payload, headers and the verified JWT's claims."""

    path: str
    payload: dict[str, Any]
    headers: dict[str, str]
    claims: dict[str, Any]
    at: float  # time.time() when decrypted


class PushService:
    def __init__(self, app_public_key: str):
        self.app_public_key = app_public_key
        self._subscriptions: dict[str, BrowserSubscription] = {}
        self._answers: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._lock = threading.Lock()
        self.received: list[Received] = []  # every message that passed the checks, in order
        self.shown: dict[tuple[str, str], Received] = {}  # (path, topic) -> latest, topics replace
        self.errors: list[str] = []
        self.requests = 0
        self.hold_next: threading.Event | None = None  # set to hold the next request until it is set
        self.holding = threading.Event()  # set while a request is held
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold_next is not None:
            self.hold_next.set()
        self._server.shutdown()
        self._server.server_close()

    def subscribe(self) -> BrowserSubscription:
        """A new subscription, as `PushManager.subscribe()` would make it."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        path = f"/push/{uuid.uuid4().hex}"
        subscription = BrowserSubscription(
            endpoint=self.origin + path,
            p256dh=b64url(public),
            auth=b64url(uuid.uuid4().bytes),
            private_key=private_key,
            path=path,
        )
        with self._lock:
            self._subscriptions[path] = subscription
        return subscription

    def answer(self, subscription: BrowserSubscription, status: int, **headers: str) -> None:
        """Answer the subscription's next request with `status` (after checking it), instead of 201."""
        with self._lock:
            self._answers.setdefault(subscription.path, []).append((status, headers))

    def payloads(self, subscription: BrowserSubscription | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [r.payload for r in self.received if subscription is None or r.path == subscription.path]

    def wait_for(self, count: int, *, timeout: float, what=None) -> list[Received]:
        """Poll until `count` messages were received (or fail with what was seen)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(
            f"push service received {len(self.received)} of {count} messages in {timeout} s; "
            f"errors: {self.errors}; {what() if what else ''}"
        )

    # -- the HTTP side --------------------------------------------------------------------------

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                service._handle(self)

            def log_message(self, *args):
                pass

        return Handler

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        with self._lock:
            self.requests += 1
            hold, self.hold_next = self.hold_next, None
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            received = self._check(request.path, headers, body)
        except _Refusal as refusal:
            with self._lock:
                self.errors.append(f"{refusal.status}: {refusal}")
            return self._reply(request, refusal.status)
        if hold is not None:
            # Held unanswered: the sender is expected to die before this returns.
            self.holding.set()
            hold.wait()
            return
        with self._lock:
            scripted = self._answers.get(request.path)
            status, extra = scripted.pop(0) if scripted else (201, {})
            if status == 201:
                self.received.append(received)
                self.shown[(received.path, received.headers.get("topic", ""))] = received
        self._reply(request, status, extra)

    def _reply(self, request: BaseHTTPRequestHandler, status: int, headers: dict[str, str] | None = None) -> None:
        try:
            request.send_response(status)
            for name, value in (headers or {}).items():
                request.send_header(name.replace("_", "-"), value)
            request.send_header("Content-Length", "0")
            request.end_headers()
        except OSError:
            pass  # the sender is gone

    def _check(self, path: str, headers: dict[str, str], body: bytes) -> Received:
        subscription = self._subscriptions.get(path)
        if subscription is None:
            raise _Refusal(404, f"no subscription at {path}")
        claims = self._verified_claims(headers.get("authorization", ""))
        if headers.get("content-encoding") != "aes128gcm":
            raise _Refusal(400, f"content-encoding {headers.get('content-encoding')!r}, not aes128gcm")
        if not headers.get("ttl", "").isdigit():
            raise _Refusal(400, "no TTL header")
        try:
            plain = http_ece.decrypt(
                body, private_key=subscription.private_key, auth_secret=unb64url(subscription.auth), version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - any failure to decrypt is the sender's fault
            raise _Refusal(400, f"payload does not decrypt: {exc!r}") from None
        return Received(path=path, payload=payload, headers=headers, claims=claims, at=time.time())

    def _verified_claims(self, authorization: str) -> dict[str, Any]:
        scheme, _, params = authorization.partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme.lower() != "vapid" or "t" not in fields or "k" not in fields:
            raise _Refusal(401, f"Authorization is not 'vapid t=…, k=…': {authorization[:60]!r}")
        if fields["k"] != self.app_public_key:
            raise _Refusal(403, "signed with a key other than the app's")
        token = fields["t"]
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header, claims = json.loads(unb64url(header_b64)), json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except ValueError:
            raise _Refusal(401, "malformed JWT") from None
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise _Refusal(401, f"JWT is not ES256: {header}")
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            key.verify(der, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise _Refusal(403, "JWT signature does not verify") from None
        now = time.time()
        if claims.get("aud") != self.origin:
            raise _Refusal(403, f"JWT aud {claims.get('aud')!r} is not {self.origin}")
        if not now < claims.get("exp", 0) <= now + MAX_JWT_LIFETIME_SECONDS:
            raise _Refusal(403, f"JWT exp {claims.get('exp')} is not within 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise _Refusal(403, f"JWT sub {claims.get('sub')!r} is no contact URI")
        return claims


class _Refusal(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)
