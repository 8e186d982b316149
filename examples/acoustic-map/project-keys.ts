/**
 * The shape of a project's state document, shared by the hub (project.ts) and the web app:
 * the room, the sources and how their parameters are keyed. Pure data, no hub code.
 */
import type { Point } from "./room.js";
import { DEMO_SCENARIO } from "./scenario.js";
import type { Source } from "./spl.js";

/** The room every project edits (the demo's L-shaped hall). */
export const PROJECT_ROOM: readonly Point[] = DEMO_SCENARIO.room;

/** The sources of every project, at their starting positions. */
export const PROJECT_SOURCES: readonly Source[] = DEMO_SCENARIO.sources.map((source) => ({
  power: 100,
  pattern: "omni",
  angle: 0,
  ...source,
}));

/** The keys the hub writes: the project's current jobs. */
export const PROJECT_JOB_KEYS = { map: "map.job", optimizer: "optimizer.job" } as const;

/** The parameters of a source that a project keeps. */
export type SourceField = "x" | "y" | "power" | "angle" | "pattern";

/** The state key of one parameter of one source: `sources.<id>.<field>`. */
export function sourceKey(id: string, field: SourceField): string {
  return `sources.${id}.${field}`;
}

/** The values of a project's document. */
export type ProjectValues = Readonly<Record<string, unknown>>;

/** The sources of a project document. */
export function sourcesOf(values: ProjectValues): Source[] {
  return PROJECT_SOURCES.map((source) => ({
    id: source.id,
    x: values[sourceKey(source.id, "x")] as number,
    y: values[sourceKey(source.id, "y")] as number,
    power: values[sourceKey(source.id, "power")] as number,
    pattern: values[sourceKey(source.id, "pattern")] as Source["pattern"],
    angle: values[sourceKey(source.id, "angle")] as number,
  }));
}

/** The data of a `source:drag` event on `project:<id>`. */
export interface SourceDrag {
  sourceId: string;
  x: number;
  y: number;
  /** The dragging client's id: it skips its own echoes. */
  by: string;
  /** One id per drag, from pointer down to drop: a late position of a dropped drag is stale. */
  gesture: string;
  /**
   * The gesture's last event, sent at the drop after every position of it: the drag is over.
   * Published in order with its positions, so no position of the gesture comes after it,
   * whereas the stored position (another channel) may arrive before or after them.
   */
  dropped?: boolean;
}
