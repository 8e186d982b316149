/**
 * One shared project of the acoustic simulator: who is here, the room plan with its SPL map,
 * the simulation and the optimiser, and the parameters — all live for every member.
 *
 * - The parameters, the sources' positions and the current jobs are the synced state
 *   document `project-<id>` (useSyncedState); writes go through `project.update`.
 * - A dragged source is published on `project:<id>` as `source:drag` (ephemeral, at most
 *   every 50 ms; the hub conflates per source) and dropped with `project.update`.
 * - The map and the optimiser are jobs (useJob): a member who opens mid-run gets the chunks so
 *   far in the job's snapshot.
 */
import type { SwitchyardError } from "@switchyard/client";
import {
  useConnection,
  useJob,
  usePresence,
  useRpc,
  useSubscription,
  useSwitchyard,
  useSyncedState,
} from "@switchyard/react";
import { ConnectionBadge, JobProgress, PresenceAvatars } from "@switchyard/react/components";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import type { MapResult } from "../../acoustic-map/jobs.js";
import {
  PROJECT_JOB_KEYS,
  PROJECT_ROOM,
  type SourceDrag,
  sourceKey,
  sourcesOf,
} from "../../acoustic-map/project-keys.js";
import type { Grid, Source } from "../../acoustic-map/spl.js";
import { colourAt, type Domain, MapGrid } from "./heatmap.js";
import { generationsOf, Optimiser } from "./optimiser.js";
import { Parameters } from "./parameters.js";
import { Plan } from "./plan.js";

/** Least milliseconds between two drag positions sent (the hub allows 30 a second). */
const DRAG_INTERVAL = 50;
/** A remote drag with no news for this long is over (its user left mid-drag). */
const DRAG_TIMEOUT = 2_000;
const ACTIVE = new Set(["queued", "running", "cancelling"]);

interface Drag {
  x: number;
  y: number;
  by: string;
  gesture: string;
  at: number;
}

interface MapMeta {
  grid: Grid;
  frequency: number;
  sources: Source[];
}

/**
 * The job of a project's kind: the one this client just started (from the RPC's reply, at
 * once), until the document names another.
 */
function useProjectJob(documentValue: unknown) {
  const [started, setStarted] = useState<{ id: string; base: unknown } | null>(null);
  const current = typeof documentValue === "string" ? documentValue : null;
  const id = started && documentValue === started.base ? started.id : current;
  const start = useCallback(
    (jobId: string) => setStarted({ id: jobId, base: documentValue }),
    [documentValue],
  );
  return [id, start] as const;
}

function Legend({ domain }: { domain: Domain | null }) {
  const stops = Array.from({ length: 11 }, (_, i) => `${colourAt(i / 10)} ${i * 10}%`).join(", ");
  return (
    <figure
      className="legend"
      aria-label={domain ? `Colour scale from ${domain.min} to ${domain.max} dB` : "Colour scale"}
      data-min={domain?.min}
      data-max={domain?.max}
    >
      <div className="legend__bar" style={{ background: `linear-gradient(to right, ${stops})` }} />
      <figcaption className="legend__ticks">
        {domain ? (
          [0, 0.25, 0.5, 0.75, 1].map((t) => (
            <span key={t}>
              {Math.round(domain.min + t * (domain.max - domain.min))}
              {t === 1 && " dB"}
            </span>
          ))
        ) : (
          <span>SPL (dB) — simulate to see the map</span>
        )}
      </figcaption>
    </figure>
  );
}

function sameSources(a: readonly Source[], b: readonly Source[]): boolean {
  return a.every((source, i) => {
    const other = b[i];
    return (
      other !== undefined &&
      other.x === source.x &&
      other.y === source.y &&
      other.power === source.power &&
      other.angle === source.angle &&
      other.pattern === source.pattern
    );
  });
}

export function App({ project }: { project: string }) {
  const client = useSwitchyard();
  const channel = `project:${project}`;
  const document = useSyncedState(`project-${project}`);
  const values = document.values as Record<string, unknown>;
  const loaded = document.status !== "loading" && values.frequency !== undefined;
  const connection = useConnection();
  const myClientId = connection.info?.clientId ?? null;
  const presence = usePresence(channel);
  const update = useRpc("project.update");
  const simulate = useRpc("project.simulate");
  const optimize = useRpc("project.optimize");
  const stop = useRpc("project.stop");

  // Sources other members are dragging, and the positions this client dropped that the
  // document does not show yet.
  const [remote, setRemote] = useState<ReadonlyMap<string, Drag>>(new Map());
  const finished = useRef(new Set<string>());
  const [held, setHeld] = useState<ReadonlyMap<string, { x: number; y: number }>>(new Map());
  useSubscription(channel, {
    events: ["source:drag"],
    onEvent: (event) => {
      const drag = event.data as SourceDrag;
      // Our own echo, or a late position of a drag whose drop is already stored.
      if (drag.by === myClientId || finished.current.has(drag.gesture)) return;
      if (drag.dropped) {
        // The gesture's last event: no position of it comes after. Show the drop until the
        // stored position shows it, unless it already does.
        finished.current.add(drag.gesture);
        const source = storedRef.current.find((item) => item.id === drag.sourceId);
        if (source && source.x === drag.x && source.y === drag.y) {
          setRemote((all) => {
            if (!all.has(drag.sourceId)) return all;
            const next = new Map(all);
            next.delete(drag.sourceId);
            return next;
          });
          return;
        }
      }
      setRemote((all) => new Map(all).set(drag.sourceId, { ...drag, at: Date.now() }));
    },
  });
  useEffect(() => {
    if (remote.size === 0) return;
    const timer = setInterval(() => {
      const now = Date.now();
      setRemote((all) => {
        const fresh = new Map([...all].filter(([, drag]) => now - drag.at < DRAG_TIMEOUT));
        return fresh.size === all.size ? all : fresh;
      });
    }, 500);
    return () => clearInterval(timer);
  }, [remote.size]);

  const stored = useMemo(() => (loaded ? sourcesOf(values) : []), [loaded, values]);
  const storedRef = useRef(stored);
  storedRef.current = stored;
  // A stored position that changed ends the drag that led to it (ours or another member's).
  const previous = useRef(new Map<string, string>());
  const positions = stored.map((source) => `${source.id}:${source.x}:${source.y}`).join(" ");
  // biome-ignore lint/correctness/useExhaustiveDependencies: positions is the trigger.
  useEffect(() => {
    setRemote((all) => {
      const next = new Map(
        [...all].filter(([id, drag]) => {
          const source = stored.find((item) => item.id === id);
          const kept = source && previous.current.get(id) === `${source.x}:${source.y}`;
          if (!kept) finished.current.add(drag.gesture);
          return kept;
        }),
      );
      return next.size === all.size ? all : next;
    });
    previous.current = new Map(stored.map((source) => [source.id, `${source.x}:${source.y}`]));
    setHeld((all) => {
      const next = new Map(
        [...all].filter(([id, point]) => {
          const source = stored.find((item) => item.id === id);
          return source && (source.x !== point.x || source.y !== point.y);
        }),
      );
      return next.size === all.size ? all : next;
    });
  }, [positions]);

  const sources = stored.map((source) => {
    const point = held.get(source.id) ?? remote.get(source.id);
    return point ? { ...source, x: point.x, y: point.y } : source;
  });
  const nameOf = (clientId: string) => {
    const member = presence.members.find((item) => item.clientIds.includes(clientId));
    const info = member?.info as { name?: string } | null | undefined;
    return info?.name ?? "someone";
  };
  const draggedBy = new Map([...remote].map(([id, drag]) => [id, nameOf(drag.by)]));

  // Dragging: the latest position at most every DRAG_INTERVAL, and the last one always.
  const lastSent = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout>>(undefined);
  const gesture = useRef<string | null>(null);
  const onDrag = (sourceId: string, x: number, y: number) => {
    gesture.current ??= Math.random().toString(36).slice(2);
    const drag: SourceDrag = { sourceId, x, y, by: myClientId ?? "", gesture: gesture.current };
    const send = () => {
      lastSent.current = performance.now();
      client?.publish(channel, "source:drag", drag).catch(() => {
        // Over the rate limit or offline: the next position or the drop will follow.
      });
    };
    clearTimeout(trailing.current);
    const wait = lastSent.current + DRAG_INTERVAL - performance.now();
    if (wait <= 0) send();
    else trailing.current = setTimeout(send, wait);
  };
  const onDrop = (sourceId: string, x: number, y: number) => {
    clearTimeout(trailing.current);
    if (gesture.current !== null) {
      // The gesture's last event, after all its positions: the others stop showing the drag.
      const drop: SourceDrag = {
        sourceId,
        x,
        y,
        by: myClientId ?? "",
        gesture: gesture.current,
        dropped: true,
      };
      client?.publish(channel, "source:drag", drop).catch(() => {
        // Over the rate limit or offline: the stored position ends the drag anyway.
      });
    }
    gesture.current = null;
    setHeld((all) => new Map(all).set(sourceId, { x, y }));
    const set = { [sourceKey(sourceId, "x")]: x, [sourceKey(sourceId, "y")]: y };
    const forget = () =>
      setHeld((all) => {
        const next = new Map(all);
        next.delete(sourceId);
        return next;
      });
    update.call({ project, set }).catch((error: SwitchyardError) => {
      const issues = (error.details as { issues?: { path: string[]; suggested?: number }[] })
        ?.issues;
      const suggested = Object.fromEntries(
        (issues ?? [])
          .filter((issue) => typeof issue.suggested === "number")
          .map((issue) => [issue.path[1], issue.suggested]),
      );
      if (Object.keys(suggested).length === 0) {
        forget();
        toast.error(error.message);
        return;
      }
      // The hub suggests the nearest point inside the room: put the source there.
      const inside = { ...set, ...suggested };
      setHeld((all) =>
        new Map(all).set(sourceId, {
          x: inside[sourceKey(sourceId, "x")] as number,
          y: inside[sourceKey(sourceId, "y")] as number,
        }),
      );
      toast.info(`${sourceId} must stay inside the room: moved to the nearest point inside.`);
      update.call({ project, set: inside }).catch(forget);
    });
  };

  // The map: the project's current map job, its rows decoded as they arrive.
  const [mapJobId, startedMap] = useProjectJob(values[PROJECT_JOB_KEYS.map]);
  const mapJob = useJob(mapJobId);
  const meta = (mapJob.meta ?? null) as MapMeta | null;
  const gridKey = meta?.grid ? JSON.stringify(meta.grid) : null;
  const map = useMemo(
    () => (gridKey && mapJobId ? new MapGrid(JSON.parse(gridKey) as Grid) : null),
    [gridKey, mapJobId],
  );
  const [mapVersion, setMapVersion] = useState(0);
  const [domain, setDomain] = useState<Domain | null>(null);
  useEffect(() => {
    if (!map) {
      setDomain(null);
      return;
    }
    if (map.add(mapJob.chunks) > 0) {
      setDomain(map.domain());
      setMapVersion((version) => version + 1);
    }
  }, [map, mapJob.chunks]);
  const mapRunning = mapJob.status !== null && ACTIVE.has(mapJob.status);
  const mapResult = mapJob.status === "completed" ? (mapJob.result as MapResult) : null;
  const stale =
    meta !== null &&
    loaded &&
    (meta.frequency !== values.frequency ||
      meta.grid.resolution !== values["grid.resolution"] ||
      !sameSources(meta.sources, stored));

  // The optimiser: its generations, and the best layout so far on the plan.
  const [optimizerJobId, startedOptimizer] = useProjectJob(values[PROJECT_JOB_KEYS.optimizer]);
  const optimizerJob = useJob(optimizerJobId);
  const generations = useMemo(() => generationsOf(optimizerJob.chunks), [optimizerJob.chunks]);
  const best = generations.at(-1)?.bestConfiguration ?? null;

  const start = () =>
    simulate.call({ project }).then(
      (reply) => startedMap((reply as { jobId: string }).jobId),
      (error: Error) => toast.error(error.message),
    );
  const startOptimizer = () =>
    optimize.call({ project }).then(
      (reply) => startedOptimizer((reply as { jobId: string }).jobId),
      (error: Error) => toast.error(error.message),
    );
  const stopJob = (jobId: string) =>
    stop.call({ project, jobId }).catch((error: Error) => toast.error(error.message));

  const names = presence.members.map((member) => {
    const name = (member.info as { name?: string } | null)?.name ?? "Guest";
    return myClientId && member.clientIds.includes(myClientId) ? `${name} (you)` : name;
  });

  return (
    <div className="page acoustic">
      <header className="app-header">
        <h1>
          Acoustic SPL simulator <span className="project">project {project}</span>
        </h1>
        <div className="presence">
          <PresenceAvatars channel={channel} max={5} />
          <span className="presence__names">{names.join(", ")}</span>
        </div>
        <ConnectionBadge />
      </header>
      <main className="layout">
        <section className="card plan-card" aria-labelledby="plan-title">
          <div className="card__head">
            <h2 id="plan-title">Room plan</h2>
            <div className="actions">
              {mapRunning && mapJobId ? (
                <button type="button" className="danger" onClick={() => stopJob(mapJobId)}>
                  Stop
                </button>
              ) : (
                <button type="button" className="primary" onClick={start} disabled={!loaded}>
                  Simulate
                </button>
              )}
            </div>
          </div>
          {mapJobId && (
            <JobProgress jobId={mapJobId} name="SPL map" cancellable={false} className="map-job" />
          )}
          <Plan
            project={project}
            room={PROJECT_ROOM}
            sources={sources}
            draggedBy={draggedBy}
            best={best}
            map={map}
            mapJobId={mapJobId}
            mapVersion={mapVersion}
            domain={domain}
            onDrag={onDrag}
            onDrop={onDrop}
          />
          <div className="plan-foot">
            <Legend domain={domain} />
            <p className="map-stats" aria-live="polite">
              {mapResult
                ? `${map?.grid.cols} × ${map?.grid.rows} cells of ${map?.grid.resolution} m · min ${mapResult.stats.min.toFixed(1)} · mean ${mapResult.stats.mean.toFixed(1)} · max ${mapResult.stats.max.toFixed(1)} dB · spread ±${mapResult.stats.std.toFixed(1)} dB · streamed in ${(mapResult.computationMs / 1000).toFixed(1)} s`
                : map
                  ? `${map.rowsReceived} of ${map.grid.rows} rows`
                  : "Drag a loudspeaker to move it for everyone; hover the room for the level."}
            </p>
            {stale && (
              <p className="stale" role="note">
                The parameters changed since this map: Simulate to update it.
              </p>
            )}
          </div>
        </section>
        <aside className="side">
          {loaded ? (
            <Parameters project={project} values={values} />
          ) : (
            <section className="card">Loading the project…</section>
          )}
          <Optimiser
            project={project}
            jobId={optimizerJobId}
            generations={generations}
            onStart={startOptimizer}
            onStop={stopJob}
          />
        </aside>
      </main>
    </div>
  );
}
