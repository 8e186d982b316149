"""Receive Switchyard's signed webhooks with the Python standard library only.

`verify()` checks the `Switchyard-Signature` header (docs/webhooks.md); the small server
below answers 401 to a request that does not verify (a tampered body, a stale timestamp, a
wrong secret), 200 to one that does, and prints every event it had not seen before as one
JSON line on stdout. Delivery is at least once, so it de-duplicates by event id.

    WEBHOOK_SECRET=whsec_… python3 webhook_receiver.py --port 8081

and give the hub `webhooks: { url: "http://127.0.0.1:8081/", secret: "whsec_…" }`.
"""

import argparse
import json
import os
import sys
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

from signature import HEADER as SIGNATURE_HEADER
from signature import verify

MAX_BODY_BYTES = 10 * 1024 * 1024


class SeenIds:
    """The ids of the last `size` events, to drop the copies a retry delivers again."""

    def __init__(self, size: int = 100_000):
        self.size = size
        self.ids = OrderedDict()
        self.lock = Lock()

    def first_time(self, event_id: str) -> bool:
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = True
            if len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def make_handler(secrets, seen: SeenIds, tolerance: int):
    class WebhookHandler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self.answer(413, "body too large")
            body = self.rfile.read(length)
            if not verify(body, self.headers.get(SIGNATURE_HEADER, ""), secrets, tolerance):
                return self.answer(401, "bad signature")
            try:
                events = json.loads(body)["events"]
            except (ValueError, KeyError, TypeError):
                return self.answer(400, "not a webhook body")
            for event in events:
                # A real backend records the id with its own write (a unique key).
                if seen.first_time(event["id"]):
                    print(json.dumps(event), flush=True)
            self.answer(200, "ok")

        def answer(self, status: int, text: str):
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            sys.stderr.write("%s\n" % (format % args))

    return WebhookHandler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--secret",
        action="append",
        help="a webhook secret (repeat while rotating); default: $WEBHOOK_SECRET",
    )
    parser.add_argument("--tolerance", type=int, default=300, help="seconds a signature is valid")
    args = parser.parse_args()
    secrets = args.secret or [s for s in os.environ.get("WEBHOOK_SECRET", "").split(",") if s]
    if not secrets:
        parser.error("give --secret or WEBHOOK_SECRET")
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(secrets, SeenIds(), args.tolerance)
    )
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
