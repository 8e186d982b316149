import { isValidChannel, SwitchyardError } from "@switchyard/protocol";
import type { StateDocumentOptions } from "./options.js";
import { DocumentPolicy, stateChannel } from "./policy.js";

/**
 * The declared documents: exact names, and prefixes (a name ending in `*`). An exact name wins
 * over a prefix, a longer prefix over a shorter one.
 */
export class DeclaredDocuments {
  private readonly exact = new Map<string, DocumentPolicy>();
  /** Longest prefix first. */
  private readonly prefixes: [string, DocumentPolicy][] = [];

  constructor(documents: Record<string, StateDocumentOptions>) {
    for (const [name, options] of Object.entries(documents)) {
      const policy = new DocumentPolicy(options);
      if (name.endsWith("*")) {
        if (options.file !== undefined) {
          throw new Error(`State documents '${name}': a file is kept for one exact name only`);
        }
        this.prefixes.push([name.slice(0, -1), policy]);
      } else {
        if (!isValidChannel(stateChannel(name))) throw new Error(`Invalid state name '${name}'`);
        this.exact.set(name, policy);
      }
    }
    this.prefixes.sort(([a], [b]) => b.length - a.length);
  }

  /** The policy of document `name`; throws `state_not_found` when none is declared. */
  resolve(name: unknown): DocumentPolicy {
    if (typeof name === "string" && isValidChannel(stateChannel(name))) {
      const policy =
        this.exact.get(name) ?? this.prefixes.find(([prefix]) => name.startsWith(prefix))?.[1];
      if (policy !== undefined) return policy;
    }
    const shown = typeof name === "string" ? name.slice(0, 128) : String(name);
    throw new SwitchyardError("state_not_found", `No state document '${shown}' is declared`, {
      name: shown,
    });
  }

  /** The exact names with a file store. */
  withFiles(): [string, DocumentPolicy][] {
    return [...this.exact].filter(([, policy]) => policy.file !== undefined);
  }
}
