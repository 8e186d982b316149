import { type Client, createClient, type ReceivedEvent, SwitchyardError } from "@switchyard/client";
import { msgpackCodec } from "@switchyard/client/msgpack";
import { afterEach, describe, expect, it } from "vitest";
import type { InputIssue } from "./parse-input.js";
import type { SourceMoved } from "./room-board.js";
import { DEMO_SCENARIO } from "./scenario.js";
import { MAX_CELLS } from "./schemas.js";
import { type AcousticServer, startAcousticServer } from "./server.js";

const disposers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

async function setup() {
  const server: AcousticServer = await startAcousticServer();
  disposers.push(() => server.close());
  const connect = (): Client => {
    const client = createClient({ url: server.url, codec: msgpackCodec });
    disposers.push(() => client.close());
    return client;
  };
  return { server, connect };
}

/** The error an RPC rejects with. */
async function refusal(call: Promise<unknown>): Promise<SwitchyardError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return error as SwitchyardError;
}

function issuesOf(error: SwitchyardError): InputIssue[] {
  expect(error.code).toBe("invalid_data");
  return (error.details as { issues: InputIssue[] }).issues;
}

const { room, sources } = DEMO_SCENARIO;
const mapInput = { grid: { resolution: 0.5 }, sources, room };

describe("validation errors name the parameter and suggest a value", () => {
  it("a resolution below the range suggests the smallest accepted one", async () => {
    const { connect } = await setup();
    const error = await refusal(
      connect().rpc("map.compute", { ...mapInput, grid: { resolution: 0.001 } }),
    );
    expect(issuesOf(error)).toEqual([
      expect.objectContaining({ path: ["grid", "resolution"], suggested: 0.05 }),
    ]);
    expect(error.message).toContain("at 'grid.resolution'");
    expect(error.message).toContain("(suggested: 0.05)");
  });

  it("a grid too fine for the room suggests the finest resolution that fits", async () => {
    const { connect } = await setup();
    const hall = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 60 },
      { x: 0, y: 60 },
    ];
    const error = await refusal(
      connect().rpc("map.compute", {
        grid: { resolution: 0.1 },
        room: hall,
        sources: [{ id: "a", x: 50, y: 30 }],
      }),
    );
    const [issue] = issuesOf(error);
    expect(issue?.path).toEqual(["grid", "resolution"]);
    // 100 × 60 m in at most 100 000 cells: 0.25 m (400 × 240 = 96 000 cells).
    expect(issue?.suggested).toBe(0.25);
    expect(Math.ceil(100 / 0.25) * Math.ceil(60 / 0.25)).toBeLessThanOrEqual(MAX_CELLS);
    expect(Math.ceil(100 / 0.2) * Math.ceil(60 / 0.2)).toBeGreaterThan(MAX_CELLS);
  });

  it("a source outside the room suggests the nearest point inside; a bad pattern suggests one", async () => {
    const { connect } = await setup();
    const error = await refusal(
      connect().rpc("map.compute", {
        ...mapInput,
        sources: [
          { id: "ok", x: 5, y: 5 },
          { id: "wing", x: 16, y: 11 }, // in the cut-out stage wing
        ],
      }),
    );
    expect(issuesOf(error)).toEqual([
      expect.objectContaining({ path: ["sources", 1], suggested: { x: 16, y: 7.9 } }),
    ]);

    const pattern = await refusal(
      connect().rpc("map.compute", {
        ...mapInput,
        sources: [{ id: "a", x: 5, y: 5, pattern: "figure-eight", power: 400 }],
      }),
    );
    expect(issuesOf(pattern)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["sources", 0, "power"], suggested: 150 }),
        expect.objectContaining({ path: ["sources", 0, "pattern"], suggested: "omni" }),
      ]),
    );
  });

  it("optimizer.start: every bad setting is listed with its suggestion", async () => {
    const { connect } = await setup();
    const error = await refusal(
      connect().rpc("optimizer.start", {
        sources,
        room,
        population: 2,
        mutationRate: 1.5,
        generations: "many",
      }),
    );
    expect(issuesOf(error)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["population"], suggested: 4 }),
        expect.objectContaining({ path: ["mutationRate"], suggested: 1 }),
        expect.objectContaining({ path: ["generations"], suggested: 30 }),
      ]),
    );
    const elitism = await refusal(
      connect().rpc("optimizer.start", { sources, room, population: 4, elitism: 4 }),
    );
    expect(issuesOf(elitism)).toEqual([
      expect.objectContaining({ path: ["elitism"], suggested: 2 }),
    ]);
  });
});

describe("optimizer.stop", () => {
  it("only the owner may stop an optimisation, and only an optimisation", async () => {
    const { connect, server } = await setup();
    const owner = connect();
    const { jobId } = (await owner.rpc("optimizer.start", {
      sources,
      room,
      generations: 500,
      resolution: 0.5,
      seed: 1,
    })) as { jobId: string };
    const stranger = await refusal(connect().rpc("optimizer.stop", { jobId }));
    expect(stranger.code).toBe("forbidden");

    const map = (await owner.rpc("map.compute", mapInput)) as { jobId: string };
    const notOptimizer = await refusal(owner.rpc("optimizer.stop", { jobId: map.jobId }));
    expect(issuesOf(notOptimizer)).toEqual([expect.objectContaining({ path: ["jobId"] })]);

    const stopped = (await owner.rpc("optimizer.stop", { jobId })) as { status: string };
    expect(["cancelling", "cancelled"]).toContain(stopped.status);
    const final = await server.hub.jobs
      .get(jobId)
      .then(async (job) =>
        job.status === "cancelled" ? job : (await server.hub.jobs.attach(jobId)).done,
      );
    expect(final.status).toBe("cancelled");
    expect(final.chunks.count).toBeLessThan(500);
    const unknown = await refusal(owner.rpc("optimizer.stop", { jobId: "nope" }));
    expect(unknown.code).toBe("job_not_found");
  });
});

describe("sources.move", () => {
  it("broadcasts a move to the other users of the room; a late joiner gets the positions", async () => {
    const { connect } = await setup();
    const mover = connect();
    const watcher = connect();
    const received = new Promise<ReceivedEvent>((resolve) => {
      const subscription = watcher.subscribe("room:studio", { onEvent: resolve });
      disposers.push(() => subscription.unsubscribe());
    });
    // The move is published once the watcher's subscription is live.
    await new Promise<void>((resolve) => {
      const subscription = watcher.subscribe("room:studio");
      const check = () => {
        if (subscription.state.getSnapshot().status === "subscribed") resolve();
      };
      subscription.state.subscribe(check);
      check();
    });
    await mover.rpc("sources.move", { room: "studio", sourceId: "fill", x: 4.5, y: 2, angle: 30 });
    const event = await received;
    expect(event.event).toBe("source_moved");
    expect(event.data).toMatchObject({ sourceId: "fill", x: 4.5, y: 2, angle: 30 });
    const moverId = mover.connection.getSnapshot().info?.clientId;
    expect((event.data as SourceMoved).by.clientId).toBe(moverId);

    const late = connect().subscribe("room:studio");
    const snapshot = await new Promise<unknown>((resolve) => {
      const check = () => {
        const state = late.state.getSnapshot();
        if (state.status === "subscribed") resolve(state.snapshot);
      };
      late.state.subscribe(check);
      check();
    });
    expect(snapshot).toMatchObject({ sources: [{ sourceId: "fill", x: 4.5, y: 2, angle: 30 }] });

    const bad = await refusal(
      mover.rpc("sources.move", { room: "studio", sourceId: "fill", x: 5000, y: 2 }),
    );
    expect(issuesOf(bad)).toEqual([expect.objectContaining({ path: ["x"], suggested: 1000 })]);
    const publish = await refusal(watcher.publish("room:studio", "source_moved", { x: 1 }));
    expect(publish.code).toBe("forbidden");
  });
});
