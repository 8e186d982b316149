import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { AccessRule } from "../../core/options.js";

/** One declared key: its schema (Standard Schema: zod, valibot, …) and its default value. */
export interface StateKeyOptions {
  /** Values written to the key must pass it; its output is what is stored. */
  schema?: StandardSchemaV1;
  /** The value the key has until someone writes it, and again after it is deleted. */
  default?: unknown;
}

/** Where a document is kept on disk (docs/state.md, "File store"). */
export interface StateFileOptions {
  /** The file's path. */
  path: string;
  /**
   * How the file is written and read: a flat object of keys to values.
   * @default "yaml" for a path ending in .yaml or .yml, else "json"
   */
  format?: "json" | "yaml";
  /**
   * Milliseconds after a change before the file is written (later changes restart the wait).
   * @default 200
   */
  debounce?: number;
  /**
   * Longest wait in milliseconds between a change and the file write, however often it changes.
   * @default 2000
   */
  maxDelay?: number;
}

/** How a document's changes are batched into `changes` events. */
export interface StateBatchOptions {
  /**
   * Milliseconds the changes of writes are gathered before one `changes` event goes out.
   * @default 100
   */
  window: number;
  /**
   * Writes that send the batch out at once, before the window ends.
   * @default 10
   */
  max: number;
}

/** The policy and shape of one state document, or of a family of them (`project-*`). */
export interface StateDocumentOptions {
  /**
   * The declared keys: a schema, or `{ schema?, default? }`. Defaults fill the keys absent
   * from the stored document.
   */
  keys?: Record<string, StandardSchemaV1 | StateKeyOptions>;
  /**
   * Accept keys that `keys` does not declare.
   * @default false when `keys` is given, true otherwise
   */
  allowUnknownKeys?: boolean;
  /** Named batches clients apply with `state.preset` (each value checked like a write). */
  presets?: Record<string, Record<string, unknown>>;
  /**
   * Who may read the document (subscribe to `state:<name>`, `state.get`). Server code and the
   * HTTP API always may.
   * @default "authenticated"
   */
  read?: AccessRule;
  /**
   * Who may write which keys, by key prefix (`"physics."` or `"physics.*"`; `""` is every
   * key): the longest prefix that matches a key decides. Server code and the HTTP API always
   * may write.
   * @default { "": "authenticated" }
   */
  write?: Record<string, AccessRule>;
  /** Keep the document in a JSON or YAML file (reloaded when edited outside). Exact names only. */
  file?: StateFileOptions;
  /**
   * Changes batching into `changes` events.
   * @default { window: 100, max: 10 }
   */
  batch?: Partial<StateBatchOptions>;
  /**
   * Largest value of one key, in bytes of JSON (`state_too_large` beyond).
   * @default 65_536
   */
  maxValueBytes?: number;
  /**
   * Largest document, in bytes of JSON of its values (`state_too_large` beyond).
   * @default 1_048_576
   */
  maxDocumentBytes?: number;
  /**
   * Writes each user can undo, newest first.
   * @default 50
   */
  undoDepth?: number;
}

/** Options of synced state (`createHub({ state })`, `stateFeature(options)`). */
export interface StateOptions {
  /**
   * The documents clients may use, by name. A name ending in `*` declares every document whose
   * name starts with the part before it (`"project-*"`); an exact name wins over a prefix, a
   * longer prefix over a shorter one. An undeclared name is `state_not_found`.
   * @default {}
   */
  documents?: Record<string, StateDocumentOptions>;
}

/** Default of {@link StateBatchOptions}. */
export const DEFAULT_STATE_BATCH: StateBatchOptions = { window: 100, max: 10 };
/** Default of {@link StateDocumentOptions.maxValueBytes}. */
export const DEFAULT_MAX_VALUE_BYTES = 65_536;
/** Default of {@link StateDocumentOptions.maxDocumentBytes}. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 1_048_576;
/** Default of {@link StateDocumentOptions.undoDepth}. */
export const DEFAULT_UNDO_DEPTH = 50;
/** Defaults of {@link StateFileOptions}. */
export const DEFAULT_FILE_DEBOUNCE = 200;
export const DEFAULT_FILE_MAX_DELAY = 2000;
