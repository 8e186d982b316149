import type { StateEntry } from "@switchyard/protocol";
import type { KeyValueStore } from "../../broker/kv.js";
import { backoff, KeyedQueue } from "./contention.js";

/** What one key was before a write, and the version the write gave it. */
export interface UndoKey {
  /** The key's version after the write; a different one means someone changed it since. */
  readonly version: number;
  /** The key's version before the write (its entry's, its tombstone's, or 0). */
  readonly from: number;
  /** The stored entry before the write, or null when the key was absent. */
  readonly before: StateEntry | null;
}

/** One undoable write of one user. */
export interface UndoRecord {
  readonly version: number;
  readonly keys: Readonly<Record<string, UndoKey>>;
}

interface UndoStack {
  /** Oldest first. */
  readonly records: readonly UndoRecord[];
}

/** Undo stacks live a day after their user's last write. */
const UNDO_TTL = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 100;

const stackKey = (name: string, user: string) => `state:undo:${name}:${user}`;

/**
 * The undo stacks of each (document, user), in the broker's key-value store so any node of a
 * cluster can undo a write made through another. Bounded: the oldest records go first.
 */
export class UndoStacks {
  private readonly queue = new KeyedQueue();

  constructor(private readonly kv: KeyValueStore) {}

  /** Records a write on top of the user's stack, keeping at most `depth` records. */
  push(name: string, user: string, record: UndoRecord, depth: number): Promise<unknown> {
    return this.change(name, user, (records) => [...records, record].slice(-depth));
  }

  /** Takes the user's newest record off the stack; undefined when there is none. */
  async pop(name: string, user: string): Promise<UndoRecord | undefined> {
    let top: UndoRecord | undefined;
    await this.change(name, user, (records) => {
      top = records.at(-1);
      return records.slice(0, -1);
    });
    return top;
  }

  /**
   * After an undo wrote `keys` at `version`, the user's older records that expected those keys
   * at the versions the undo restored now expect the undo's version: undoing again goes on
   * reverting the user's own changes instead of reporting them as someone else's.
   */
  rebase(
    name: string,
    user: string,
    restored: ReadonlyMap<string, number>,
    version: number,
  ): Promise<unknown> {
    return this.change(name, user, (records) =>
      records.map((record) => {
        let changed = false;
        const keys: Record<string, UndoKey> = { ...record.keys };
        for (const [key, from] of restored) {
          const undoKey = keys[key];
          if (undoKey === undefined || undoKey.version !== from) continue;
          keys[key] = { ...undoKey, version };
          changed = true;
        }
        return changed ? { ...record, keys } : record;
      }),
    );
  }

  private change(
    name: string,
    user: string,
    edit: (records: readonly UndoRecord[]) => readonly UndoRecord[],
  ): Promise<void> {
    const key = stackKey(name, user);
    return this.queue.run(key, () => this.apply(key, name, user, edit));
  }

  private async apply(
    key: string,
    name: string,
    user: string,
    edit: (records: readonly UndoRecord[]) => readonly UndoRecord[],
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.getVersioned(key);
      const records = (entry?.value as UndoStack | undefined)?.records ?? [];
      const stack: UndoStack = { records: edit(records) };
      if ((await this.kv.setVersioned(key, stack, entry?.revision ?? 0, UNDO_TTL)) !== undefined) {
        return;
      }
      await backoff(attempt);
    }
    throw new Error(`The undo stack of '${user}' on '${name}' lost ${MAX_ATTEMPTS} races`);
  }
}
