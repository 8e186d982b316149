import type { DialectName } from "./dialects.js";

/** One server under test, and how the light client speaks to it. */
export interface Target {
  readonly name: TargetName;
  /** Column label in tables. */
  readonly label: string;
  readonly runtime: "node" | "bun";
  /** Server script under `src/servers/`. */
  readonly script: string;
  readonly dialect: DialectName;
}

export type TargetName = "switchyard-json" | "switchyard-msgpack" | "ws" | "socketio" | "bun";

/** Every target, in table order. */
export const TARGETS: readonly Target[] = [
  {
    name: "switchyard-json",
    label: "Switchyard JSON",
    runtime: "node",
    script: "switchyard.ts",
    dialect: "switchyard-json",
  },
  {
    name: "switchyard-msgpack",
    label: "Switchyard MessagePack",
    runtime: "node",
    script: "switchyard.ts",
    dialect: "switchyard-msgpack",
  },
  { name: "ws", label: "ws (Node floor)", runtime: "node", script: "ws.ts", dialect: "plain" },
  {
    name: "socketio",
    label: "Socket.IO 4",
    runtime: "node",
    script: "socketio.ts",
    dialect: "socketio",
  },
  {
    name: "bun",
    label: "Bun pub/sub (ceiling)",
    runtime: "bun",
    script: "bun.ts",
    dialect: "plain",
  },
];

/** The targets named in a comma-separated list, or all of them. */
export function selectTargets(list: string | undefined): Target[] {
  if (!list) return [...TARGETS];
  const names = list.split(",").map((name) => name.trim());
  return names.map((name) => {
    const target = TARGETS.find((candidate) => candidate.name === name);
    if (!target) {
      throw new Error(`Unknown target '${name}'; known: ${TARGETS.map((t) => t.name).join(", ")}`);
    }
    return target;
  });
}
