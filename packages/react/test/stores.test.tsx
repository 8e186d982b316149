// @vitest-environment happy-dom
/**
 * The store hooks against a real hub: jobs (with cancel), the job list, RPC, synced state (one
 * key re-renders only for that key) and presence.
 */
import type { Client } from "@switchyard/client";
import type { JobHandle } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  SwitchyardProvider,
  useJob,
  useJobs,
  usePresence,
  useRpc,
  useStateValue,
  useSyncedState,
} from "../src/index.js";
import { connect, mount, Signal, startHub } from "./harness.js";

async function connected(client: Client): Promise<void> {
  const signal = new Signal();
  const stop = client.connection.subscribe(signal.poke);
  await signal.until(() => client.connection.getSnapshot().status === "connected", "connected");
  stop();
}

function JobView({ id }: { id: string }) {
  const job = useJob(id);
  const chunks = job.chunks.map((c) => (c.data as { step: string }).step).join("+");
  return (
    <div>
      <p>
        {job.status ?? "none"} {job.percent}% step={job.step ?? "-"} chunks={chunks}
      </p>
      <button type="button" onClick={() => void job.cancel("Stopped by the user").catch(() => {})}>
        Cancel
      </button>
    </div>
  );
}

function JobList() {
  const { jobs, status } = useJobs();
  return (
    <p>
      list={status}:{jobs.map((j) => j.id).join(",")}
    </p>
  );
}

function Adder() {
  const add = useRpc("math.add");
  return (
    <div>
      <button type="button" onClick={() => add.run({ a: 1, b: 2 })}>
        Add
      </button>
      <button type="button" onClick={() => add.run({ a: -1, b: 0 })}>
        Bad
      </button>
      <p>
        sum={add.pending ? "…" : String(add.data ?? "-")} error={add.error?.message ?? "-"}
      </p>
    </div>
  );
}

type Settings = { damping: number; gravity: number };

function Damping({ renders }: { renders: { count: number } }) {
  renders.count += 1;
  const damping = useStateValue<Settings, "damping">("settings", "damping");
  return (
    <div>
      <p>
        damping={String(damping.value)} pending={String(damping.pending)}
      </p>
      <button type="button" onClick={() => void damping.set(0.25)}>
        Damp
      </button>
    </div>
  );
}

function Whole({ renders }: { renders: { count: number } }) {
  renders.count += 1;
  const settings = useSyncedState<Settings>("settings");
  return (
    <p>
      {settings.status} v{settings.version} gravity={String(settings.values.gravity)}
    </p>
  );
}

function Room({ joins }: { joins: string[] }) {
  const room = usePresence("room:1", { onJoin: (c) => joins.push(c.clientId) });
  return (
    <p>
      members={room.count.members} connections={room.count.connections}
    </p>
  );
}

describe("useJob and useJobs", () => {
  it("follow a job's progress, steps and chunks, and cancel it", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    await connected(client);
    const gate = new Signal();
    let opened = false;
    const handle = await fixture.hub.jobs.run(
      async (job: JobHandle) => {
        await job.progress(40, { step: "Blur" });
        await job.chunk({ step: "Blur" }, { index: 0, total: 2 });
        await gate.until(() => opened || job.signal.aborted, "the gate");
        job.signal.throwIfAborted();
        await job.progress(80, { step: "Label" });
        await job.chunk({ step: "Label" }, { index: 1, total: 2 });
        await new Promise((resolve) => job.signal.addEventListener("abort", resolve));
        job.signal.throwIfAborted();
      },
      { owner: { sessionId: client.sessionId as string } },
    );
    const view = mount(
      <SwitchyardProvider client={client}>
        <JobView id={handle.id} />
        <JobList />
      </SwitchyardProvider>,
      { strict: true },
    );
    await view.text("running 40% step=Blur chunks=Blur");
    await view.text(`list=ready:${handle.id}`);
    opened = true;
    gate.poke();
    await view.text("running 80% step=Label chunks=Blur+Label");
    view.container.querySelector("button")?.click();
    await view.text("cancelled");
  });
});

describe("useRpc", () => {
  it("calls a method and shows its result, then an error", async () => {
    const fixture = await startHub({}, (hub) =>
      hub.rpc("math.add", (data) => {
        const { a, b } = data as { a: number; b: number };
        if (a < 0) throw new Error("negative");
        return a + b;
      }),
    );
    const client = connect(fixture.url);
    const view = mount(
      <SwitchyardProvider client={client}>
        <Adder />
      </SwitchyardProvider>,
    );
    await view.text("sum=- error=-");
    view.container.querySelectorAll("button")[0]?.click();
    await view.text("sum=3 error=-");
    view.container.querySelectorAll("button")[1]?.click();
    // The earlier result stays; the error of the latest call shows.
    await view.until(
      () => /sum=3 error=(?!-)/.test(view.container.textContent ?? ""),
      () => `an error in "${view.container.textContent}"`,
    );
  });
});

describe("useSyncedState and useStateValue", () => {
  it("re-render a key's component only when that key changes; writes show at once", async () => {
    const fixture = await startHub({
      state: {
        documents: {
          settings: {
            keys: { damping: { schema: z.number(), default: 0.5 }, gravity: z.number() },
            read: "anyone",
            write: { "": "anyone" },
          },
        },
      },
    });
    const client = connect(fixture.url);
    const other = connect(fixture.url);
    const damping = { count: 0 };
    const whole = { count: 0 };
    const view = mount(
      <SwitchyardProvider client={client}>
        <Damping renders={damping} />
        <Whole renders={whole} />
      </SwitchyardProvider>,
    );
    await view.text("damping=0.5 pending=false");
    await view.text("ready v");
    const before = { damping: damping.count, whole: whole.count };
    // Another client changes another key three times.
    const store = other.state("settings");
    for (const g of [1, 2, 3]) await store.set("gravity", g);
    await view.text("gravity=3");
    expect(whole.count - before.whole).toBeGreaterThanOrEqual(1);
    expect(damping.count).toBe(before.damping);
    store.dispose();

    view.container.querySelector("button")?.click();
    await view.text("damping=0.25 pending=false");
    expect(damping.count).toBeGreaterThan(before.damping);
  });
});

describe("usePresence", () => {
  it("counts the members of a channel and reports joins", async () => {
    const fixture = await startHub({ presence: { namespaces: { room: {} } } });
    const client = connect(fixture.url);
    const joins: string[] = [];
    const view = mount(
      <SwitchyardProvider client={client}>
        <Room joins={joins} />
      </SwitchyardProvider>,
      { strict: true },
    );
    await view.text("members=1 connections=1");
    const guest = connect(fixture.url);
    guest.subscribe("room:1");
    await view.text("members=2 connections=2");
    await connected(guest);
    expect(joins).toContain(guest.connection.getSnapshot().info?.clientId);
    guest.close();
    await view.text("members=1 connections=1");
  });
});
