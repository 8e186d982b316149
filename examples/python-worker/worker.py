#!/usr/bin/env python3
"""A Switchyard job worker in Python: counts the primes below a limit with a segmented
sieve of Eratosthenes, reporting progress and each segment's result (a chunk) through the
hub's HTTP API, and stopping cleanly when someone cancels the job.

Standard library only. Run it against a hub:

    python3 worker.py --limit 20000000 --segments 200

It creates a job (or works on the one named by --job-id, e.g. created queued by your web
backend), prints one JSON line per milestone on stdout, and exits 0 when the job completed
or was cancelled, 1 when the hub refused a report (its error code on stderr), 2 on a wrong
command line, 3 when the hub could not be reached.

The hub URL and the API key come from --url / --api-key or the environment variables
SWITCHYARD_URL (default http://127.0.0.1:7070) and SWITCHYARD_API_KEY.
"""

import argparse
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
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


class Jobs:
    """The job routes of a hub's HTTP API (`/api/jobs/...`)."""

    def __init__(self, url, api_key, timeout=10):
        self.base = url.rstrip("/") + "/api/jobs"
        self.api_key = api_key
        self.timeout = timeout

    def _call(self, method, path, body=None):
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raw = error.read().decode("utf-8", errors="replace")
            try:
                payload = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                raise SwitchyardError("http_error", raw or error.reason, error.code) from None
            raise SwitchyardError(payload.get("code", "http_error"), payload.get("message", ""),
                                  error.code, payload.get("details")) from None

    def create(self, owner=None, meta=None):
        body = {"meta": meta}
        if owner:
            body["owner"] = owner
        return self._call("POST", "", body)

    def report(self, job_id, what, body=None):
        """POST /api/jobs/{id}/{what}; returns {id, status, cancelRequested, percent}."""
        return self._call("POST", f"/{urllib.parse.quote(job_id, safe='')}/{what}", body or {})


def small_primes(limit):
    """The primes up to `limit` (inclusive), by a plain sieve."""
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\x00\x00"
    for n in range(2, math.isqrt(limit) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit + 1, n)))
    return [n for n in range(limit + 1) if sieve[n]]


def sieve_segment(low, high, base):
    """The primes in [low, high), crossing out multiples of the base primes."""
    marks = bytearray([1]) * (high - low)
    for p in base:
        if p * p >= high:
            break
        start = max(p * p, (low + p - 1) // p * p)
        marks[start - low::p] = bytes(len(range(start, high, p)))
    for n in range(low, min(2, high)):
        marks[n - low] = 0
    return [low + i for i, flag in enumerate(marks) if flag]


def say(**fields):
    print(json.dumps(fields), flush=True)


def run(jobs, job_id, limit, segments, pause):
    """Counts the primes below `limit` in `segments` chunks; stops when cancel is asked."""
    base = small_primes(math.isqrt(limit) + 1)
    ack = jobs.report(job_id, "start")
    if ack["cancelRequested"]:
        return stop(jobs, job_id, 0)
    size = math.ceil(limit / segments)
    total = 0
    for index in range(segments):
        low, high = index * size, min(limit, (index + 1) * size)
        primes = sieve_segment(low, high, base) if low < high else []
        total += len(primes)
        chunk = {"from": low, "to": high, "count": len(primes),
                 "largest": primes[-1] if primes else None}
        ack = jobs.report(job_id, "chunk", {"index": index, "total": segments, "data": chunk})
        if not ack["cancelRequested"]:
            ack = jobs.report(job_id, "progress", {
                "percent": round((index + 1) / segments * 100, 2),
                "step": f"Sieving {low:,}–{high:,}",
            })
        if ack["cancelRequested"]:
            return stop(jobs, job_id, index + 1)
        if pause:
            time.sleep(pause)  # stands in for heavier work per segment
    result = {"limit": limit, "primes": total, "segments": segments}
    jobs.report(job_id, "complete", {"result": result})
    say(status="completed", id=job_id, **result)
    return result


def stop(jobs, job_id, done):
    jobs.report(job_id, "cancelled", {"reason": f"stopped after {done} segments"})
    say(status="cancelled", id=job_id, segments=done)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Count primes as a Switchyard job.")
    parser.add_argument("--url", default=os.environ.get("SWITCHYARD_URL", DEFAULT_URL),
                        help="hub base URL (env SWITCHYARD_URL, default %(default)s)")
    parser.add_argument("--api-key", default=os.environ.get("SWITCHYARD_API_KEY"),
                        help="HTTP API key (env SWITCHYARD_API_KEY)")
    parser.add_argument("--job-id", help="work on this job (created by your backend)")
    parser.add_argument("--owner-user", help="owner user of a job the worker creates")
    parser.add_argument("--owner-session", help="owner session of a job the worker creates")
    parser.add_argument("--limit", type=int, default=10_000_000, help="count primes below it")
    parser.add_argument("--segments", type=int, default=100, help="chunks of the result")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds to wait after each segment (to watch it in a demo)")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("an API key is required: --api-key or SWITCHYARD_API_KEY")
    if args.limit < 2 or args.segments < 1:
        parser.error("--limit must be at least 2 and --segments at least 1")

    jobs = Jobs(args.url, args.api_key)
    try:
        job_id = args.job_id
        if job_id is None:
            owner = {key: value for key, value in
                     (("userId", args.owner_user), ("sessionId", args.owner_session)) if value}
            job_id = jobs.create(owner, {"task": "count primes", "limit": args.limit})["id"]
        say(status="working", id=job_id)
        run(jobs, job_id, args.limit, args.segments, args.pause)
    except SwitchyardError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"error: cannot reach {args.url}: {error.reason}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
