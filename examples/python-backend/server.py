#!/usr/bin/env python3
"""A Switchyard backend in Python: the hub asks it who a connecting browser is (its session
cookie), whether a user may watch a simulation (who started it), and to run the `sim.start`
command; the simulation then reports its progress to the browser through the hub's HTTP API.

Standard library only. Run it beside a hub whose config points its proxies here:

    python3 server.py --port 8000 --hub-url http://127.0.0.1:7070 --api-key <key>

Endpoints (the hub POSTs JSON to the /switchyard/... ones; docs/backends.md):

    POST /login                  {"user": "ada"} -> {"session": ...} and a `session` cookie
    POST /logout                 {"session": ...}: the session is revoked
    POST /switchyard/connect     connect proxy: the `session` cookie -> the user
    POST /switchyard/refresh     refresh proxy: is the session still valid?
    POST /switchyard/subscribe   subscribe proxy: `sim:<id>` only for the user who started it
    POST /switchyard/rpc         rpc proxy: `sim.start` starts a simulation
    POST /switchyard/webhooks    the hub's signed webhooks: who connects and disconnects (and why)
    POST /online                 -> {"users": {"ada": 2}}: connections per user, from the webhooks

With --secret (the hub's `proxy.secret` and `webhooks.secret`), requests to /switchyard/...
must carry the hub's signature. Prints one JSON line when listening: {"listening": <port>}.
"""

import argparse
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import signature
from webhook_receiver import SeenIds

# The application's own error codes (the hub passes them to the client as details.code;
# backends use 1000-1999).
NOT_LOGGED_IN = 1401
NOT_YOURS = 1403
NO_SUCH_METHOD = 1404
BAD_INPUT = 1422


class Refusal(Exception):
    """A refusal the hub passes to the client as `backend_error`."""

    def __init__(self, code, message, temporary=False):
        super().__init__(message)
        self.code, self.message, self.temporary = code, message, temporary


class App:
    """The application's state: sessions and simulations (a database, in a real backend)."""

    def __init__(self, hub_url, api_key, session_ttl, step_delay):
        self.hub_url = hub_url.rstrip("/")
        self.api_key = api_key
        self.session_ttl = session_ttl
        self.step_delay = step_delay
        self.lock = threading.Lock()
        self.sessions = {}  # session id -> user
        self.online = {}  # user -> the client ids connected, as the webhooks tell
        self.seen = SeenIds()  # webhook event ids already handled (delivery is at least once)
        self.simulations = {}  # simulation id -> owner

    # --- the application's own routes -------------------------------------------------

    def login(self, body):
        user = body.get("user")
        if not isinstance(user, str) or not user:
            raise Refusal(BAD_INPUT, "Give a user name")
        session = secrets.token_urlsafe(16)
        with self.lock:
            self.sessions[session] = user
        return {"session": session}

    def logout(self, body):
        with self.lock:
            self.sessions.pop(body.get("session"), None)
        return {}

    # --- the hub's proxies ------------------------------------------------------------

    def expiry(self):
        """When the hub asks again (refresh) whether the session still holds, in ms."""
        return int((time.time() + self.session_ttl) * 1000)

    def connect(self, body):
        session = body["cookies"].get("session")
        with self.lock:
            user = self.sessions.get(session)
        if user is None:
            raise Refusal(NOT_LOGGED_IN, "Log in first")
        return {
            "userId": user,
            "info": {"name": user.title()},
            # Kept by the hub for this connection and sent back with each refresh.
            "meta": {"session": session},
            "expiresAt": self.expiry(),
        }

    def refresh(self, body):
        session = (body["client"].get("meta") or {}).get("session")
        with self.lock:
            valid = session in self.sessions
        if not valid:
            raise Refusal(NOT_LOGGED_IN, "Your session ended; log in again")
        return {"expiresAt": self.expiry()}

    def subscribe(self, body):
        name = body["channel"].split(":", 1)[1]
        with self.lock:
            owner = self.simulations.get(name)
        if owner is None or owner != body["client"]["userId"]:
            raise Refusal(NOT_YOURS, "This simulation is not yours")
        return {}

    def rpc(self, body):
        if body["method"] != "sim.start":
            raise Refusal(NO_SUCH_METHOD, f"No method {body['method']}")
        data = body.get("data") or {}
        steps = data.get("steps", 10)
        if not isinstance(steps, int) or not 1 <= steps <= 1000:
            raise Refusal(BAD_INPUT, "steps must be an integer from 1 to 1000")
        sim_id = secrets.token_hex(4)
        with self.lock:
            self.simulations[sim_id] = body["client"]["userId"]
        threading.Thread(target=self.simulate, args=(sim_id, steps), daemon=True).start()
        return {"data": {"id": sim_id, "channel": f"sim:{sim_id}"}}

    def webhooks(self, body):
        """The hub's lifecycle events, at least once each: handle each id once."""
        for event in body["events"]:
            if not self.seen.first_time(event["id"]):
                continue
            data = event["data"]
            user = data.get("userId")
            with self.lock:
                clients = self.online.setdefault(user, set()) if user else set()
                if event["type"] == "connected":
                    clients.add(data["clientId"])
                elif event["type"] == "disconnected":
                    clients.discard(data["clientId"])
                    if user and not clients:
                        del self.online[user]
            if event["type"] in ("connected", "disconnected"):
                line = {"webhook": event["type"], "user": user, "reason": data.get("reason")}
                print(json.dumps(line), flush=True)
        return {}

    def users_online(self, body):
        with self.lock:
            return {"users": {user: len(clients) for user, clients in self.online.items()}}

    def simulate(self, sim_id, steps):
        """The work: a step at a time, each reported through the hub's HTTP API."""
        channel = f"sim:{sim_id}"
        # Give the client time to subscribe: the events have history, so it would recover
        # them anyway; this keeps the example's output in order when read live.
        time.sleep(self.step_delay)
        for step in range(1, steps + 1):
            time.sleep(self.step_delay)
            self.publish(channel, "progress", {"step": step, "of": steps})
        self.publish(channel, "done", {"steps": steps})

    def publish(self, channel, event, data):
        request = urllib.request.Request(
            self.hub_url + "/api/publish",
            data=json.dumps({"channel": channel, "event": event, "data": data}).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            print(json.dumps({"publishFailed": channel, "error": str(error)}), flush=True)


def handler(app, secret):
    routes = {
        "/login": app.login,
        "/logout": app.logout,
        "/switchyard/connect": app.connect,
        "/switchyard/refresh": app.refresh,
        "/switchyard/subscribe": app.subscribe,
        "/switchyard/rpc": app.rpc,
        "/switchyard/webhooks": app.webhooks,
        "/online": app.users_online,
    }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            route = routes.get(self.path)
            if route is None:
                return self.answer(404, {"error": "not found"})
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hub_request = self.path.startswith("/switchyard/")
            if hub_request and secret is not None:
                if not signature.verify(raw, self.headers.get(signature.HEADER), secret):
                    return self.answer(401, {"error": "bad signature"})
            try:
                body = json.loads(raw or b"{}")
                result = route(body)
            except Refusal as refusal:
                error = {"code": refusal.code, "message": refusal.message}
                if refusal.temporary:
                    error["temporary"] = True
                return self.answer(200, {"error": error})
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                return self.answer(400, {"error": f"bad request: {error}"})
            if hub_request:
                return self.answer(200, {"result": result})
            headers = {}
            if "session" in result:
                headers["Set-Cookie"] = f"session={result['session']}; Path=/; HttpOnly; SameSite=Lax"
            return self.answer(200, result, headers)

        def answer(self, status, body, headers=None):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass  # quiet: one JSON line at start is the whole output

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--hub-url", default="http://127.0.0.1:7070")
    parser.add_argument("--api-key", required=True, help="the hub's HTTP API key")
    parser.add_argument("--secret", help="the hub's proxy.secret: check its signatures")
    parser.add_argument("--session-ttl", type=float, default=300, help="seconds between refreshes")
    parser.add_argument("--step-delay", type=float, default=0.2, help="seconds per simulation step")
    args = parser.parse_args()
    app = App(args.hub_url, args.api_key, args.session_ttl, args.step_delay)
    server = ThreadingHTTPServer((args.host, args.port), handler(app, args.secret))
    server.daemon_threads = True
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
