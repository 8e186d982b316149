#!/usr/bin/env python3
"""Publish an event to a Switchyard hub through its HTTP API.

Standard library only. Use it from the command line:

    python3 publish.py --channel job:42 --event progress --data '{"percent": 40}'

or import `publish` from your own Python backend:

    from publish import publish, SwitchyardError
    result = publish("http://127.0.0.1:7070", api_key, "job:42", "progress", {"percent": 40})

The hub URL and the API key come from --url / --api-key or the environment variables
SWITCHYARD_URL (default http://127.0.0.1:7070) and SWITCHYARD_API_KEY.

Exit codes: 0 published, 1 the hub refused the event (its error code is printed on stderr),
2 wrong command line, 3 the hub could not be reached.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:7070"


class SwitchyardError(Exception):
    """An error answered by the hub: `code` is its stable error code (see docs/errors.md)."""

    def __init__(self, code, message, status, details=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = details


def publish(url, api_key, channel, event, data=None, idempotency_key=None, timeout=10):
    """Publish one event; return the hub's result ({"offset", "epoch", "duplicate"}).

    Raises SwitchyardError when the hub refuses the event, and urllib.error.URLError when
    the hub cannot be reached. Give `idempotency_key` to make retries safe: the hub
    delivers a retried publish with the same key once (within 2 minutes).
    """
    body = {"channel": channel, "event": event}
    if data is not None:
        body["data"] = data
    if idempotency_key is not None:
        body["idempotencyKey"] = idempotency_key
    request = urllib.request.Request(
        url.rstrip("/") + "/api/publish",
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        raw = error.read().decode("utf-8", errors="replace")
        try:
            payload = json.loads(raw)["error"]
        except (ValueError, KeyError, TypeError):
            raise SwitchyardError("http_error", raw or error.reason, error.code) from None
        raise SwitchyardError(
            payload.get("code", "http_error"),
            payload.get("message", ""),
            error.code,
            payload.get("details"),
        ) from None


def parse_data(text):
    """The --data value: JSON text, or "-" to read JSON from stdin."""
    source = sys.stdin.read() if text == "-" else text
    try:
        return json.loads(source)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish an event to a Switchyard hub.")
    parser.add_argument("--url", default=os.environ.get("SWITCHYARD_URL", DEFAULT_URL),
                        help="hub base URL (env SWITCHYARD_URL, default %(default)s)")
    parser.add_argument("--api-key", default=os.environ.get("SWITCHYARD_API_KEY"),
                        help="HTTP API key (env SWITCHYARD_API_KEY)")
    parser.add_argument("--channel", required=True, help="channel, e.g. job:42")
    parser.add_argument("--event", required=True, help="event name, e.g. progress")
    parser.add_argument("--data", type=parse_data, default=None,
                        help='event data as JSON, e.g. \'{"percent": 40}\', or - for stdin')
    parser.add_argument("--idempotency-key", default=None,
                        help="makes a retried publish deliver once")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("an API key is required: --api-key or SWITCHYARD_API_KEY")

    try:
        result = publish(args.url, args.api_key, args.channel, args.event, args.data,
                         args.idempotency_key)
    except SwitchyardError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        if error.details is not None:
            print(f"details: {json.dumps(error.details)}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"error: cannot reach {args.url}: {error.reason}", file=sys.stderr)
        return 3
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
