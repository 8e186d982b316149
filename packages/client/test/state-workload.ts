/**
 * The state convergence workload, shared by the memory-broker test and the three-node Redis
 * test: many clients, each with a store of one document, fire random writes (single sets,
 * batches, deletes, compare-and-sets on the store's `version` or older ones, undos) in
 * concurrent waves; then every store must show the hub's document and version, every refused
 * write must have been reported to its writer (promise rejected and `refused` emitted, once
 * each), and no compare-and-set may have passed a version above a write of its key that the
 * store had not seen (checked against the hub's history of writes).
 */
import type { StateChange, StateDocument } from "@switchyard/protocol";
import { Signal } from "@switchyard/server/testing";
import {
  type Client,
  createClient,
  type StateRefusal,
  type StateStore,
  SwitchyardError,
} from "../src/index.js";

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same workload. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A compare-and-set sent: the key, the `ifVersion`, the store's entry version then. */
export interface CompareAndSet {
  readonly key: string;
  readonly ifVersion: number;
  readonly held: number | undefined;
  accepted: boolean;
}

/** One client of the workload and what happened to its writes. */
export interface Writer {
  readonly client: Client;
  readonly store: StateStore;
  /** Writes whose promise rejected, by error code. */
  readonly rejected: Map<string, number>;
  /** `refused` events the store emitted. */
  readonly reported: StateRefusal[];
  readonly compareAndSets: CompareAndSet[];
  accepted: number;
  undos: number;
  undoConflicts: number;
}

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  /** WebSocket URLs of the hub's nodes; clients are spread over them in turn. */
  urls: readonly string[];
  clients: number;
  writes: number;
  /** Writes in flight together (the size of a wave). */
  wave: number;
  seed: number;
  /** The document name (declared on the hub, readable and writable by anyone). */
  name: string;
  /** The hub's document, read on the server side. */
  serverDocument: () => Promise<StateDocument>;
  /** Registers a cleanup run after the test. */
  cleanup: (dispose: () => void | Promise<void>) => void;
  /** Calls `record` with every write any node applies (`hub.state(name).on("change")`). */
  watchWrites: (record: (version: number, changes: readonly StateChange[]) => void) => void;
}

/** What the workload measured. */
export interface WorkloadFigures {
  writes: number;
  accepted: number;
  refused: number;
  refusedByCode: Record<string, number>;
  undos: number;
  undoConflicts: number;
  /**
   * Compare-and-sets sent; those whose `ifVersion` passed a write of the key the store had not
   * seen; and of those, the ones the hub accepted (a change overwritten unseen).
   */
  compareAndSets: number;
  overUnseen: number;
  overUnseenAccepted: number;
  finalVersion: number;
  keys: number;
  /** Milliseconds from the last reply to every store showing the hub's document. */
  convergeMs: number;
  totalMs: number;
}

const KEYS = 40;
const key = (random: () => number) => `k.${Math.floor(random() * KEYS)}`;

/** Starts the clients, runs the writes, waits for convergence; the caller asserts. */
export async function runWorkload(options: WorkloadOptions): Promise<{
  writers: Writer[];
  document: StateDocument;
  figures: WorkloadFigures;
}> {
  const started = Date.now();
  const signal = new Signal();
  const history = new Map<string, StateChange[]>();
  options.watchWrites((_version, changes) => {
    for (const change of changes) {
      const list = history.get(change.key) ?? [];
      list.push(change);
      history.set(change.key, list);
    }
  });
  const writers: Writer[] = Array.from({ length: options.clients }, (_, index) => {
    const client = createClient({
      url: options.urls[index % options.urls.length] as string,
      reconnect: { minDelay: 20, maxDelay: 200 },
      requestTimeout: 60_000,
    });
    options.cleanup(() => client.close());
    const store = client.state(options.name);
    options.cleanup(() => store.dispose());
    store.subscribe(signal.poke);
    const writer: Writer = {
      client,
      store,
      rejected: new Map(),
      reported: [],
      compareAndSets: [],
      accepted: 0,
      undos: 0,
      undoConflicts: 0,
    };
    store.on("refused", (refusal) => writer.reported.push(refusal));
    return writer;
  });
  await signal.until(
    () => writers.every((w) => w.store.getSnapshot().status === "ready"),
    "every store ready",
  );

  const random = prng(options.seed);
  for (let done = 0; done < options.writes; done += options.wave) {
    const wave: Promise<void>[] = [];
    for (let i = done; i < Math.min(options.writes, done + options.wave); i++) {
      const writer = writers[Math.floor(random() * writers.length)] as Writer;
      wave.push(track(writer, randomWrite(writer, random)));
    }
    await Promise.all(wave);
  }
  const lastReply = Date.now();

  // Every write was answered, so the hub's document is final. Other nodes' last batches may
  // still be on their way: wait until each store shows the whole document at the hub's
  // version, and say what differs if none comes.
  const document = await options.serverDocument();
  const atVersion = () =>
    writers.every(({ store }) => store.getSnapshot().version === document.version);
  await signal.until(
    () => atVersion() && convergenceProblems(writers, document, options.writes).length === 0,
    () => convergenceProblems(writers, document, options.writes).slice(0, 3).join("; "),
  );
  const converged = Date.now();

  const refusedByCode: Record<string, number> = {};
  for (const writer of writers) {
    for (const [code, count] of writer.rejected) {
      refusedByCode[code] = (refusedByCode[code] ?? 0) + count;
    }
  }
  const sum = (pick: (w: Writer) => number) => writers.reduce((n, w) => n + pick(w), 0);
  return {
    writers,
    document,
    figures: {
      writes: options.writes,
      accepted: sum((w) => w.accepted),
      refused: Object.values(refusedByCode).reduce((n, count) => n + count, 0),
      refusedByCode,
      undos: sum((w) => w.undos),
      undoConflicts: sum((w) => w.undoConflicts),
      compareAndSets: sum((w) => w.compareAndSets.length),
      overUnseen: sum((w) => w.compareAndSets.filter((cas) => overUnseen(cas, history)).length),
      overUnseenAccepted: sum(
        (w) => w.compareAndSets.filter((cas) => cas.accepted && overUnseen(cas, history)).length,
      ),
      finalVersion: document.version,
      keys: Object.keys(document.entries).length,
      convergeMs: converged - lastReply,
      totalMs: converged - started,
    },
  };
}

/** One random write of `writer`: what kind, and on which keys, the generator decides. */
function randomWrite(writer: Writer, random: () => number): Promise<unknown> {
  const { store } = writer;
  const value = Math.floor(random() * 1000);
  const kind = random();
  if (kind < 0.4) return store.set(key(random), value);
  if (kind < 0.55) {
    const set: Record<string, number> = {};
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) set[key(random)] = value + n;
    const deleted = random() < 0.5 ? [key(random)].filter((k) => !(k in set)) : [];
    return store.batch({ set, delete: deleted });
  }
  if (kind < 0.7) return store.delete(key(random));
  if (kind < 0.9) {
    // A compare-and-set on the store's version (half of them), or one up to 20 behind: refused
    // when the key changed since.
    const snapshot = store.getSnapshot();
    const behind = random() < 0.5 ? 0 : Math.floor(random() * 20);
    const ifVersion = Math.max(0, snapshot.version - behind);
    const target = key(random);
    const cas: CompareAndSet = {
      key: target,
      ifVersion,
      held: snapshot.entries[target]?.version,
      accepted: false,
    };
    writer.compareAndSets.push(cas);
    return store.set(target, value, { ifVersion }).then((result) => {
      cas.accepted = true;
      return result;
    });
  }
  writer.undos++;
  return store.undo().then((result) => {
    if (result.conflicts.length > 0) writer.undoConflicts++;
    return result;
  });
}

/**
 * True when a compare-and-set's `ifVersion` passed a change of its key the store had not seen
 * when it was sent: the key's last change at or below `ifVersion` is newer than the store's entry
 * (or is a set while the store held no entry and no later delete explains it).
 */
function overUnseen(
  cas: CompareAndSet,
  history: ReadonlyMap<string, readonly StateChange[]>,
): boolean {
  const changes = history.get(cas.key) ?? [];
  let last: StateChange | undefined;
  for (const change of changes) {
    if (change.version <= cas.ifVersion && (last === undefined || change.version > last.version))
      last = change;
  }
  if (last === undefined) return false;
  if (cas.held !== undefined) return cas.held < last.version;
  const after = last.version;
  return !last.deleted && !changes.some((change) => change.deleted && change.version > after);
}

/** JSON with object keys sorted at every level, to compare documents by content. */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

/** Counts a write's outcome: accepted, or rejected with a `SwitchyardError` code. */
function track(writer: Writer, write: Promise<unknown>): Promise<void> {
  return write.then(
    () => {
      writer.accepted++;
    },
    (error: unknown) => {
      const code = error instanceof SwitchyardError ? error.code : `not a SwitchyardError`;
      writer.rejected.set(code, (writer.rejected.get(code) ?? 0) + 1);
    },
  );
}

/**
 * Every way the outcome breaks the promise: a store whose version, values or entries differ
 * from the hub's document, a refusal the writer was not told of (or told of twice), a write
 * that never settled. Empty when all is well.
 */
export function convergenceProblems(
  writers: readonly Writer[],
  document: StateDocument,
  writes: number,
): string[] {
  const problems: string[] = [];
  const values = Object.fromEntries(
    Object.entries(document.entries).map(([name, entry]) => [name, entry.value]),
  );
  let settled = 0;
  writers.forEach((writer, index) => {
    const snapshot = writer.store.getSnapshot();
    if (snapshot.version !== document.version) {
      problems.push(`client ${index}: version ${snapshot.version}, hub ${document.version}`);
    }
    if (json(snapshot.values) !== json(values)) {
      problems.push(`client ${index}: values ${json(snapshot.values)}, hub ${json(values)}`);
    }
    if (json(snapshot.entries) !== json(document.entries)) {
      problems.push(`client ${index}: entries differ from the hub's`);
    }
    const rejected = [...writer.rejected.values()].reduce((n, count) => n + count, 0);
    const reported = new Map<string, number>();
    for (const { error } of writer.reported) {
      reported.set(error.code, (reported.get(error.code) ?? 0) + 1);
    }
    const sorted = (map: Map<string, number>) => JSON.stringify([...map].sort());
    if (sorted(reported) !== sorted(writer.rejected)) {
      problems.push(
        `client ${index}: rejected ${sorted(writer.rejected)}, reported ${sorted(reported)}`,
      );
    }
    settled += writer.accepted + rejected;
  });
  if (settled !== writes) problems.push(`${settled} writes settled of ${writes}`);
  return problems;
}
