import type { KeyValueStore } from "../../broker/kv.js";
import { backoff, KeyedQueue } from "./contention.js";
import { EMPTY_DOCUMENT, type StoredDocument } from "./document.js";

const documentKey = (name: string) => `state:doc:${name}`;

/** Lost compare-and-set races one write retries before it gives up. */
const MAX_ATTEMPTS = 100;
/**
 * State documents in the broker's key-value store, as versioned entries: every node of a
 * cluster reads, applies and compare-and-sets the same entry, so the store orders the writes.
 */
export class StateStore {
  private readonly queue = new KeyedQueue();

  constructor(private readonly kv: KeyValueStore) {}

  /** The stored document (empty before its first write). */
  async read(name: string): Promise<StoredDocument> {
    const entry = await this.kv.getVersioned(documentKey(name));
    return (entry?.value as StoredDocument | undefined) ?? EMPTY_DOCUMENT;
  }

  /**
   * Reads the document, lets `change` compute the next one, and stores it if nobody wrote in
   * between; otherwise reads again and retries. Updates of one document on this node run one
   * after another. `change` returns the new document (or the same object to store nothing) and
   * a result; it may throw to refuse the write.
   */
  update<T>(
    name: string,
    change: (document: StoredDocument) => { document: StoredDocument; result: T },
  ): Promise<{ document: StoredDocument; result: T }> {
    return this.queue.run(name, () => this.apply(name, change));
  }

  private async apply<T>(
    name: string,
    change: (document: StoredDocument) => { document: StoredDocument; result: T },
  ): Promise<{ document: StoredDocument; result: T }> {
    const key = documentKey(name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.getVersioned(key);
      const current = (entry?.value as StoredDocument | undefined) ?? EMPTY_DOCUMENT;
      const next = change(current);
      if (next.document === current) return next;
      const stored = await this.kv.setVersioned(key, next.document, entry?.revision ?? 0);
      if (stored !== undefined) return next;
      await backoff(attempt);
    }
    throw new Error(`State document '${name}' lost ${MAX_ATTEMPTS} write races in a row`);
  }
}
