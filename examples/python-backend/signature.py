"""Checks that a request came from the Switchyard hub: the `Switchyard-Signature` header.

The hub signs every request it sends to a backend when it has a secret (`proxy.secret`):
`Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Verify
over the raw bytes received (before parsing the JSON), in constant time, and refuse old
timestamps so a recorded request cannot be replayed.
"""

import hmac
import time
from hashlib import sha256

HEADER = "Switchyard-Signature"
DEFAULT_TOLERANCE = 300  # seconds


def verify(secret, header, body, tolerance=DEFAULT_TOLERANCE, now=None):
    """True when `header` is the hub's signature of `body` (bytes) made with `secret`
    within `tolerance` seconds of `now`."""
    if not header:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, signature = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isdigit() or not signature:
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature)
