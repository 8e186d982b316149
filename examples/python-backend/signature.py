"""Checks that a request came from the Switchyard hub: the `Switchyard-Signature` header.

The hub signs every request it sends to a backend — proxy requests (with `proxy.secret`) and
webhooks — with one scheme: `Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>">` (one `v1` per secret while secrets rotate). Verify over the raw bytes
received (before parsing the JSON), in constant time, and refuse old timestamps so a
recorded request cannot be replayed.
"""

import hashlib
import hmac
import time

HEADER = "Switchyard-Signature"
DEFAULT_TOLERANCE = 300  # seconds


def verify(body: bytes, header: str, secrets, tolerance: int = DEFAULT_TOLERANCE, now: float = None) -> bool:
    """True when `header` signs the raw `body` with one of `secrets`, within `tolerance` s.

    `header` is `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`.
    Pass the body exactly as received, before any JSON parsing.
    """
    if not header:
        return False
    if isinstance(secrets, str):
        secrets = [secrets]
    timestamp = None
    signatures = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if timestamp is not None or not value.isdigit():
                return False
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # stale (or from the future): a replayed request
    signed = str(timestamp).encode() + b"." + body
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, signature) for signature in signatures):
            return True
    return False
