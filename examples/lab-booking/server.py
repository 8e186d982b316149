#!/usr/bin/env python3
"""The lab equipment booking backend: users log in, admins keep the equipment list, users start
and end booking sessions on equipment, and send sample submissions to each other. The data
lives in SQLite; after each change the backend tells the Switchyard hub through its HTTP API,
and every open page refetches what changed.

Standard library only (sqlite3, http.server, hmac/hashlib for the HS256 tokens, urllib).

    python3 server.py --port 0 --data-dir ./data --hub-url http://127.0.0.1:7070/ \\
        --api-key <hub API key> --jwt-secret <the hub's auth secret>

Prints one JSON line once listening: {"listening": <port>}.

Every route but /login and /demo-users wants `Authorization: Bearer <token>`, the token /login
issued (an HS256 JWT: `sub` the user id, `name`, `role`, `exp`). The hub verifies the same
token on connect, so the page uses one token for both.

    POST   /login                  {"username", "password"} -> {"token", "user", "expiresAt"}
    GET    /demo-users             the seeded accounts and their demo passwords
    GET    /me                     the token's user
    GET    /users                  everyone (to address a sample)
    GET    /equipment              the equipment, with who uses what
    POST   /equipment              admin: {"name", "location", "description"}
    PATCH  /equipment/<id>         admin: any of name, location, description, status
                                   ("available" or "maintenance"; "in_use" comes from sessions)
    DELETE /equipment/<id>         admin, when not in use
    GET    /sessions               the sessions running, then the last 20 ended
    POST   /sessions               {"equipmentId", "purpose"}: the equipment becomes in_use
    POST   /sessions/<id>/end      its user or an admin: the equipment becomes available
    GET    /samples/inbox          the samples addressed to me
    GET    /samples/sent           the samples I sent
    GET    /samples/unread-count   {"count": n}
    POST   /samples                {"recipientId", "title", "notes"}
    POST   /samples/<id>/read      the recipient marks it read
    PATCH  /samples/<id>           the recipient sets its status (received, analysing, done)

What it publishes (hub HTTP API, `POST <hub>/api/publish` and `/api/send`):

    equipment  equipment_created | equipment_updated | equipment_deleted | equipment_status
    sessions   session_started | session_ended
    $user:<id> sample_received (to the recipient), sample_updated (to recipient and sender)
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_TTL = 12 * 3600

# The seeded accounts. Demo passwords, shown on the login page: a real deployment has none.
DEMO_USERS = [
    {"id": "ada", "name": "Ada Lovelace", "role": "admin", "password": "ada-admin"},
    {"id": "ben", "name": "Ben Okafor", "role": "user", "password": "ben-lab"},
    {"id": "chloe", "name": "Chloé Martin", "role": "user", "password": "chloe-lab"},
    {"id": "dev", "name": "Dev Patel", "role": "user", "password": "dev-lab"},
]

DEMO_EQUIPMENT = [
    ("Confocal microscope LSM 900", "Imaging suite, room 2.14", "Zeiss, 4 lasers, Airyscan 2"),
    ("Flow cytometer", "Cell biology, room 3.02", "BD FACSymphony A1, 4 lasers"),
    ("qPCR system", "Molecular lab, room 1.07", "QuantStudio 5, 384-well block"),
    ("Cryo-EM grid plunger", "Structural biology, room B.01", "Vitrobot Mark IV"),
]

SAMPLE_STATUSES = ("submitted", "received", "analysing", "done")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  salt BLOB NOT NULL,
  password_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS equipment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'available'
    CHECK (status IN ('available', 'in_use', 'maintenance')),
  updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  equipment_id INTEGER NOT NULL REFERENCES equipment (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  purpose TEXT NOT NULL DEFAULT '',
  started_at REAL NOT NULL,
  ended_at REAL
);
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sender_id TEXT NOT NULL REFERENCES users (id),
  recipient_id TEXT NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'submitted',
  read INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
"""


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


# --- HS256 JSON Web Tokens -------------------------------------------------------------


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(claims, secret):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def verify_jwt(token, secret):
    """The token's claims when its HS256 signature holds and it has not expired, else None."""
    try:
        header, payload, signature = token.split(".")
        if json.loads(b64url_decode(header)).get("alg") != "HS256":
            return None
        expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
        if not hmac.compare_digest(expected.digest(), b64url_decode(signature)):
            return None
        claims = json.loads(b64url_decode(payload))
    except (ValueError, TypeError, json.JSONDecodeError):
        return None
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= time.time():
        return None
    return claims


def hash_password(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)


# --- the application -------------------------------------------------------------------


class Hub:
    """The Switchyard hub's HTTP API: publish to a channel, send to a user."""

    def __init__(self, url, api_key):
        self.url = url if url.endswith("/") else url + "/"
        self.api_key = api_key

    def publish(self, channel, event, data):
        self._post("api/publish", {"channel": channel, "event": event, "data": data})

    def send_to_user(self, user_id, event, data):
        self._post("api/send", {"to": {"userId": user_id}, "event": event, "data": data})

    def _post(self, path, body):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            # The change is saved; pages that missed the event refetch when they reconnect.
            print(json.dumps({"publishFailed": body.get("event"), "error": str(error)}), flush=True)


class App:
    def __init__(self, db_path, hub, jwt_secret):
        self.hub = hub
        self.jwt_secret = jwt_secret
        self.lock = threading.Lock()
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(SCHEMA)
        self.seed()

    def seed(self):
        with self.lock, self.db:
            if self.db.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 0:
                return
            for user in DEMO_USERS:
                salt = secrets.token_bytes(16)
                self.db.execute(
                    "INSERT INTO users (id, name, role, salt, password_hash) VALUES (?, ?, ?, ?, ?)",
                    (user["id"], user["name"], user["role"], salt, hash_password(user["password"], salt)),
                )
            now = time.time()
            for name, location, description in DEMO_EQUIPMENT:
                self.db.execute(
                    "INSERT INTO equipment (name, location, description, updated_at) VALUES (?, ?, ?, ?)",
                    (name, location, description, now),
                )

    def query(self, sql, args=()):
        with self.lock:
            return [dict(row) for row in self.db.execute(sql, args).fetchall()]

    # --- login ---

    def login(self, user, body):
        username = str(body.get("username", "")).strip().lower()
        password = str(body.get("password", ""))
        with self.lock:
            row = self.db.execute("SELECT * FROM users WHERE id = ?", (username,)).fetchone()
        if row is None or not hmac.compare_digest(
            hash_password(password, row["salt"]), row["password_hash"]
        ):
            raise HttpError(401, "Wrong user name or password")
        expires = int(time.time()) + TOKEN_TTL
        claims = {"sub": row["id"], "name": row["name"], "role": row["role"], "exp": expires}
        return {
            "token": sign_jwt(claims, self.jwt_secret),
            "user": {"id": row["id"], "name": row["name"], "role": row["role"]},
            "expiresAt": expires * 1000,
        }

    def demo_users(self, user, body):
        return [{k: u[k] for k in ("id", "name", "role", "password")} for u in DEMO_USERS]

    def me(self, user, body):
        return user

    def users(self, user, body):
        return self.query("SELECT id, name, role FROM users ORDER BY name")

    # --- equipment ---

    def equipment(self, user, body):
        return self.query(
            """SELECT e.id, e.name, e.location, e.description, e.status, e.updated_at AS updatedAt,
                      s.id AS sessionId, s.user_id AS userId, u.name AS userName
               FROM equipment e
               LEFT JOIN sessions s ON s.equipment_id = e.id AND s.ended_at IS NULL
               LEFT JOIN users u ON u.id = s.user_id
               ORDER BY e.name COLLATE NOCASE"""
        )

    def create_equipment(self, user, body):
        require_admin(user)
        name = text_field(body, "name", required=True, limit=120)
        location = text_field(body, "location", limit=120)
        description = text_field(body, "description", limit=500)
        with self.lock, self.db:
            cursor = self.db.execute(
                "INSERT INTO equipment (name, location, description, updated_at) VALUES (?, ?, ?, ?)",
                (name, location, description, time.time()),
            )
            equipment_id = cursor.lastrowid
        self.hub.publish("equipment", "equipment_created", {"id": equipment_id, "by": user["id"]})
        return {"id": equipment_id}

    def update_equipment(self, user, body, equipment_id):
        require_admin(user)
        changes = {}
        for field, limit in (("name", 120), ("location", 120), ("description", 500)):
            if field in body:
                changes[field] = text_field(body, field, required=field == "name", limit=limit)
        if "status" in body:
            if body["status"] not in ("available", "maintenance"):
                raise HttpError(422, "status is available or maintenance (in_use comes from a session)")
            changes["status"] = body["status"]
        with self.lock, self.db:
            row = self.db.execute("SELECT status FROM equipment WHERE id = ?", (equipment_id,)).fetchone()
            if row is None:
                raise HttpError(404, "No such equipment")
            if "status" in changes and row["status"] == "in_use":
                raise HttpError(409, "The equipment is in use: end its session first")
            if changes:
                assignments = ", ".join(f"{field} = ?" for field in changes)
                self.db.execute(
                    f"UPDATE equipment SET {assignments}, updated_at = ? WHERE id = ?",
                    (*changes.values(), time.time(), equipment_id),
                )
        self.hub.publish(
            "equipment",
            "equipment_updated",
            {"id": equipment_id, "fields": sorted(changes), "by": user["id"]},
        )
        return {"id": equipment_id}

    def delete_equipment(self, user, body, equipment_id):
        require_admin(user)
        with self.lock, self.db:
            row = self.db.execute("SELECT status FROM equipment WHERE id = ?", (equipment_id,)).fetchone()
            if row is None:
                raise HttpError(404, "No such equipment")
            if row["status"] == "in_use":
                raise HttpError(409, "The equipment is in use: end its session first")
            self.db.execute("DELETE FROM sessions WHERE equipment_id = ?", (equipment_id,))
            self.db.execute("DELETE FROM equipment WHERE id = ?", (equipment_id,))
        self.hub.publish("equipment", "equipment_deleted", {"id": equipment_id, "by": user["id"]})
        return {"id": equipment_id}

    # --- sessions ---

    def sessions(self, user, body):
        return self.query(
            """SELECT s.id, s.equipment_id AS equipmentId, e.name AS equipmentName,
                      s.user_id AS userId, u.name AS userName, s.purpose,
                      s.started_at AS startedAt, s.ended_at AS endedAt
               FROM sessions s JOIN equipment e ON e.id = s.equipment_id
               JOIN users u ON u.id = s.user_id
               ORDER BY s.ended_at IS NOT NULL, COALESCE(s.ended_at, s.started_at) DESC
               LIMIT 50"""
        )

    def start_session(self, user, body):
        equipment_id = body.get("equipmentId")
        if not isinstance(equipment_id, int):
            raise HttpError(422, "equipmentId is the equipment's id")
        purpose = text_field(body, "purpose", limit=200)
        with self.lock, self.db:
            row = self.db.execute("SELECT status FROM equipment WHERE id = ?", (equipment_id,)).fetchone()
            if row is None:
                raise HttpError(404, "No such equipment")
            if row["status"] != "available":
                raise HttpError(409, f"The equipment is {row['status'].replace('_', ' ')}")
            cursor = self.db.execute(
                "INSERT INTO sessions (equipment_id, user_id, purpose, started_at) VALUES (?, ?, ?, ?)",
                (equipment_id, user["id"], purpose, time.time()),
            )
            session_id = cursor.lastrowid
            self.db.execute(
                "UPDATE equipment SET status = 'in_use', updated_at = ? WHERE id = ?",
                (time.time(), equipment_id),
            )
        event = {"id": session_id, "equipmentId": equipment_id, "userId": user["id"]}
        self.hub.publish("sessions", "session_started", event)
        self.hub.publish(
            "equipment",
            "equipment_status",
            {"id": equipment_id, "status": "in_use", "userId": user["id"]},
        )
        return {"id": session_id}

    def end_session(self, user, body, session_id):
        with self.lock, self.db:
            row = self.db.execute(
                "SELECT equipment_id, user_id, ended_at FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None:
                raise HttpError(404, "No such session")
            if row["user_id"] != user["id"] and user["role"] != "admin":
                raise HttpError(403, "Only its user or an admin ends a session")
            if row["ended_at"] is not None:
                raise HttpError(409, "The session has ended")
            self.db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (time.time(), session_id))
            self.db.execute(
                "UPDATE equipment SET status = 'available', updated_at = ? WHERE id = ?",
                (time.time(), row["equipment_id"]),
            )
        equipment_id = row["equipment_id"]
        event = {"id": session_id, "equipmentId": equipment_id, "userId": row["user_id"]}
        self.hub.publish("sessions", "session_ended", event)
        self.hub.publish("equipment", "equipment_status", {"id": equipment_id, "status": "available"})
        return {"id": session_id}

    # --- samples ---

    SAMPLE_COLUMNS = """s.id, s.title, s.notes, s.status, s.read, s.created_at AS createdAt,
        s.updated_at AS updatedAt, s.sender_id AS senderId, f.name AS senderName,
        s.recipient_id AS recipientId, t.name AS recipientName
        FROM samples s JOIN users f ON f.id = s.sender_id JOIN users t ON t.id = s.recipient_id"""

    def inbox(self, user, body):
        rows = self.query(
            f"SELECT {self.SAMPLE_COLUMNS} WHERE s.recipient_id = ? ORDER BY s.created_at DESC",
            (user["id"],),
        )
        return [{**row, "read": bool(row["read"])} for row in rows]

    def sent(self, user, body):
        rows = self.query(
            f"SELECT {self.SAMPLE_COLUMNS} WHERE s.sender_id = ? ORDER BY s.created_at DESC",
            (user["id"],),
        )
        return [{**row, "read": bool(row["read"])} for row in rows]

    def unread_count(self, user, body):
        rows = self.query(
            "SELECT COUNT(*) AS count FROM samples WHERE recipient_id = ? AND read = 0", (user["id"],)
        )
        return {"count": rows[0]["count"]}

    def submit_sample(self, user, body):
        recipient = body.get("recipientId")
        title = text_field(body, "title", required=True, limit=120)
        notes = text_field(body, "notes", limit=1000)
        now = time.time()
        with self.lock, self.db:
            if self.db.execute("SELECT 1 FROM users WHERE id = ?", (recipient,)).fetchone() is None:
                raise HttpError(422, "recipientId is a user's id")
            cursor = self.db.execute(
                """INSERT INTO samples (sender_id, recipient_id, title, notes, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (user["id"], recipient, title, notes, now, now),
            )
            sample_id = cursor.lastrowid
        # Only the recipient hears of it: their personal channel, every tab they have open.
        notice = {"id": sample_id, "title": title, "from": user["id"], "fromName": user["name"]}
        self.hub.send_to_user(recipient, "sample_received", notice)
        if recipient != user["id"]:
            self.hub.send_to_user(user["id"], "sample_updated", {"id": sample_id, "status": "submitted"})
        return {"id": sample_id}

    def mark_read(self, user, body, sample_id):
        return self._change_sample(user, sample_id, {"read": 1})

    def update_sample(self, user, body, sample_id):
        status = body.get("status")
        if status not in SAMPLE_STATUSES:
            raise HttpError(422, f"status is one of {', '.join(SAMPLE_STATUSES)}")
        return self._change_sample(user, sample_id, {"status": status, "read": 1})

    def _change_sample(self, user, sample_id, changes):
        with self.lock, self.db:
            row = self.db.execute(
                "SELECT sender_id, recipient_id FROM samples WHERE id = ?", (sample_id,)
            ).fetchone()
            if row is None:
                raise HttpError(404, "No such sample")
            if row["recipient_id"] != user["id"]:
                raise HttpError(403, "Only its recipient changes a sample")
            assignments = ", ".join(f"{field} = ?" for field in changes)
            self.db.execute(
                f"UPDATE samples SET {assignments}, updated_at = ? WHERE id = ?",
                (*changes.values(), time.time(), sample_id),
            )
            status = self.db.execute("SELECT status FROM samples WHERE id = ?", (sample_id,)).fetchone()[0]
        event = {"id": sample_id, "status": status}
        for target in {row["recipient_id"], row["sender_id"]}:
            self.hub.send_to_user(target, "sample_updated", event)
        return event


def require_admin(user):
    if user["role"] != "admin":
        raise HttpError(403, "Only an admin manages the equipment")


def text_field(body, field, required=False, limit=200):
    value = body.get(field, "")
    if not isinstance(value, str):
        raise HttpError(422, f"{field} is text")
    value = value.strip()
    if required and not value:
        raise HttpError(422, f"{field} is required")
    if len(value) > limit:
        raise HttpError(422, f"{field} is at most {limit} characters")
    return value


def routes(app):
    """(method, path pattern, handler, needs a user): handlers take (user, body, *ids)."""
    return [
        ("POST", r"/login", app.login, False),
        ("GET", r"/demo-users", app.demo_users, False),
        ("GET", r"/me", app.me, True),
        ("GET", r"/users", app.users, True),
        ("GET", r"/equipment", app.equipment, True),
        ("POST", r"/equipment", app.create_equipment, True),
        ("PATCH", r"/equipment/(\d+)", app.update_equipment, True),
        ("DELETE", r"/equipment/(\d+)", app.delete_equipment, True),
        ("GET", r"/sessions", app.sessions, True),
        ("POST", r"/sessions", app.start_session, True),
        ("POST", r"/sessions/(\d+)/end", app.end_session, True),
        ("GET", r"/samples/inbox", app.inbox, True),
        ("GET", r"/samples/sent", app.sent, True),
        ("GET", r"/samples/unread-count", app.unread_count, True),
        ("POST", r"/samples", app.submit_sample, True),
        ("POST", r"/samples/(\d+)/read", app.mark_read, True),
        ("PATCH", r"/samples/(\d+)", app.update_sample, True),
    ]


def handler(app):
    table = [(method, re.compile(pattern + r"/?"), fn, auth) for method, pattern, fn, auth in routes(app)]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self):
            path = self.path.split("?", 1)[0]
            try:
                matched = [(m, p.fullmatch(path), fn, auth) for m, p, fn, auth in table]
                matched = [entry for entry in matched if entry[1]]
                if not matched:
                    raise HttpError(404, "Not found")
                entry = next((entry for entry in matched if entry[0] == self.command), None)
                if entry is None:
                    raise HttpError(405, "Method not allowed")
                _, match, fn, needs_user = entry
                user = self.user() if needs_user else None
                body = self.body()
                ids = [int(group) for group in match.groups()]
                self.reply(200, fn(user, body, *ids))
            except HttpError as error:
                self.reply(error.status, {"error": error.message})
            except Exception as error:  # noqa: BLE001 - answer 500 rather than drop the request
                print(json.dumps({"error": repr(error)}), file=sys.stderr, flush=True)
                self.reply(500, {"error": "Internal error"})

        do_GET = do_POST = do_PATCH = do_DELETE = handle_any

        def user(self):
            header = self.headers.get("Authorization", "")
            claims = verify_jwt(header[7:], app.jwt_secret) if header.startswith("Bearer ") else None
            if claims is None:
                raise HttpError(401, "Log in first")
            return {"id": claims["sub"], "name": claims.get("name", claims["sub"]), "role": claims.get("role")}

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length == 0:
                return {}
            try:
                body = json.loads(self.rfile.read(length))
            except json.JSONDecodeError:
                raise HttpError(400, "The body is not JSON") from None
            if not isinstance(body, dict):
                raise HttpError(400, "The body is a JSON object")
            return body

        def reply(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", required=True, help="where the SQLite file lives")
    parser.add_argument("--hub-url", required=True, help="the hub's base URL (its API at api/...)")
    parser.add_argument("--api-key", default=os.environ.get("SWITCHYARD_API_KEY"))
    parser.add_argument("--jwt-secret", default=os.environ.get("JWT_SECRET"))
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="exit when stdin closes (the parent that spawned us went away, even killed)",
    )
    args = parser.parse_args()
    if not args.api_key or not args.jwt_secret:
        parser.error("give --api-key and --jwt-secret (or SWITCHYARD_API_KEY and JWT_SECRET)")
    os.makedirs(args.data_dir, exist_ok=True)
    app = App(os.path.join(args.data_dir, "lab-booking.sqlite3"), Hub(args.hub_url, args.api_key), args.jwt_secret)
    server = ThreadingHTTPServer((args.host, args.port), handler(app))
    server.daemon_threads = True
    if args.exit_with_stdin:

        def watch_parent():
            sys.stdin.buffer.read()
            os._exit(0)

        threading.Thread(target=watch_parent, daemon=True).start()
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
