/**
 * The risk simulator's backend as a real python3 process behind its real hub (the app's
 * factory, mounted by the web apps server): RPCs through the proxy start a run and answer its
 * decision, the run's events arrive on `sim:<id>` in order, a late subscriber's catch-up holds
 * every step so far, the answer changes the run (same seed, other answer), and after a restart
 * of hub and backend the run carries on from where it was, its catch-up still complete.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { signWebhook } from "@switchyard/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "../../packages/server/test/helpers/fixtures.js";
import { startTestApps, type TestApps } from "../web/test/support.js";
import { type CatchUp, contiguous, type PendingDecision } from "./run.js";
import { createRiskApp } from "./server.js";

const APP = "risk-simulator";
let apps: TestApps;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "risk-backend-test-"));
  apps = await startTestApps({ hubs: { [APP]: createRiskApp({ dataDir, stepDelay: 0.02 }) } });
});

afterAll(async () => {
  await apps?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const wsUrl = () => `${apps.appUrl(APP).replace(/^http/, "ws")}ws`;

async function viewer(): Promise<RawClient> {
  const client = new RawClient(wsUrl());
  await client.connect();
  return client;
}

async function rpc(client: RawClient, method: string, data: unknown) {
  const reply = await client.request({ type: "rpc", method, data });
  if (reply.error) throw Object.assign(new Error("rpc refused"), { error: reply.error });
  return reply.result as Record<string, unknown>;
}

async function subscribe(client: RawClient, channel: string) {
  const reply = await client.request({ type: "subscribe", channel });
  expect(reply.error).toBeUndefined();
  return reply.result as { offset: number; snapshot: CatchUp };
}

const eventOf = (client: RawClient, channel: string, event: string) =>
  client.next((f) => f.type === "event" && f.channel === channel && f.event === event);

const timesteps = (client: RawClient, channel: string) =>
  client
    .events(channel)
    .filter((f) => f.event === "simulation_step")
    .map((f) => (f.data as { timestep: number }).timestep);

describe("examples/risk-simulator backend", () => {
  it("runs a simulation started by RPC, waits for its decision and goes on with the answer", async () => {
    const ada = await viewer();
    const started = await rpc(ada, "risk.start", { seed: 4, steps: 40 });
    expect(started).toMatchObject({ channel: `sim:${started.simulationId}`, seed: 4, steps: 40 });
    const channel = started.channel as string;
    const { snapshot } = await subscribe(ada, channel);
    // The scenario's crash at step 10 sends the user's bank past 8% NPA: the run stops there.
    const asked = await eventOf(ada, channel, "pending_decision");
    const decision = asked.data as PendingDecision;
    expect(decision).toMatchObject({ kind: "npa", title: "Risk Alert: High NPA Levels" });
    expect(decision.recommended_action.label).toBeTruthy();
    expect(decision.alternative_action.label).toBeTruthy();
    // Catch-up and live events together: every step from 1, none twice, none after the ask.
    const before = [...snapshot.steps.map(([t]) => t), ...timesteps(ada, channel)];
    expect(new Set(before).size).toBe(before.length);
    expect([...new Set(before)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: decision.timestep }, (_, i) => i + 1),
    );

    // A second viewer answers; the first sees it resolved and the run resumes.
    const bob = await viewer();
    const resolution = await rpc(bob, "risk.decide", {
      simulationId: started.simulationId,
      decisionId: decision.decision_id,
      choice: "recommended",
    });
    expect(resolution).toMatchObject({ choice: "recommended", decision_id: decision.decision_id });
    const resolved = await eventOf(ada, channel, "decision_resolved");
    expect(resolved.data).toMatchObject({ decision_id: decision.decision_id });
    await ada.next(
      (f) =>
        f.channel === channel &&
        f.event === "simulation_step" &&
        (f.data as { timestep: number }).timestep === decision.timestep + 1,
    );
    // Answered once: a late second answer is refused.
    const late = await bob.request({
      type: "rpc",
      method: "risk.decide",
      data: {
        simulationId: started.simulationId,
        decisionId: decision.decision_id,
        choice: "alternative",
      },
    });
    expect(late.error).toMatchObject({ code: "backend_error", details: { code: 1409 } });
    const { simulations } = (await rpc(bob, "risk.list", {})) as {
      simulations: { simulation_id: string; status: string; timestep: number }[];
    };
    expect(simulations[0]).toMatchObject({
      simulation_id: started.simulationId,
      status: "running",
    });
    const bad = await bob.request({ type: "rpc", method: "risk.start", data: { steps: 3 } });
    expect(bad.error).toMatchObject({ code: "backend_error", details: { code: 1422 } });
  }, 30_000);

  it("takes a different course with the other answer, the same one with the same answer", async () => {
    const client = await viewer();
    const runWith = async (choice: "recommended" | "alternative") => {
      const { channel, simulationId } = (await rpc(client, "risk.start", {
        seed: 7,
        steps: 30,
      })) as { channel: string; simulationId: string };
      await subscribe(client, channel);
      for (;;) {
        const from = client.frames.length;
        const next = await client.next(
          (f) =>
            f.channel === channel &&
            (f.event === "pending_decision" || f.event === "simulation_completed"),
          from,
        );
        if (next.event === "simulation_completed") break;
        const { decision_id } = next.data as PendingDecision;
        await rpc(client, "risk.decide", { simulationId, decisionId: decision_id, choice });
      }
      return client
        .events(channel)
        .filter((f) => f.event === "simulation_step")
        .map((f) => (f.data as { system_health: number }).system_health);
    };
    const recommended = await runWith("recommended");
    const again = await runWith("recommended");
    const alternative = await runWith("alternative");
    expect(again).toEqual(recommended);
    // Identical until the first decision (step 10), then apart.
    expect(alternative.slice(0, 10)).toEqual(recommended.slice(0, 10));
    expect(alternative.slice(10)).not.toEqual(recommended.slice(10));
  }, 30_000);

  it("carries a run on through a restart of hub and backend, its catch-up complete", async () => {
    const client = await viewer();
    const { channel, simulationId } = (await rpc(client, "risk.start", {
      // No decision in its first 120 steps: the run goes on by itself.
      scenario: "baseline",
      seed: 5,
      steps: 400,
    })) as { channel: string; simulationId: string };
    await subscribe(client, channel);
    await client.next(
      (f) => f.event === "simulation_step" && (f.data as { timestep: number }).timestep >= 15,
    );
    await apps.restart();
    // The new backend picked the run up: a new viewer's catch-up starts at step 1 (the
    // backend's record: the new hub's history starts after the restart) and is whole.
    const late = await viewer();
    const first = await subscribe(late, channel);
    expect(first.snapshot.simulation).toMatchObject({ simulation_id: simulationId, seed: 5 });
    expect(first.snapshot.steps.length).toBeGreaterThanOrEqual(15);
    expect(contiguous(first.snapshot)).toBe(true);
    const resumedFrom = first.snapshot.steps.length;
    const moved = await late.next(
      (f) =>
        f.event === "simulation_step" &&
        (f.data as { timestep: number }).timestep >= resumedFrom + 5,
    );
    expect(moved).toBeTruthy();
    const again = await subscribe(await viewer(), channel);
    expect(contiguous(again.snapshot)).toBe(true);
    expect(again.snapshot.steps.length).toBeGreaterThanOrEqual(resumedFrom + 5);
  }, 30_000);

  it("answers only requests the hub signed with its proxy secret", async () => {
    const secret = "risk-test-proxy-secret";
    const child = spawn(
      "python3",
      [
        fileURLToPath(new URL("./server.py", import.meta.url)),
        ...[
          "--port",
          "0",
          "--hub-url",
          "http://127.0.0.1:1/",
          "--data-dir",
          join(dataDir, "alone"),
        ],
        ...["--api-key", "unused", "--secret", secret, "--exit-with-stdin"],
      ],
      { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      let port: number | undefined;
      for await (const line of lines) {
        port = (JSON.parse(line) as { listening?: number }).listening;
        if (port !== undefined) break;
      }
      const url = `http://127.0.0.1:${port}/switchyard/rpc`;
      const body = JSON.stringify({
        client: null,
        method: "risk.get",
        data: { simulationId: "none" },
      });
      const post = (signature?: string) =>
        fetch(url, {
          method: "POST",
          body,
          headers: signature ? { "switchyard-signature": signature } : {},
        });
      expect((await post()).status).toBe(401);
      expect((await post(signWebhook(body, "another-secret"))).status).toBe(401);
      const stale = signWebhook(body, secret, Math.floor(Date.now() / 1000) - 600);
      expect((await post(stale)).status).toBe(401);
      const signed = await post(signWebhook(body, secret));
      expect(await signed.json()).toEqual({ error: { code: 1404, message: "No such simulation" } });
    } finally {
      // Its stdin closes with ours: the backend exits by itself.
      child.stdin?.end();
      if (child.exitCode === null) await once(child, "exit");
    }
  });
});
