import {
  type StateChange,
  type StateConflictDetails,
  type StateDocument,
  type StateEntry,
  type StateUndoResult,
  type StateWriteResult,
  SwitchyardError,
} from "@switchyard/protocol";
import type { KeyValueStore } from "../../broker/kv.js";
import type { Requester } from "../../core/namespaces.js";
import type { Logger } from "../../core/options.js";
import { ChangeBatcher, type PublishStateEvent } from "./batcher.js";
import type { DeclaredDocuments } from "./declared.js";
import {
  applyReload,
  applyWrite,
  documentBytes,
  keyVersion,
  publicEntry,
  type StoredDocument,
  toPublic,
  type WriteOps,
} from "./document.js";
import type { DocumentPolicy } from "./policy.js";
import { StateEvents } from "./state-events.js";
import { StateStore } from "./store.js";
import { type UndoKey, UndoStacks } from "./undo.js";

/** Who writes: the name written into `updatedBy`, whose undo stack it goes on, and (for a client) whose rules apply. */
export interface Actor {
  /** `updatedBy` of the entries written. */
  readonly by: string | null;
  /** The undo stack the write goes on (a user id, a client id, `server`). */
  readonly user: string;
  /** The client whose read and write rules apply; undefined for server code and HTTP. */
  readonly client?: Requester;
}

/** The fields of one write, as the RPC and the HTTP API pass them. */
export interface WriteInput {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly delete?: readonly string[];
  readonly ifVersion?: number;
}

/** Counts for `hub.stats().features.state`. */
export interface StateCounters {
  writes: number;
  conflicts: number;
  fileErrors: number;
}

/**
 * The synced-state engine of one hub node: validates and authorises writes, applies them to
 * the document in the key-value store (compare-and-set, so a cluster orders them), records
 * undo, and hands the changes to the batcher that publishes them.
 */
export class HubState {
  readonly events: StateEvents;
  readonly counters: StateCounters = { writes: 0, conflicts: 0, fileErrors: 0 };
  private readonly store: StateStore;
  private readonly undoStacks: UndoStacks;
  private readonly batcher: ChangeBatcher;
  /** Documents whose file is being loaded: their first use waits for it. */
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    readonly declared: DeclaredDocuments,
    kv: KeyValueStore,
    publish: PublishStateEvent,
    logger: Logger,
  ) {
    this.events = new StateEvents((error) => logger.error({ err: error }, "state listener failed"));
    this.store = new StateStore(kv);
    this.undoStacks = new UndoStacks(kv);
    this.batcher = new ChangeBatcher(publish, (error, name) =>
      logger.error({ err: error, document: name }, "state event could not be published"),
    );
  }

  /** Makes the first use of `name` wait for `load` (its file). */
  loadFirst(name: string, load: Promise<void>): void {
    this.loading.set(name, load);
  }

  /** The document as clients see it (defaults filled in). */
  async get(name: string, client?: Requester): Promise<StateDocument> {
    const policy = this.declared.resolve(name);
    if (client !== undefined) await policy.checkRead(name, client);
    await this.loading.get(name);
    return toPublic(name, await this.store.read(name), policy.defaults);
  }

  /** The stored document, without defaults (what a file keeps). */
  async stored(name: string): Promise<StoredDocument> {
    this.declared.resolve(name);
    return this.store.read(name);
  }

  /** One atomic write; see {@link StateWrite}. */
  async write(name: string, input: WriteInput, actor: Actor): Promise<StateWriteResult> {
    const policy = this.declared.resolve(name);
    const ops = await this.prepare(name, policy, input, actor);
    await this.loading.get(name);
    const stamp = { by: actor.by, at: Date.now() };
    const keys = [...ops.set.keys(), ...ops.delete];
    const { document, result } = await this.store.update(name, (current) => {
      if (input.ifVersion !== undefined) this.checkVersion(current, keys, input.ifVersion, policy);
      const applied = applyWrite(current, ops, stamp, policy.defaults);
      this.checkSize(name, policy, applied.document);
      const undo: Record<string, UndoKey> = {};
      for (const change of applied.changes) {
        undo[change.key] = {
          version: change.version,
          from: keyVersion(current, change.key),
          before: current.entries[change.key] ?? null,
        };
      }
      return { document: applied.document, result: { changes: applied.changes, undo } };
    });
    if (result.changes.length > 0) {
      await this.undoStacks.push(
        name,
        actor.user,
        { version: document.version, keys: result.undo },
        policy.undoDepth,
      );
      this.applied(name, policy, document.version, result.changes, actor.by);
    }
    return { version: document.version, changes: result.changes };
  }

  /** Applies preset `preset` (a write of its values). */
  async preset(
    name: string,
    preset: string,
    actor: Actor,
    ifVersion?: number,
  ): Promise<StateWriteResult> {
    const values = this.declared.resolve(name).preset(name, preset);
    return this.write(
      name,
      ifVersion === undefined ? { set: values } : { set: values, ifVersion },
      actor,
    );
  }

  /**
   * Reverts the actor's last write as one write. A key someone else changed since is left as it
   * is and reported in `conflicts`.
   */
  async undo(name: string, actor: Actor): Promise<StateUndoResult> {
    const policy = this.declared.resolve(name);
    if (actor.client !== undefined) await policy.checkRead(name, actor.client);
    await this.loading.get(name);
    const record = await this.undoStacks.pop(name, actor.user);
    if (record === undefined) {
      const current = await this.store.read(name);
      return { undone: false, version: current.version, changes: [], conflicts: [] };
    }
    const stamp = { by: actor.by, at: Date.now() };
    const { document, result } = await this.store.update(name, (current) => {
      const conflicts: { key: string; entry: StateEntry | null }[] = [];
      const set = new Map<string, unknown>();
      const remove: string[] = [];
      for (const [key, undoKey] of Object.entries(record.keys)) {
        if (keyVersion(current, key) !== undoKey.version) {
          conflicts.push({ key, entry: publicEntry(current, key, policy.defaults) });
        } else if (undoKey.before === null) {
          remove.push(key);
        } else {
          set.set(key, undoKey.before.value);
        }
      }
      const applied = applyWrite(current, { set, delete: remove }, stamp, policy.defaults);
      return { document: applied.document, result: { changes: applied.changes, conflicts } };
    });
    if (result.changes.length > 0) {
      const restored = new Map(
        result.changes.map((change) => [change.key, record.keys[change.key]?.from ?? 0]),
      );
      await this.undoStacks.rebase(name, actor.user, restored, document.version);
      this.applied(name, policy, document.version, result.changes, actor.by);
    }
    if (result.conflicts.length > 0) this.counters.conflicts += 1;
    return {
      undone: true,
      version: document.version,
      changes: result.changes,
      conflicts: result.conflicts,
    };
  }

  /**
   * Replaces the whole document with `values` (validated first: an invalid one changes
   * nothing), flushes the pending batch, and publishes `reload` with `reason`.
   */
  async reload(
    name: string,
    values: Readonly<Record<string, unknown>>,
    options: { reason: string; by: string | null; waitForLoad?: boolean },
  ): Promise<StateWriteResult> {
    const policy = this.declared.resolve(name);
    const checked = await this.checkValues(policy, values);
    if (options.waitForLoad !== false) await this.loading.get(name);
    const stamp = { by: options.by, at: Date.now() };
    const { document, result } = await this.store.update(name, (current) => {
      const applied = applyReload(current, checked, stamp, policy.defaults);
      this.checkSize(name, policy, applied.document);
      return { document: applied.document, result: applied.changes };
    });
    if (result.length > 0) {
      this.counters.writes += 1;
      const snapshot = toPublic(name, document, policy.defaults);
      this.events.emit(name, "reload", { document: snapshot, reason: options.reason });
      // Resolved once the event is out, so a file's first load is in history before any use.
      await this.batcher.after(name, "reload", { document: snapshot, reason: options.reason });
    }
    return { version: document.version, changes: result };
  }

  /** Validates a whole document's values (a reload, a file): unknown keys, schemas, sizes. */
  async checkValues(
    policy: DocumentPolicy,
    values: Readonly<Record<string, unknown>>,
  ): Promise<Map<string, unknown>> {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new SwitchyardError("invalid_data", "A document's values are an object of keys", {
        field: "values",
      });
    }
    const checked = new Map<string, unknown>();
    for (const [key, value] of Object.entries(values)) {
      policy.checkKey(key);
      checked.set(key, await policy.value(key, value));
    }
    return checked;
  }

  /** Publishes every pending batch (the hub is closing). */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private async prepare(
    name: string,
    policy: DocumentPolicy,
    input: WriteInput,
    actor: Actor,
  ): Promise<WriteOps> {
    const set = new Map<string, unknown>();
    for (const [key, value] of Object.entries(input.set ?? {})) {
      policy.checkKey(key);
      set.set(key, await policy.value(key, value));
    }
    const remove = [...(input.delete ?? [])];
    for (const key of remove) policy.checkKey(key);
    if (actor.client !== undefined) {
      await policy.checkRead(name, actor.client);
      for (const key of [...set.keys(), ...remove]) {
        await policy.checkWrite(name, key, actor.client);
      }
    }
    return { set, delete: remove };
  }

  private checkVersion(
    current: StoredDocument,
    keys: readonly string[],
    ifVersion: number,
    policy: DocumentPolicy,
  ): void {
    if (keys.every((key) => keyVersion(current, key) <= ifVersion)) return;
    this.counters.conflicts += 1;
    const entries: Record<string, StateEntry | null> = {};
    for (const key of keys) entries[key] = publicEntry(current, key, policy.defaults);
    const details: StateConflictDetails = { version: current.version, entries };
    throw new SwitchyardError(
      "state_conflict",
      `A key of this write changed after version ${ifVersion}`,
      details,
    );
  }

  private checkSize(name: string, policy: DocumentPolicy, document: StoredDocument): void {
    if (documentBytes(document) <= policy.maxDocumentBytes) return;
    throw new SwitchyardError(
      "state_too_large",
      `Document '${name}' would be over ${policy.maxDocumentBytes} bytes`,
      { limit: policy.maxDocumentBytes },
    );
  }

  private applied(
    name: string,
    policy: DocumentPolicy,
    version: number,
    changes: readonly StateChange[],
    by: string | null,
  ): void {
    this.counters.writes += 1;
    this.batcher.add(name, policy.batch, version, changes);
    this.events.emit(name, "change", { version, changes, by });
  }
}
