import { type Client, createClient, SwitchyardError } from "@switchyard/client";
import { msgpackCodec } from "@switchyard/client/msgpack";
import { afterEach, describe, expect, it } from "vitest";
import type { InputIssue } from "./parse-input.js";
import { PROJECT_ROOM, PROJECT_SOURCES, sourceKey } from "./project-keys.js";
import { type AcousticServer, startAcousticServer } from "./server.js";
import { airAbsorption, splAt } from "./spl.js";

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

async function refusal(call: Promise<unknown>): Promise<InputIssue[]> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  expect((error as SwitchyardError).code).toBe("invalid_data");
  return ((error as SwitchyardError).details as { issues: InputIssue[] }).issues;
}

describe("projects", () => {
  it("project.update validates each value against the project and suggests one", async () => {
    const { connect, server } = await setup();
    const client = connect();
    expect(
      await refusal(client.rpc("project.update", { project: "p", set: { frequency: 50_000 } })),
    ).toEqual([expect.objectContaining({ path: ["set", "frequency"], suggested: 20_000 })]);
    expect(
      await refusal(
        client.rpc("project.update", { project: "p", set: { "grid.resolution": 0.05 } }),
      ),
    ).toEqual([expect.objectContaining({ path: ["set", "grid.resolution"], suggested: 0.1 })]);
    // A source dropped in the cut-out stage wing: the nearest point inside.
    expect(
      await refusal(
        client.rpc("project.update", {
          project: "p",
          set: { [sourceKey("fill", "x")]: 16, [sourceKey("fill", "y")]: 11 },
        }),
      ),
    ).toEqual([
      expect.objectContaining({ path: ["set", "sources.fill.x"], suggested: 16 }),
      expect.objectContaining({ path: ["set", "sources.fill.y"], suggested: 7.9 }),
    ]);
    expect(
      await refusal(client.rpc("project.update", { project: "p", set: { colour: "red" } })),
    ).toEqual([expect.objectContaining({ path: ["set", "colour"] })]);
    // Clients cannot write the document around the RPC.
    const direct = await client
      .rpc("state.write", { name: "project-p", set: { frequency: 2000 } })
      .then(
        () => null,
        (error: SwitchyardError) => error.code,
      );
    expect(direct).toBe("forbidden");

    const { version } = (await client.rpc("project.update", {
      project: "p",
      set: { frequency: 4000, [sourceKey("fill", "x")]: 5 },
    })) as { version: number };
    expect(version).toBe(1);
    expect(await server.hub.state("project-p").value("frequency")).toBe(4000);
    const preview = (await client.rpc("project.preview", { project: "p", x: 6, y: 3 })) as {
      splValue: number;
    };
    const sources = PROJECT_SOURCES.map((source) =>
      source.id === "fill" ? { ...source, x: 5 } : source,
    );
    expect(preview.splValue).toBeCloseTo(splAt(sources, { x: 6, y: 3 }, airAbsorption(4000)), 9);
    expect(await client.rpc("project.preview", { project: "p", x: 16, y: 11 })).toEqual({
      point: [16, 11],
      splValue: null,
    });
    expect(PROJECT_ROOM).toHaveLength(6);
  });

  it("any member may stop a project's job; a new run replaces the running one", async () => {
    const { connect, server } = await setup();
    const owner = connect();
    const other = connect();
    const { jobId } = (await owner.rpc("project.optimize", { project: "q" })) as {
      jobId: string;
    };
    expect(await server.hub.state("project-q").value("optimizer.job")).toBe(jobId);
    const stopped = (await other.rpc("project.stop", { project: "q", jobId })) as {
      status: string;
    };
    expect(["cancelling", "cancelled"]).toContain(stopped.status);
    const info = await server.hub.jobs.get(jobId);
    const final =
      info.status === "cancelled" ? info : await (await server.hub.jobs.attach(jobId)).done;
    expect(final.status).toBe("cancelled");
    expect(await refusal(other.rpc("project.stop", { project: "elsewhere", jobId }))).toEqual([
      expect.objectContaining({ path: ["jobId"] }),
    ]);

    const first = (await owner.rpc("project.simulate", { project: "q" })) as { jobId: string };
    const second = (await other.rpc("project.simulate", { project: "q" })) as { jobId: string };
    expect(await server.hub.state("project-q").value("map.job")).toBe(second.jobId);
    const replaced = await server.hub.jobs.get(first.jobId);
    expect(["cancelling", "cancelled", "completed"]).toContain(replaced.status);
  });
});
