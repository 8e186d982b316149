/**
 * The risk simulator's hub, beside its Python backend (`server.py`, a real `python3` process):
 *
 * - the browsers' RPCs `risk.*` go to the backend through the hub's RPC proxy (signed);
 * - the backend publishes each simulation on `sim:<id>` through the hub's HTTP API, served
 *   under the app's URL (`<url>api/publish`);
 * - `sim` keeps history, and each subscribe reply carries the run so far (`snapshot`: a
 *   {@link CatchUp} built from that history), so a viewer who opens or reloads the page mid-run
 *   draws every step at once and continues with the live events, without a gap. When the
 *   history does not reach back to the start (the hub restarted), the backend's own record of
 *   the run fills in the rest.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createHttpApi, createHub, type Hub, signWebhook } from "@switchyard/server";
import type { AppHubFactory } from "../web/app-hub.js";
import { applyEvent, type CatchUp, EMPTY_RUN } from "./run.js";

const SCRIPT = fileURLToPath(new URL("./server.py", import.meta.url));

/** Options of {@link createRiskApp}. */
export interface RiskAppOptions {
  /**
   * Where the backend keeps its simulations; it outlives a restart of the hub and backend.
   * @default a new directory under the system's temporary directory, one per factory
   */
  dataDir?: string;
  /** Seconds between two timesteps. @default 0.5 */
  stepDelay?: number;
  /** The Python interpreter. @default "python3" */
  python?: string;
}

/** How long the backend may take to answer the hub (RPCs, the catch-up's record), in ms. */
const BACKEND_TIMEOUT = 5_000;

/**
 * The risk simulator's {@link AppHubFactory}: starts `server.py` on a free port, reads its
 * URL, and creates the hub whose RPC proxy points at it; `close()` stops both.
 */
export function createRiskApp(options: RiskAppOptions = {}): AppHubFactory {
  let dataDir = options.dataDir;
  return async ({ url }) => {
    dataDir ??= mkdtempSync(join(tmpdir(), "switchyard-risk-"));
    const apiKey = randomBytes(24).toString("base64url");
    const secret = randomBytes(24).toString("base64url");
    const backend = await startBackend({
      python: options.python ?? "python3",
      args: [
        ...["--port", "0", "--hub-url", url, "--data-dir", dataDir],
        ...["--step-delay", String(options.stepDelay ?? 0.5), "--exit-with-stdin"],
      ],
      env: { SWITCHYARD_API_KEY: apiKey, SWITCHYARD_PROXY_SECRET: secret },
    });
    const rpcUrl = `${backend.url}/switchyard/rpc`;
    let hub: Hub | undefined;
    try {
      const created = createHub({
        allowAnonymous: true,
        namespaces: {
          sim: {
            subscribe: "anyone",
            publish: "nobody",
            history: { size: 2_000, ttl: 3_600_000 },
            snapshot: ({ channel, name }) =>
              catchUp(created, channel, () =>
                askBackend(rpcUrl, secret, "risk.get", { simulationId: name }),
              ),
          },
        },
        // Who watches a run: its viewers count each other.
        presence: { namespaces: { sim: true } },
        proxy: { rpc: { url: rpcUrl, methods: "risk.*", timeout: BACKEND_TIMEOUT }, secret },
      });
      hub = created;
      await created.whenStarted();
    } catch (error) {
      await backend.stop();
      await hub?.close({ timeout: 200 });
      throw error;
    }
    return {
      hub,
      routes: createHttpApi(hub, { apiKey }),
      async close() {
        await backend.stop();
        await hub.close({ timeout: 200 });
      },
    };
  };
}

/** The app as the web apps server mounts it: a simulation step every half second. */
export const riskApp: AppHubFactory = createRiskApp();

/**
 * The run so far on `channel`, from the hub's history; when the history does not hold the
 * run's start, the backend's record (`record()`) comes first and the history on top of it.
 */
export async function catchUp(
  hub: Pick<Hub, "history">,
  channel: string,
  record: () => Promise<CatchUp>,
): Promise<CatchUp> {
  const events: { event: string; data: unknown }[] = [];
  let after = 0;
  for (;;) {
    const page = await hub.history(channel, { after, limit: 1000 });
    events.push(...page.events);
    const last = page.events[page.events.length - 1];
    if (page.events.length < 1000 || last?.offset === undefined) break;
    after = last.offset;
  }
  let run = EMPTY_RUN;
  if (!events.some((event) => event.event === "simulation_started")) {
    run = await record().catch(() => EMPTY_RUN);
  }
  for (const event of events) run = applyEvent(run, event.event, event.data);
  return run;
}

/** A running `server.py`. */
interface Backend {
  readonly url: string;
  stop(): Promise<void>;
}

async function startBackend(options: {
  python: string;
  args: string[];
  env: Record<string, string>;
}): Promise<Backend> {
  const child: ChildProcess = spawn(options.python, [SCRIPT, ...options.args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...options.env },
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
  };
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server.py did not start in 10 s")), 10_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server.py exited (${code}) before listening`)));
    lines.on("line", (line) => {
      // Later lines are the backend's own reports (a publish the hub refused): keep them.
      let port: number | undefined;
      try {
        port = (JSON.parse(line) as { listening?: number }).listening;
      } catch {}
      if (port === undefined) process.stderr.write(`risk-simulator backend: ${line}\n`);
      else {
        clearTimeout(timer);
        resolve(port);
      }
    });
  });
  try {
    const port = await listening;
    return { url: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Calls one of the backend's RPCs as the hub's proxy does (signed with the proxy secret). */
function askBackend(url: string, secret: string, method: string, data: unknown): Promise<CatchUp> {
  const body = JSON.stringify({ client: null, method, data });
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "switchyard-signature": signWebhook(body, secret),
        },
        timeout: BACKEND_TIMEOUT,
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () => {
          try {
            const answer = JSON.parse(Buffer.concat(parts).toString()) as {
              result?: { data: CatchUp };
              error?: unknown;
            };
            if (answer.result) resolve(answer.result.data);
            else reject(new Error(`backend refused ${method}: ${JSON.stringify(answer.error)}`));
          } catch (error) {
            reject(error);
          }
        });
        response.on("error", reject);
      },
    );
    call.on("timeout", () => call.destroy(new Error(`backend timeout on ${method}`)));
    call.on("error", reject);
    call.end(body);
  });
}
