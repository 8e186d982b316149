import type { StandardSchemaV1 } from "@standard-schema/spec";
import { SwitchyardError } from "@switchyard/protocol";
import { type Requester, ruleAllows } from "../../core/namespaces.js";
import type { AccessRule } from "../../core/options.js";
import { validate } from "../../core/validate.js";
import { jsonBytes } from "./document.js";
import {
  DEFAULT_MAX_DOCUMENT_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_STATE_BATCH,
  DEFAULT_UNDO_DEPTH,
  type StateBatchOptions,
  type StateDocumentOptions,
  type StateFileOptions,
  type StateKeyOptions,
} from "./options.js";

/** A dotted key: segments of A-Z a-z 0-9 _ - (not `__proto__`), at most 256 characters. */
const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_KEY_LENGTH = 256;

/** The channel of a document. */
export const stateChannel = (name: string): string => `state:${name}`;

function isSchema(spec: StandardSchemaV1 | StateKeyOptions): spec is StandardSchemaV1 {
  return typeof spec === "object" && spec !== null && "~standard" in spec;
}

/**
 * One document's policy with its defaults filled in: which keys exist, their schemas and
 * defaults, size limits, who reads and who writes which keys.
 */
export class DocumentPolicy {
  readonly defaults = new Map<string, unknown>();
  readonly batch: StateBatchOptions;
  readonly maxValueBytes: number;
  readonly maxDocumentBytes: number;
  readonly undoDepth: number;
  readonly file: StateFileOptions | undefined;
  private readonly schemas = new Map<string, StandardSchemaV1 | undefined>();
  private readonly allowUnknown: boolean;
  private readonly read: AccessRule;
  /** Write rules, longest prefix first. */
  private readonly write: [string, AccessRule][];

  constructor(private readonly options: StateDocumentOptions) {
    for (const [key, spec] of Object.entries(options.keys ?? {})) {
      if (!isValidKey(key)) throw new Error(`State key '${key}' is not a dotted key`);
      if (isSchema(spec)) {
        this.schemas.set(key, spec);
      } else {
        this.schemas.set(key, spec.schema);
        if (Object.hasOwn(spec, "default")) this.defaults.set(key, spec.default);
      }
    }
    this.allowUnknown = options.allowUnknownKeys ?? options.keys === undefined;
    this.read = options.read ?? "authenticated";
    const rules = Object.entries(options.write ?? {}).map(
      ([prefix, rule]): [string, AccessRule] => [prefix.replace(/\*$/, ""), rule],
    );
    this.write = rules.sort(([a], [b]) => b.length - a.length);
    this.batch = { ...DEFAULT_STATE_BATCH, ...options.batch };
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxDocumentBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    this.undoDepth = options.undoDepth ?? DEFAULT_UNDO_DEPTH;
    this.file = options.file;
  }

  /** The preset's values, or `state_unknown_preset`. */
  preset(name: string, preset: string): Record<string, unknown> {
    const values = this.options.presets?.[preset];
    if (values === undefined || !Object.hasOwn(this.options.presets ?? {}, preset)) {
      throw new SwitchyardError(
        "state_unknown_preset",
        `Document '${name}' has no preset '${preset.slice(0, 128)}'`,
        { preset },
      );
    }
    return values;
  }

  /** Throws `state_unknown_key` for a malformed or undeclared key. */
  checkKey(key: unknown): asserts key is string {
    if (typeof key !== "string" || !isValidKey(key)) {
      throw new SwitchyardError("state_unknown_key", "A key is a dotted path of A-Z a-z 0-9 _ -", {
        key: typeof key === "string" ? key.slice(0, MAX_KEY_LENGTH) : String(key),
      });
    }
    if (!this.allowUnknown && !this.schemas.has(key)) {
      throw new SwitchyardError("state_unknown_key", `Key '${key}' is not declared`, { key });
    }
  }

  /**
   * The value to store under `key`: the schema's output. Throws `state_invalid_value` (details:
   * key, issues) or `state_too_large` (details: key, limit).
   */
  async value(key: string, value: unknown): Promise<unknown> {
    if (value === undefined || !isJson(value)) {
      throw new SwitchyardError("state_invalid_value", `Key '${key}' needs a JSON value`, {
        key,
        issues: [{ message: "not a JSON value" }],
      });
    }
    const schema = this.schemas.get(key);
    let parsed: unknown = value;
    if (schema !== undefined) {
      try {
        parsed = await validate(schema, value, `value of '${key}'`);
      } catch (error) {
        if (!(error instanceof SwitchyardError)) throw error;
        throw new SwitchyardError("state_invalid_value", error.message, {
          key,
          issues: (error.details as { issues?: object } | undefined)?.issues ?? [],
        });
      }
    }
    if (jsonBytes(parsed) > this.maxValueBytes) {
      throw new SwitchyardError(
        "state_too_large",
        `The value of '${key}' is over ${this.maxValueBytes} bytes`,
        { key, limit: this.maxValueBytes },
      );
    }
    return parsed;
  }

  /** Throws `forbidden` (details: key) unless `who` may write `key` of document `name`. */
  async checkWrite(name: string, key: string, who: Requester): Promise<void> {
    const rule =
      this.write.find(([prefix]) => key === prefix || key.startsWith(prefix))?.[1] ??
      "authenticated";
    if (!(await ruleAllows(rule, stateChannel(name), who))) {
      throw new SwitchyardError("forbidden", `Not allowed to write '${key}' of '${name}'`, {
        key,
      });
    }
  }

  /** Throws `forbidden` unless `who` may read document `name`. */
  async checkRead(name: string, who: Requester): Promise<void> {
    if (!(await ruleAllows(this.read, stateChannel(name), who))) {
      throw new SwitchyardError("forbidden", `Not allowed to read '${name}'`);
    }
  }
}

/** True for a dotted key of at most 256 characters, no segment `__proto__`. */
export function isValidKey(key: string): boolean {
  // `__proto__` would reach the prototype of the objects documents are kept in.
  return key.length <= MAX_KEY_LENGTH && KEY.test(key) && !key.split(".").includes("__proto__");
}

/** True for plain JSON values (no undefined, functions, dates, binary, non-finite numbers). */
function isJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJson);
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      return Object.values(value).every(isJson);
    }
    default:
      return false;
  }
}
