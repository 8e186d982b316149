#!/usr/bin/env python3
"""The financial risk simulator's backend: it runs agent-based simulations of a financial
network (model.py) and streams each one to its viewers through a Switchyard hub.

Standard library only. The hub sends the browsers' RPCs here (its rpc proxy, signed); each
simulation publishes its events on `sim:<id>` through the hub's HTTP API:

    RPC (POST /switchyard/rpc)  data                                      reply
    risk.start                  {scenario?, seed?, steps?}                {simulationId, channel}
    risk.decide                 {simulationId, decisionId, choice}        the resolution
    risk.get                    {simulationId}                            the run so far (catch-up)
    risk.list                   {}                                        {simulations: the latest 8}

    events on sim:<id>: simulation_started, simulation_step, shock_applied, entity_default,
    pending_decision, decision_resolved, simulation_completed

Every simulation is kept in --data-dir (one file each, rewritten after every step): a backend
that restarts picks its running simulations up where they were.

    python3 server.py --port 0 --hub-url http://127.0.0.1:8080/risk-simulator/ \\
        --api-key <key> --secret <proxy secret> --data-dir /var/lib/risk

Prints one JSON line when listening: {"listening": <port>}.
"""

import argparse
import json
import os
import pickle
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
# The Python backend example's signature check: one scheme for every request the hub signs.
sys.path.insert(0, os.path.join(HERE, "..", "python-backend"))

import signature  # noqa: E402
from model import SCENARIOS, Simulation  # noqa: E402

# The application's own error codes (backends use 1000-1999).
NO_SUCH_SIMULATION = 1404
NOT_PENDING = 1409
BAD_INPUT = 1422
NO_SUCH_METHOD = 1405


class Refusal(Exception):
    """A refusal the hub passes to the client as `backend_error`."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Run:
    """A simulation with what the backend keeps beside it: the record a late viewer catches up
    from, and the numbering of its published events (their idempotency keys)."""

    def __init__(self, simulation):
        self.simulation = simulation
        self.steps = []  # [timestep, system_health, alive_agents]
        self.latest = None  # the last simulation_step's data (with its snapshot)
        self.feed = []  # shocks, defaults, decisions and resolutions: {"event", "data"}
        self.completed = None
        self.sequence = 0  # events published so far
        self.started_at = int(time.time() * 1000)

    def record(self, event, data):
        if event == "simulation_step":
            self.steps.append([data["timestep"], data["system_health"], data["alive_agents"]])
            self.latest = data
        elif event == "simulation_completed":
            self.completed = data
        elif event != "simulation_started":
            self.feed.append({"event": event, "data": data})

    def catch_up(self):
        """The run so far, in the shape of the hub's catch-up snapshot (server.ts)."""
        sim = self.simulation
        return {
            "simulation": sim.describe(),
            "steps": self.steps,
            "latest": self.latest,
            "feed": self.feed,
            "pending": sim.pending,
            "completed": self.completed,
        }


class App:
    def __init__(self, hub_url, api_key, data_dir, step_delay):
        self.hub_url = hub_url if hub_url.endswith("/") else hub_url + "/"
        self.api_key = api_key
        self.data_dir = data_dir
        self.step_delay = step_delay
        self.lock = threading.Lock()
        self.runs = {}  # simulation id -> Run
        self.wakeups = {}  # simulation id -> Condition (a decision was answered)
        self.stopping = threading.Event()

    # --- persistence ------------------------------------------------------------------

    def save(self, run):
        path = os.path.join(self.data_dir, f"{run.simulation.id}.pickle")
        with open(path + ".tmp", "wb") as file:
            pickle.dump(run, file)
        os.replace(path + ".tmp", path)

    def resume(self):
        """Loads the simulations of an earlier process; the running ones carry on."""
        for name in sorted(os.listdir(self.data_dir)):
            if not name.endswith(".pickle"):
                continue
            with open(os.path.join(self.data_dir, name), "rb") as file:
                run = pickle.load(file)
            self.runs[run.simulation.id] = run
            self.wakeups[run.simulation.id] = threading.Condition(self.lock)
            if run.simulation.status != "completed":
                threading.Thread(target=self.simulate, args=(run,), daemon=True).start()

    # --- RPCs -------------------------------------------------------------------------

    def rpc(self, body):
        method = body.get("method")
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise Refusal(BAD_INPUT, "data must be an object")
        if method == "risk.start":
            return self.start(data)
        if method == "risk.decide":
            return self.decide(data)
        if method == "risk.get":
            with self.lock:
                return self.run_of(data).catch_up()
        if method == "risk.list":
            with self.lock:
                return {"simulations": self.recent()}
        raise Refusal(NO_SUCH_METHOD, f"No method {method}")

    def start(self, data):
        scenario = data.get("scenario", "real_estate_crash")
        if scenario not in SCENARIOS:
            raise Refusal(BAD_INPUT, f"scenario must be one of: {', '.join(SCENARIOS)}")
        seed = data.get("seed")
        if seed is None:
            seed = secrets.randbelow(1_000_000)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31:
            raise Refusal(BAD_INPUT, "seed must be an integer from 0 to 2147483647")
        steps = data.get("steps", 200)
        if not isinstance(steps, int) or isinstance(steps, bool) or not 10 <= steps <= 500:
            raise Refusal(BAD_INPUT, "steps must be an integer from 10 to 500")
        sim_id = secrets.token_hex(4)
        run = Run(Simulation(sim_id, seed, scenario, steps))
        with self.lock:
            self.runs[sim_id] = run
            self.wakeups[sim_id] = threading.Condition(self.lock)
            self.save(run)
        threading.Thread(target=self.simulate, args=(run, True), daemon=True).start()
        return {"simulationId": sim_id, "channel": f"sim:{sim_id}", **run.simulation.describe()}

    def decide(self, data):
        choice = data.get("choice")
        if choice not in ("recommended", "alternative"):
            raise Refusal(BAD_INPUT, "choice must be 'recommended' or 'alternative'")
        with self.lock:
            run = self.run_of(data)
            try:
                resolution = run.simulation.decide(data.get("decisionId"), choice)
            except LookupError as error:
                raise Refusal(NOT_PENDING, str(error)) from None
            events = [("decision_resolved", resolution)]
            batch = self.numbered(run, events)
            self.save(run)
            self.wakeups[run.simulation.id].notify_all()
        # Published before the answer: the caller's screen and every other one close the
        # dialog on the same event.
        self.publish(batch)
        return resolution

    def recent(self, count=8):
        """The latest simulations, newest first: what a newcomer may join."""
        runs = sorted(self.runs.values(), key=lambda run: run.started_at, reverse=True)[:count]
        return [
            {
                **run.simulation.describe(),
                "timestep": run.simulation.timestep,
                "status": run.simulation.status,
                "started_at": run.started_at,
            }
            for run in runs
        ]

    def run_of(self, data):
        run = self.runs.get(data.get("simulationId"))
        if run is None:
            raise Refusal(NO_SUCH_SIMULATION, "No such simulation")
        return run

    # --- the work ---------------------------------------------------------------------

    def numbered(self, run, events):
        """Records `events` and numbers them for the hub (under the lock)."""
        batch = []
        for event, data in events:
            run.record(event, data)
            run.sequence += 1
            batch.append({
                "channel": f"sim:{run.simulation.id}",
                "event": event,
                "data": data,
                "idempotencyKey": f"{run.simulation.id}-{run.sequence}",
            })
        return batch

    def simulate(self, run, fresh=False):
        sim = run.simulation
        wakeup = self.wakeups[sim.id]
        if fresh:
            with self.lock:
                batch = self.numbered(run, [("simulation_started", sim.describe())])
                self.save(run)
            self.publish(batch)
        while not self.stopping.is_set():
            with self.lock:
                while sim.status == "awaiting_decision" and not self.stopping.is_set():
                    wakeup.wait(0.5)
                if sim.status == "completed":
                    return
            time.sleep(self.step_delay)
            with self.lock:
                batch = self.numbered(run, sim.step())
                self.save(run)
            self.publish(batch)

    def publish(self, batch):
        """Publishes through the hub's HTTP API, in order, until the hub takes it (a hub that
        restarts is waited for; the idempotency keys make a retry safe)."""
        for start in range(0, len(batch), 100):
            body = json.dumps(batch[start : start + 100]).encode()
            delay = 0.1
            while not self.stopping.is_set():
                request = urllib.request.Request(
                    self.hub_url + "api/publish",
                    data=body,
                    method="POST",
                    headers={
                        "Authorization": f"Bearer {self.api_key}",
                        "Content-Type": "application/json",
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        response.read()
                    break
                except urllib.error.HTTPError as error:
                    if error.code < 500:  # refused for good: say so, do not retry
                        print(json.dumps({"publishRefused": error.read().decode()}), flush=True)
                        break
                except (urllib.error.URLError, OSError):
                    pass
                self.stopping.wait(delay)
                delay = min(delay * 2, 2.0)


def handler(app, secret):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/switchyard/rpc":
                return self.answer(404, {"error": "not found"})
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not signature.verify(raw, self.headers.get(signature.HEADER), secret):
                return self.answer(401, {"error": "bad signature"})
            try:
                result = app.rpc(json.loads(raw or b"{}"))
            except Refusal as refusal:
                return self.answer(200, {"error": {"code": refusal.code, "message": refusal.message}})
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                return self.answer(400, {"error": f"bad request: {error}"})
            return self.answer(200, {"result": {"data": result}})

        def answer(self, status, body):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    return Handler


def exit_when_stdin_closes():
    """A parent that dies closes our stdin: never outlive it."""
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--hub-url", required=True, help="where the hub's HTTP API is (<url>api/publish)")
    parser.add_argument("--api-key", default=os.environ.get("SWITCHYARD_API_KEY"))
    parser.add_argument("--secret", default=os.environ.get("SWITCHYARD_PROXY_SECRET"))
    parser.add_argument("--data-dir", required=True, help="where simulations are kept")
    parser.add_argument("--step-delay", type=float, default=0.5, help="seconds per timestep")
    parser.add_argument(
        "--exit-with-stdin", action="store_true", help="exit when stdin closes (the parent is gone)"
    )
    args = parser.parse_args()
    if not args.api_key or not args.secret:
        parser.error("give --api-key and --secret (or SWITCHYARD_API_KEY, SWITCHYARD_PROXY_SECRET)")
    os.makedirs(args.data_dir, exist_ok=True)
    if args.exit_with_stdin:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    app = App(args.hub_url, args.api_key, args.data_dir, args.step_delay)
    app.resume()
    server = ThreadingHTTPServer((args.host, args.port), handler(app, args.secret))
    server.daemon_threads = True
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.stopping.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
