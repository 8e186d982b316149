/**
 * A simulation run as its events tell it: the types of the events the Python backend publishes
 * on `sim:<id>`, and the catch-up — the run so far in one object — that the hub sends in each
 * subscribe reply and the page keeps up to date with every event. Pure data, shared by the
 * hub (Node) and the page (browser). Applying an event twice changes nothing, so a catch-up
 * and the live events that follow it may overlap.
 */

/** `simulation_started`: what was asked for. */
export interface SimulationInfo {
  simulation_id: string;
  seed: number;
  scenario: string;
  steps: number;
  agents: number;
}

export interface EntityState {
  id: string;
  type: "bank" | "fund" | "firm";
  /** Capital ratio against its starting ratio, 0–1 (0 once defaulted). */
  health: number;
  alive: boolean;
}

/** The seed's `SimulationSnapshot`: every entity, the market prices, the user's bank. */
export interface SimulationSnapshot {
  entities: EntityState[];
  prices: Record<string, number>;
  your_bank: { id: string; alive: boolean; capital_ratio: number; npa_ratio: number };
}

/** `simulation_step`, published after each timestep. */
export interface SimulationStep {
  timestep: number;
  system_health: number;
  alive_agents: number;
  snapshot: SimulationSnapshot;
}

/** `entity_default`. */
export interface EntityDefault {
  entity_id: string;
  entity_type: string;
  timestep: number;
  cause: "losses" | "contagion";
  creditors_hit: string[];
}

/** `shock_applied`. */
export interface ShockApplied {
  shock_id: string;
  shock_type: string;
  target: string;
  magnitude: number;
  timestep: number;
}

export interface DecisionAction {
  id: string;
  label: string;
  description: string;
}

/** `pending_decision`: the run waits for an answer. */
export interface PendingDecision {
  decision_id: string;
  kind: string;
  timestep: number;
  title: string;
  description: string;
  recommended_action: DecisionAction;
  alternative_action: DecisionAction;
}

/** `decision_resolved`: someone answered; the run goes on. */
export interface DecisionResolved {
  decision_id: string;
  kind: string;
  choice: "recommended" | "alternative";
  action: DecisionAction;
  timestep: number;
  /** What the answer changed at once (the user's bank's NPA ratio, the system's health). */
  effect: { npa_before: number; npa_after: number; health_before: number; health_after: number };
}

/** `simulation_completed`. */
export interface SimulationCompleted {
  timestep: number;
  system_health: number;
  alive_agents: number;
  reason: "steps" | "collapse";
}

export type FeedItem =
  | { event: "entity_default"; data: EntityDefault }
  | { event: "shock_applied"; data: ShockApplied }
  | { event: "pending_decision"; data: PendingDecision }
  | { event: "decision_resolved"; data: DecisionResolved };

/** The run so far: what a catch-up carries and what the page draws. */
export interface CatchUp {
  simulation: SimulationInfo | null;
  /** `[timestep, system_health, alive_agents]`, by timestep. */
  steps: [number, number, number][];
  /** The last step, with its snapshot. */
  latest: SimulationStep | null;
  /** Shocks, defaults, decisions and their resolutions, in the order they happened. */
  feed: FeedItem[];
  /** The decision waiting for an answer. */
  pending: PendingDecision | null;
  completed: SimulationCompleted | null;
}

export const EMPTY_RUN: CatchUp = {
  simulation: null,
  steps: [],
  latest: null,
  feed: [],
  pending: null,
  completed: null,
};

/** The events of a run. */
export const RUN_EVENTS = [
  "simulation_started",
  "simulation_step",
  "shock_applied",
  "entity_default",
  "pending_decision",
  "decision_resolved",
  "simulation_completed",
] as const;

/** A feed item's identity: the same item from a catch-up and from a live event is one. */
export function feedKey(item: FeedItem): string {
  switch (item.event) {
    case "entity_default":
      return `default:${item.data.entity_id}`;
    case "shock_applied":
      return `shock:${item.data.shock_id}`;
    case "pending_decision":
      return `decision:${item.data.decision_id}`;
    case "decision_resolved":
      return `resolved:${item.data.decision_id}`;
  }
}

function feedTime(item: FeedItem): number {
  return item.data.timestep;
}

/**
 * The run after one event (a new object when it changed, the same one otherwise). Events may
 * come twice or out of the catch-up's order: steps are kept by timestep, feed items by key,
 * and a resolved decision is never pending again.
 */
export function applyEvent(run: CatchUp, event: string, data: unknown): CatchUp {
  switch (event) {
    case "simulation_started":
      return run.simulation ? run : { ...run, simulation: data as SimulationInfo };
    case "simulation_step": {
      const step = data as SimulationStep;
      const row: [number, number, number] = [step.timestep, step.system_health, step.alive_agents];
      const steps = insertStep(run.steps, row);
      if (steps === run.steps) return run;
      const latest =
        run.latest === null || step.timestep >= run.latest.timestep ? step : run.latest;
      return { ...run, steps, latest };
    }
    case "simulation_completed":
      return run.completed ? run : { ...run, completed: data as SimulationCompleted };
    case "shock_applied":
    case "entity_default":
    case "pending_decision":
    case "decision_resolved": {
      const item = { event, data } as FeedItem;
      const key = feedKey(item);
      if (run.feed.some((known) => feedKey(known) === key)) return run;
      const feed = [...run.feed];
      let at = feed.length;
      while (at > 0 && feedTime(feed[at - 1] as FeedItem) > feedTime(item)) at--;
      feed.splice(at, 0, item);
      return { ...run, feed, pending: pendingOf(feed, run.pending, item) };
    }
    default:
      return run;
  }
}

/** The catch-up `more` laid over `run` (both may hold the same events). */
export function mergeCatchUp(run: CatchUp, more: CatchUp): CatchUp {
  let next = run;
  if (more.simulation) next = applyEvent(next, "simulation_started", more.simulation);
  if (more.steps.length > 0) {
    let steps = next.steps;
    for (const row of more.steps) steps = insertStep(steps, row);
    const latest =
      more.latest && (next.latest === null || more.latest.timestep >= next.latest.timestep)
        ? more.latest
        : next.latest;
    if (steps !== next.steps || latest !== next.latest) next = { ...next, steps, latest };
  }
  for (const item of more.feed) next = applyEvent(next, item.event, item.data);
  if (more.pending) next = applyEvent(next, "pending_decision", more.pending);
  if (more.completed) next = applyEvent(next, "simulation_completed", more.completed);
  return next;
}

function insertStep(
  steps: [number, number, number][],
  row: [number, number, number],
): [number, number, number][] {
  const last = steps[steps.length - 1];
  if (last === undefined || last[0] < row[0]) return [...steps, row];
  let at = steps.length;
  while (at > 0 && (steps[at - 1] as [number, number, number])[0] > row[0]) at--;
  if (at > 0 && (steps[at - 1] as [number, number, number])[0] === row[0]) return steps;
  const next = [...steps];
  next.splice(at, 0, row);
  return next;
}

function pendingOf(
  feed: FeedItem[],
  current: PendingDecision | null,
  item: FeedItem,
): PendingDecision | null {
  const resolved = (id: string) =>
    feed.some((known) => known.event === "decision_resolved" && known.data.decision_id === id);
  if (item.event === "pending_decision")
    return resolved(item.data.decision_id) ? current : item.data;
  if (item.event === "decision_resolved" && current?.decision_id === item.data.decision_id) {
    return null;
  }
  return current;
}

/** True when the steps run from the first timestep to the last without a hole. */
export function contiguous(run: CatchUp): boolean {
  return run.steps.every(([timestep], index) => timestep === index + 1);
}
