/**
 * Shared projects for the web app: everyone who opens project `demo` edits one room together.
 *
 * - The parameters live in the synced state document `project-<id>` (frequency, grid,
 *   optimiser settings, each source's position, power, pattern and angle), plus the ids of the
 *   project's current map and optimiser jobs. Clients read it; they change it only through
 *   `project.update`, which validates each value against the others (a source inside the
 *   room, a grid within the cell limit) and refuses a bad one with the parameter's name, the
 *   reason and a value that would work (the seed's `parameter:validation`).
 * - `project:<id>` carries presence (who is in the project) and `source:drag`: a dragged
 *   source's position, ephemeral (no history) and conflated per source (latest wins), which
 *   clients publish themselves while dragging; the drop is a `project.update`.
 * - `project.simulate` and `project.optimize` start the map and the optimiser on the project's
 *   current parameters as jobs every member may watch and stop (`project.stop`);
 *   `project.preview` is the level at one point (the seed's `ui:spl_preview`).
 *
 * | RPC                | data                      | reply                                    |
 * | ------------------ | ------------------------- | ---------------------------------------- |
 * | `project.update`   | `{project, set: {key: v}}` | `{version}`                             |
 * | `project.simulate` | `{project}`               | `{jobId, grid, rowsPerChunk, chunks}`    |
 * | `project.optimize` | `{project}`               | `{jobId, generations, seed}`             |
 * | `project.stop`     | `{project, jobId}`        | `{jobId, status}`                        |
 * | `project.preview`  | `{project, x, y}`         | `{point: [x, y], splValue}` (null outside) |
 */
import {
  type AccessContext,
  type Hub,
  type NamespaceOptions,
  type StateDocumentOptions,
  SwitchyardError,
} from "@switchyard/server";
import { z } from "zod";
import { runMapJob, runOptimizerJob } from "./jobs.js";
import { type InputIssue, inputIssues, parseInput } from "./parse-input.js";
import {
  PROJECT_JOB_KEYS,
  PROJECT_ROOM,
  PROJECT_SOURCES,
  type ProjectValues,
  type SourceDrag,
  sourceKey,
  sourcesOf,
} from "./project-keys.js";
import { nearestInside, pointInPolygon } from "./room.js";
import {
  MAX_CELLS,
  MAX_FITNESS_CELLS,
  MAX_ROWS,
  name,
  RANGES,
  ranged,
  resolutionFor,
} from "./schemas.js";
import { airAbsorption, type Grid, gridOver, PATTERNS, splAt } from "./spl.js";

/** Chunks a project's map is cut into (about: a coarse grid has fewer rows). */
export const PROJECT_MAP_CHUNKS = 64;

/** The project's parameters, keyed as in its state document, with their schemas and defaults. */
function parameterKeys() {
  const keys: Record<string, { schema: z.ZodType; default: unknown }> = {
    frequency: { schema: ranged("frequency"), default: RANGES.frequency.default },
    "grid.resolution": { schema: ranged("resolution"), default: 0.1 },
    "optimizer.generations": {
      schema: z.number().int().min(1).max(200),
      default: 40,
    },
    "optimizer.population": { schema: z.number().int().min(4).max(64), default: 24 },
    "optimizer.minLevel": { schema: ranged("minLevel"), default: RANGES.minLevel.default },
  };
  for (const source of PROJECT_SOURCES) {
    const coordinate = z.number().min(-1000).max(1000);
    keys[sourceKey(source.id, "x")] = { schema: coordinate, default: source.x };
    keys[sourceKey(source.id, "y")] = { schema: coordinate, default: source.y };
    keys[sourceKey(source.id, "power")] = { schema: ranged("power"), default: source.power };
    keys[sourceKey(source.id, "angle")] = { schema: ranged("angle"), default: source.angle };
    keys[sourceKey(source.id, "pattern")] = { schema: z.enum(PATTERNS), default: source.pattern };
  }
  return keys;
}

/** Every parameter a client may set with `project.update`. */
export const PROJECT_PARAMETERS = parameterKeys();

export {
  PROJECT_JOB_KEYS,
  PROJECT_ROOM,
  PROJECT_SOURCES,
  type ProjectValues,
  type SourceDrag,
  sourcesOf,
};

/** The state document declaration of every project (`project-<id>`). */
export function projectDocuments(): Record<string, StateDocumentOptions> {
  const keys: Record<string, { schema: z.ZodType; default: unknown }> = { ...PROJECT_PARAMETERS };
  for (const key of Object.values(PROJECT_JOB_KEYS)) {
    keys[key] = { schema: z.string().nullable(), default: null };
  }
  return {
    "project-*": {
      keys,
      // A local demo: anyone reads; every write goes through project.update (validated).
      read: "anyone",
      write: { "": "nobody" },
    },
  };
}

/** A stable friendly name per browser session, shown in the presence list. */
export function guestName(sessionId: string): string {
  const adjectives = ["Amber", "Blue", "Coral", "Dusky", "Ember", "Fern", "Golden", "Hazel"];
  const animals = ["Heron", "Otter", "Lynx", "Finch", "Marten", "Ibis", "Wren", "Stoat"];
  let hash = 2166136261;
  for (let i = 0; i < sessionId.length; i++) {
    hash = Math.imul(hash ^ sessionId.charCodeAt(i), 16777619) >>> 0;
  }
  return `${adjectives[hash % 8]} ${animals[(hash >>> 3) % 8]}`;
}

const sourceDrag = z.object({
  sourceId: name,
  x: z.number().min(-1000).max(1000),
  y: z.number().min(-1000).max(1000),
  by: z.string().max(128),
  gesture: z.string().max(64),
  dropped: z.boolean().optional(),
});

/** The `project` namespace: presence, and the ephemeral, conflated drags of sources. */
export function projectNamespace(): NamespaceOptions {
  return {
    subscribe: "anyone",
    publish: "anyone",
    history: false,
    // Only drags may be published, and only well-formed ones.
    events: { "source:drag": sourceDrag },
    ephemeral: ["source:drag"],
    // A slow client gets only the latest position of each source.
    conflate: ({ event, data }) =>
      event === "source:drag" ? `drag:${(data as SourceDrag).sourceId}` : undefined,
  };
}

/** The presence settings of the `project` namespace. */
export const projectPresence = {
  info: (client: AccessContext) => ({ name: guestName(client.sessionId) }),
};

const updateInput = z.object({
  project: name,
  set: z.record(z.string().max(128), z.unknown()),
});
const projectInput = z.object({ project: name });
const stopInput = z.object({ project: name, jobId: z.string().min(1).max(128) });
const previewInput = z.object({
  project: name,
  x: z.number().min(-1000).max(1000),
  y: z.number().min(-1000).max(1000),
});

function refuse(method: string, issues: InputIssue[]): never {
  const first = issues[0] as InputIssue;
  const hint =
    first.suggested !== undefined ? ` (suggested: ${JSON.stringify(first.suggested)})` : "";
  throw new SwitchyardError(
    "invalid_data",
    `Invalid data for '${method}' at '${first.path.join(".")}': ${first.message}${hint}`,
    { issues },
  );
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Checks a batch of parameter values against their schemas and against the rest of the
 * project (after the batch): each issue's path is `["set", key]`.
 */
export function checkUpdate(set: Record<string, unknown>, current: ProjectValues): InputIssue[] {
  const issues: InputIssue[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(set)) {
    const parameter = PROJECT_PARAMETERS[key];
    if (!parameter) {
      issues.push({ path: ["set", key], message: `Unknown parameter '${key}'` });
      continue;
    }
    const result = parameter.schema.safeParse(value);
    if (result.success) {
      parsed[key] = result.data;
      continue;
    }
    for (const issue of inputIssues(result.error)) {
      const suggested =
        issue.suggested ?? (typeof value === "number" ? undefined : parameter.default);
      issues.push({
        path: ["set", key],
        message: issue.message,
        ...(suggested !== undefined && { suggested }),
      });
    }
  }
  if (issues.length > 0) return issues;

  const after: ProjectValues = { ...current, ...parsed };
  const resolution = after["grid.resolution"] as number;
  if ("grid.resolution" in parsed) {
    const grid = gridOver(PROJECT_ROOM, resolution);
    if (grid.cols * grid.rows > MAX_CELLS || grid.rows > MAX_ROWS) {
      issues.push({
        path: ["set", "grid.resolution"],
        message: `A ${grid.cols}×${grid.rows} grid is too fine: at most ${MAX_CELLS} cells`,
        suggested: resolutionFor([...PROJECT_ROOM], MAX_CELLS, MAX_ROWS),
      });
    }
  }
  for (const source of sourcesOf(after)) {
    const keys = [sourceKey(source.id, "x"), sourceKey(source.id, "y")];
    if (!keys.some((key) => key in parsed)) continue;
    if (pointInPolygon(source, PROJECT_ROOM)) continue;
    const inside = nearestInside(source, PROJECT_ROOM);
    const message = `Source '${source.id}' would stand outside the room`;
    for (const [index, key] of keys.entries()) {
      if (!(key in parsed)) continue;
      const coordinate = inside && round2(index === 0 ? inside.x : inside.y);
      issues.push({ path: ["set", key], message, ...(inside && { suggested: coordinate }) });
    }
  }
  return issues;
}

/** Options of {@link registerProjectRpcs}. */
export interface ProjectOptions {
  /** Least milliseconds between two map chunks (0: as fast as computed). */
  chunkInterval: number;
  /** Least milliseconds between two generations of the optimiser. */
  generationInterval: number;
}

/** Registers the `project.*` RPCs. */
export function registerProjectRpcs(hub: Hub, options: ProjectOptions): void {
  const documentOf = (project: string) => hub.state(`project-${project}`);
  const valuesOf = async (project: string): Promise<ProjectValues> => {
    const document = await documentOf(project).get();
    return Object.fromEntries(
      Object.entries(document.entries).map(([key, entry]) => [key, entry.value]),
    );
  };
  const who = (client: { userId: string | null; clientId: string }) =>
    client.userId ?? client.clientId;

  /** Stops the project's running job of this kind before a new one takes its place. */
  const replace = async (key: string, values: ProjectValues) => {
    const previous = values[key];
    if (typeof previous !== "string") return;
    await hub.jobs.cancel(previous, { reason: "replaced by a new run" }).catch(() => undefined);
  };

  hub.rpc("project.update", async (data, { client }) => {
    const { project, set } = parseInput(updateInput, data, "project.update");
    if (Object.keys(set).length === 0 || Object.keys(set).length > 20) {
      refuse("project.update", [{ path: ["set"], message: "Set 1 to 20 parameters" }]);
    }
    const issues = checkUpdate(set, await valuesOf(project));
    if (issues.length > 0) refuse("project.update", issues);
    const { version } = await documentOf(project).batch({ set }, { by: who(client) });
    return { version };
  });

  hub.rpc("project.simulate", async (data, { client }) => {
    const { project } = parseInput(projectInput, data, "project.simulate");
    const values = await valuesOf(project);
    const frequency = values.frequency as number;
    const grid: Grid = gridOver(PROJECT_ROOM, values["grid.resolution"] as number);
    const rowsPerChunk = Math.max(1, Math.round(grid.rows / PROJECT_MAP_CHUNKS));
    const sources = sourcesOf(values);
    await replace(PROJECT_JOB_KEYS.map, values);
    const job = await hub.jobs.run(
      (handle) =>
        runMapJob(handle, {
          grid,
          sources,
          room: PROJECT_ROOM,
          absorption: airAbsorption(frequency),
          rowsPerChunk,
          chunkInterval: options.chunkInterval,
        }),
      {
        owner: client,
        visibility: "anyone",
        meta: { kind: "map", project, grid, rowsPerChunk, frequency, sources, by: who(client) },
      },
    );
    await documentOf(project).set(PROJECT_JOB_KEYS.map, job.id, { by: who(client) });
    return { jobId: job.id, grid, rowsPerChunk, chunks: Math.ceil(grid.rows / rowsPerChunk) };
  });

  hub.rpc("project.optimize", async (data, { client }) => {
    const { project } = parseInput(projectInput, data, "project.optimize");
    const values = await valuesOf(project);
    const generations = values["optimizer.generations"] as number;
    const population = values["optimizer.population"] as number;
    const seed = Math.floor(Math.random() * 2 ** 32);
    const resolution = resolutionFor([...PROJECT_ROOM], MAX_FITNESS_CELLS / 2);
    const problem = {
      sources: sourcesOf(values),
      room: PROJECT_ROOM,
      minLevel: values["optimizer.minLevel"] as number,
      resolution: Math.max(resolution, 0.5),
      absorption: airAbsorption(values.frequency as number),
    };
    await replace(PROJECT_JOB_KEYS.optimizer, values);
    const job = await hub.jobs.run(
      (handle) =>
        runOptimizerJob(
          handle,
          problem,
          { generations, population, seed },
          options.generationInterval,
        ),
      {
        owner: client,
        visibility: "anyone",
        meta: { kind: "optimizer", project, generations, population, seed, by: who(client) },
      },
    );
    await documentOf(project).set(PROJECT_JOB_KEYS.optimizer, job.id, { by: who(client) });
    return { jobId: job.id, generations, seed };
  });

  hub.rpc("project.stop", async (data, { client }) => {
    const { project, jobId } = parseInput(stopInput, data, "project.stop");
    const job = await hub.jobs.get(jobId);
    if ((job.meta as { project?: string } | null)?.project !== project) {
      refuse("project.stop", [{ path: ["jobId"], message: `Not a job of project '${project}'` }]);
    }
    // Every member of the project may stop its jobs: the hub cancels on their behalf.
    const after = await hub.jobs.cancel(jobId, { reason: `Stopped by ${who(client)}` });
    return { jobId, status: after.status };
  });

  hub.rpc("project.preview", async (data) => {
    const { project, x, y } = parseInput(previewInput, data, "project.preview");
    const values = await valuesOf(project);
    const point = { x, y };
    const splValue = pointInPolygon(point, PROJECT_ROOM)
      ? splAt(sourcesOf(values), point, airAbsorption(values.frequency as number))
      : null;
    return { point: [x, y], splValue };
  });
}
