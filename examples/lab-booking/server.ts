/**
 * The lab booking app's hub beside its Python backend (`server.py`, standard library only).
 *
 * The factory starts `python3 server.py` on a free port (it prints its URL), then a hub that
 * verifies the JWTs the backend issues (one HS256 secret for both) and answers its HTTP API
 * under the app's path, where the backend publishes after each change. A route forwards
 * `/<app>/backend/*` to the backend's REST API, so the page talks to one origin.
 *
 * | channel      | events                                                                   |
 * | ------------ | ------------------------------------------------------------------------ |
 * | `equipment`  | `equipment_created`, `equipment_updated`, `equipment_deleted`, `equipment_status` |
 * | `sessions`   | `session_started`, `session_ended`                                       |
 * | `$user:<id>` | `sample_received` (the recipient only), `sample_updated`                 |
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createHttpApi, createHub, type HistoryOptions, type Hub } from "@switchyard/server";
import { Hono } from "hono";
import type { AppHubFactory } from "../web/app-hub.js";

const SCRIPT = fileURLToPath(new URL("./server.py", import.meta.url));

/** Options of {@link createBookingApp}. */
export interface BookingAppOptions {
  /**
   * Where the backend keeps its SQLite file. It outlives a restart of the hub (the same
   * bookings after a redeploy).
   * @default a new directory under the system's temp dir, made on the first start
   */
  dataDir?: string;
  /** History of the `equipment` and `sessions` channels. @default 200 events, 10 minutes */
  history?: Partial<HistoryOptions>;
  /** History of the personal channels (sample notices). @default the hub's */
  personalHistory?: Partial<HistoryOptions>;
}

/** The backend process, once it printed its port. */
interface Backend {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `server.py`; resolves with its URL once it listens. */
async function startBackend(
  hubUrl: string,
  dataDir: string,
  secrets: { apiKey: string; jwtSecret: string },
): Promise<Backend> {
  const child: ChildProcess = spawn(
    "python3",
    // Its stdin is a pipe from this process: should this process die without `close()`, the
    // pipe closes and the backend exits too (--exit-with-stdin).
    [SCRIPT, "--port", "0", "--data-dir", dataDir, "--hub-url", hubUrl, "--exit-with-stdin"],
    {
      // The secrets go by environment, not on the command line other users can read.
      env: { ...process.env, SWITCHYARD_API_KEY: secrets.apiKey, JWT_SECRET: secrets.jwtSecret },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill();
    await exited;
  };
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server.py exited (${code}) before listening`)));
    lines.on("line", (line) => {
      try {
        const listening = (JSON.parse(line) as { listening?: number }).listening;
        if (listening !== undefined) resolve(listening);
      } catch {
        // Not a line of ours.
      }
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** The hub: JWT auth with the backend's secret, the two entity channels and their history. */
function createBookingHub(jwtSecret: string, options: BookingAppOptions): Hub {
  const history = { size: 200, ttl: 600_000, ...options.history };
  return createHub({
    auth: { secret: jwtSecret },
    // A connection without a token is let in but may follow nothing: every channel wants a
    // verified user (a page that has not logged in yet, a health check).
    allowAnonymous: true,
    // `equipment` and `sessions` (channels without a `ns:` prefix): signed-in users listen,
    // only the backend publishes (through the HTTP API).
    defaultNamespace: { subscribe: "authenticated", publish: "nobody", history },
    ...(options.personalHistory ? { personalHistory: options.personalHistory } : {}),
  });
}

/** Forwards `/backend/<path>` to the backend's `/<path>`: the page's REST API. */
function backendRoutes(backend: string): Hono {
  const routes = new Hono();
  routes.all("/backend/*", async (c) => {
    const url = new URL(c.req.url);
    const path = url.pathname.slice(url.pathname.indexOf("/backend/") + "/backend".length);
    const headers = new Headers();
    for (const name of ["authorization", "content-type"]) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const body = ["GET", "HEAD"].includes(c.req.method) ? undefined : await c.req.arrayBuffer();
    try {
      const answer = await fetch(`${backend}${path}${url.search}`, {
        method: c.req.method,
        headers,
        body,
      });
      return new Response(answer.body, {
        status: answer.status,
        headers: {
          "content-type": answer.headers.get("content-type") ?? "application/json",
          "cache-control": "no-store",
        },
      });
    } catch {
      return c.json({ error: "The booking backend is not answering" }, 502);
    }
  });
  return routes;
}

/**
 * A factory of the lab booking app: each call (a start, a restart) starts the backend and a
 * hub; the data directory and secrets are the same for every call of one factory, so the
 * bookings and the users' tokens survive a restart.
 */
export function createBookingApp(options: BookingAppOptions = {}): AppHubFactory {
  const apiKey = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(32).toString("base64url");
  let dataDir = options.dataDir;
  return async ({ url }) => {
    if (dataDir === undefined) {
      const made = mkdtempSync(join(tmpdir(), "lab-booking-"));
      // A directory of our own making goes with the process.
      process.once("exit", () => rmSync(made, { recursive: true, force: true }));
      dataDir = made;
    }
    const backend = await startBackend(url, dataDir, { apiKey, jwtSecret });
    const hub = createBookingHub(jwtSecret, options);
    await hub.whenStarted();
    const routes = new Hono();
    routes.route("/", backendRoutes(backend.url));
    routes.route("/", createHttpApi(hub, { apiKey }));
    return {
      hub,
      routes,
      async close() {
        // The pages' links first (they reconnect to the next hub), then the backend.
        await hub.close({ timeout: 500 });
        await backend.stop();
      },
    };
  };
}

/** The lab booking app as the web apps server mounts it. */
export const bookingApp: AppHubFactory = createBookingApp();
