import { randomUUID } from "node:crypto";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type {
  StateConflictDetails,
  StateDocument,
  StateEventData,
  StateWriteResult,
} from "@switchyard/protocol";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import type { StateDocumentOptions } from "../features/state/options.js";
import { ContractClient, type ContractWebSocket, type HubFrame } from "./state-client.js";
import { stateRulesContract } from "./state-contract-rules.js";
import type { StartStateNodes, StateContractNode } from "./state-harness.js";

const SECRET = "state-contract-secret-of-at-least-32-bytes";

/** A number schema (Standard Schema), between `min` and `max`. */
function numberSchema(min = -1e9, max = 1e9): StandardSchemaV1<unknown, number> {
  return {
    "~standard": {
      version: 1,
      vendor: "state-contract",
      validate: (value) =>
        typeof value === "number" && value >= min && value <= max
          ? { value }
          : { issues: [{ message: `expected a number in [${min}, ${max}]` }] },
    },
  };
}

const text: StandardSchemaV1<unknown, string> = {
  "~standard": {
    version: 1,
    vendor: "state-contract",
    validate: (value) =>
      typeof value === "string" ? { value } : { issues: [{ message: "expected a string" }] },
  },
};

/** The documents of the contract: `doc-*` with declared keys and rules, `free-*` open. */
const DOCUMENTS: Record<string, StateDocumentOptions> = {
  "doc-*": {
    keys: {
      "physics.damping": { schema: numberSchema(0, 1), default: 0.5 },
      "physics.gravity": numberSchema(),
      "view.zoom": { schema: numberSchema(0.1, 10), default: 1 },
      "view.title": text,
      notes: {},
    },
    presets: {
      calm: { "physics.damping": 0.9, "physics.gravity": 1 },
      broken: { "physics.damping": 7 },
    },
    read: "authenticated",
    write: { "": "authenticated", "physics.*": (context) => context.claims.role === "admin" },
    maxValueBytes: 256,
    maxDocumentBytes: 1024,
  },
  "free-*": { read: "anyone", write: { "": "anyone" }, maxDocumentBytes: 2048 },
  "batched-*": { batch: { window: 60_000, max: 5 } },
};

/**
 * The contract of synced state, on any broker: three hub nodes share one broker (and its
 * key-value store) and must order writes, refuse bad ones with their codes, deliver snapshots
 * and changes, and undo per user. Call it at the top level of a test file.
 *
 * @example
 * import WebSocket from "ws";
 * stateContract("memory", (options, count) => startNodes(options, count), { WebSocket });
 */
export function stateContract(
  name: string,
  start: StartStateNodes,
  options: { WebSocket: ContractWebSocket },
): void {
  describe(`synced state contract: ${name}`, () => {
    const open: StateContractNode[] = [];
    const clients: ContractClient[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) client.close();
      await Promise.all(open.splice(0).map((node) => node.close()));
    });

    async function nodes(count = 3): Promise<StateContractNode[]> {
      const started = await start(
        { allowAnonymous: true, auth: { secret: SECRET }, state: { documents: DOCUMENTS } },
        count,
      );
      open.push(...started);
      return started;
    }

    async function client(
      node: StateContractNode,
      sub: string | null,
      claims: Record<string, unknown> = {},
    ): Promise<ContractClient> {
      const token =
        sub === null
          ? undefined
          : await new SignJWT(claims)
              .setProtectedHeader({ alg: "HS256" })
              .setSubject(sub)
              .setExpirationTime("1h")
              .sign(new TextEncoder().encode(SECRET));
      const made = await ContractClient.connect(options.WebSocket, node.url, token);
      clients.push(made);
      return made;
    }

    const fresh = (prefix = "doc") => `${prefix}-${randomUUID().slice(0, 8)}`;

    async function codeOf(promise: Promise<unknown>): Promise<{ code: string; details: unknown }> {
      try {
        await promise;
      } catch (error) {
        const { code, details } = error as { code?: string; details?: unknown };
        return { code: code ?? String(error), details };
      }
      throw new Error("expected a rejection");
    }

    /** The `changes` events of `channel` a client received, merged into key → value. */
    function changesOf(events: HubFrame[]): StateEventData["changes"][] {
      return events
        .filter((event) => event.event === "changes")
        .map((event) => event.data as StateEventData["changes"]);
    }

    it("sends the whole document, defaults included, as the snapshot of a subscribe", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("nodes");
      const doc = fresh();
      await a.hub.state(doc).set("view.title", "Lab A");
      const alice = await client(b, "alice");
      const reply = await alice.subscribe(`state:${doc}`);
      const snapshot = reply.snapshot as StateDocument;
      expect(snapshot.name).toBe(doc);
      expect(snapshot.version).toBe(1);
      expect(snapshot.entries["view.title"]).toMatchObject({
        value: "Lab A",
        version: 1,
        updatedBy: "server",
      });
      expect(snapshot.entries["physics.damping"]).toEqual({
        value: 0.5,
        version: 0,
        updatedBy: null,
        updatedAt: 0,
      });
      expect(await alice.rpc("state.get", { name: doc })).toEqual(snapshot);
    });

    it("delivers a client's write to subscribers on every node, as its reply says", async () => {
      const [a, b, c] = await nodes(3);
      if (!a || !b || !c) throw new Error("nodes");
      const doc = fresh();
      const alice = await client(a, "alice");
      const bob = await client(b, "bob");
      const carol = await client(c, "carol");
      await bob.subscribe(`state:${doc}`);
      await carol.subscribe(`state:${doc}`);
      const result = await alice.rpc<StateWriteResult>("state.write", {
        name: doc,
        set: { "view.zoom": 2, "view.title": "Two" },
      });
      expect(result.version).toBe(1);
      expect(result.changes.map((change) => [change.key, change.value, change.updatedBy])).toEqual([
        ["view.zoom", 2, "alice"],
        ["view.title", "Two", "alice"],
      ]);
      for (const watcher of [bob, carol]) {
        await watcher.until(() => watcher.events(`state:${doc}`).length > 0, "a changes event");
        expect(changesOf(watcher.events(`state:${doc}`))).toEqual([
          { version: 1, changes: result.changes, writes: [1] },
        ]);
      }
      expect((await c.hub.state(doc).get()).entries["view.zoom"]?.value).toBe(2);
    });

    it("orders concurrent writes from three nodes into one version sequence", async () => {
      // Enough concurrent writers on each node that compare-and-set retries alone would not do.
      const WRITES = 300;
      const started = await nodes(3);
      const doc = fresh("free");
      const results = await Promise.all(
        Array.from({ length: WRITES }, (_, i) =>
          (started[i % 3] as StateContractNode).hub.state(doc).set("counter", i, { by: `w${i}` }),
        ),
      );
      const versions = results.map((result) => result.version).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: WRITES }, (_, i) => i + 1));
      const last = results.find((result) => result.version === WRITES);
      const documents = await Promise.all(started.map((node) => node.hub.state(doc).get()));
      for (const document of documents) {
        expect(document.version).toBe(WRITES);
        expect(document.entries.counter).toEqual(
          last?.changes[0] && {
            value: last.changes[0].value,
            version: WRITES,
            updatedBy: last.changes[0].updatedBy,
            updatedAt: last.changes[0].updatedAt,
          },
        );
      }
    });

    it("applies a batch atomically: one version for every key, or nothing", async () => {
      const [a] = await nodes(1);
      if (!a) throw new Error("nodes");
      const doc = fresh();
      const alice = await client(a, "alice");
      const refused = await codeOf(
        alice.rpc("state.write", { name: doc, set: { "view.zoom": 3, "view.title": 42 } }),
      );
      expect(refused.code).toBe("state_invalid_value");
      expect(refused.details).toMatchObject({ key: "view.title" });
      expect((await a.hub.state(doc).get()).version).toBe(0);
      const result = await alice.rpc<StateWriteResult>("state.write", {
        name: doc,
        set: { "view.zoom": 3, "view.title": "T", notes: { a: [1, 2] } },
      });
      expect(result.changes.map((change) => change.version)).toEqual([1, 1, 1]);
      expect(result.version).toBe(1);
    });

    it("refuses a compare-and-set write whose keys changed after ifVersion, per key", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("nodes");
      const doc = fresh();
      const alice = await client(a, "alice");
      const bob = await client(b, "bob");
      const { version } = await alice.rpc<StateWriteResult>("state.write", {
        name: doc,
        set: { "view.zoom": 2, "view.title": "A" },
      });
      const bobs = await bob.rpc<StateWriteResult>("state.write", {
        name: doc,
        set: { "view.zoom": 4 },
      });
      const conflict = await codeOf(
        alice.rpc("state.write", { name: doc, set: { "view.zoom": 5 }, ifVersion: version }),
      );
      expect(conflict.code).toBe("state_conflict");
      const details = conflict.details as StateConflictDetails;
      expect(details.version).toBe(2);
      expect(details.entries["view.zoom"]).toMatchObject({ value: 4, updatedBy: "bob" });
      expect(details.entries["view.zoom"]?.version).toBe(bobs.version);
      // Another key, untouched since: the same ifVersion passes.
      const other = await alice.rpc<StateWriteResult>("state.write", {
        name: doc,
        set: { "view.title": "B" },
        ifVersion: version,
      });
      expect(other.version).toBe(3);
      expect((await a.hub.state(doc).get()).entries["view.zoom"]?.value).toBe(4);
    });

    it("applies presets as one write and refuses an unknown one", async () => {
      const [a] = await nodes(1);
      if (!a) throw new Error("nodes");
      const doc = fresh();
      const admin = await client(a, "ada", { role: "admin" });
      const result = await admin.rpc<StateWriteResult>("state.preset", {
        name: doc,
        preset: "calm",
      });
      expect(result.version).toBe(1);
      expect(
        Object.fromEntries(result.changes.map((change) => [change.key, change.value])),
      ).toEqual({ "physics.damping": 0.9, "physics.gravity": 1 });
      expect((await codeOf(admin.rpc("state.preset", { name: doc, preset: "nope" }))).code).toBe(
        "state_unknown_preset",
      );
      expect((await codeOf(a.hub.state(doc).preset("broken"))).code).toBe("state_invalid_value");
      const viaServer = await a.hub
        .state(doc)
        .preset("calm", { ifVersion: 0 })
        .catch((e) => e);
      expect((viaServer as { code?: string }).code).toBe("state_conflict");
    });

    stateRulesContract({ nodes, client, fresh, codeOf });

    it("batches writes into one changes event; a reload and closing the hub flush the batch", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("nodes");
      const doc = fresh("batched");
      const channel = `state:${doc}`;
      const watcher = await client(b, "bob");
      await watcher.subscribe(channel);
      const state = a.hub.state(doc);
      for (let i = 1; i <= 5; i++) await state.set(i % 2 === 0 ? "even" : "odd", i);
      await watcher.until(() => watcher.events(channel).length === 1, "one batch of five writes");
      expect(changesOf(watcher.events(channel))).toEqual([
        {
          version: 5,
          changes: [
            expect.objectContaining({ key: "even", value: 4, version: 4 }),
            expect.objectContaining({ key: "odd", value: 5, version: 5 }),
          ],
          // Every write the batch carries, those whose changes later ones superseded too.
          writes: [1, 2, 3, 4, 5],
        },
      ]);
      await state.set("odd", 7);
      await state.reload({ odd: 7, other: 1 }, { reason: "reset" });
      await watcher.until(() => watcher.events(channel).length === 3, "the batch, then the reload");
      const [, batch, reload] = watcher.events(channel);
      expect(batch?.event).toBe("changes");
      expect(batch?.data).toMatchObject({ version: 6, writes: [6] });
      expect(reload?.event).toBe("reload");
      expect(reload?.data).toEqual({ reason: "reset", document: await state.get() });
      await state.set("last", true);
      await a.close();
      await watcher.until(() => watcher.events(channel).length === 4, "the batch flushed at close");
      expect(changesOf(watcher.events(channel)).at(-1)).toMatchObject({
        changes: [expect.objectContaining({ key: "last", value: true, version: 8 })],
        writes: [8],
      });
    });

    it("recovers missed changes by offset; after a reset it sends the snapshot", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("nodes");
      const doc = fresh();
      const channel = `state:${doc}`;
      const alice = await client(b, "alice");
      const first = await alice.subscribe(channel);
      await a.hub.state(doc).set("view.zoom", 2);
      await alice.until(() => alice.events(channel).length === 1, "the first change");
      const position = { epoch: first.epoch as string, offset: (first.offset as number) + 1 };
      const watcher = await client(b, "bob");
      await watcher.subscribe(channel);
      alice.close();
      await a.hub.state(doc).set("view.zoom", 3);
      await a.hub.state(doc).set("view.title", "later");
      // The watcher sees the missed changes once they are published (and in history).
      const seen = () => changesOf(watcher.events(channel)).some((event) => event.version === 3);
      await watcher.until(seen, "the changes of version 3");
      const again = await client(b, "alice");
      const recovered = await again.subscribe(channel, position);
      expect(recovered.recovered).toBe(true);
      const missed = changesOf(again.events(channel)).flatMap((event) => event.changes);
      expect(missed.map((change) => [change.key, change.value])).toEqual(
        expect.arrayContaining([["view.zoom", 3]]),
      );
      const reset = await again.subscribe(channel, { epoch: "gone", offset: 1 });
      expect(reset.recovered).toBe(false);
      expect(reset.snapshot).toEqual(await a.hub.state(doc).get());
    });
  });
}
