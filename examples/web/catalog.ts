/**
 * Every example web app: what the launcher lists and the web apps server serves. Pure data,
 * shared by the launcher page (browser) and the server (Node).
 */
export interface AppEntry {
  /** Directory under `examples/web/` and URL path (`/<name>/`); its hub is at `/<name>/ws`. */
  readonly name: string;
  readonly title: string;
  /** The seed system it rebuilds (`../shared/seeds/<seed>_…`). */
  readonly seed: string;
  /** One line on what it shows. */
  readonly what: string;
}

export const APPS: readonly AppEntry[] = [
  {
    name: "acoustic-map",
    title: "Acoustic SPL simulator",
    seed: "000",
    what: "A room plan shared live: drag loudspeakers together, watch the sound-pressure map fill in row by row, optimise the layout with a genetic algorithm.",
  },
  {
    name: "zstack-analysis",
    title: "Z-stack image analyser",
    seed: "001",
    what: "3D image analyses as jobs: progress, ETA and cancel across tabs, toasts, a review dialog for low-confidence results, system load every 5 s.",
  },
  {
    name: "risk-simulator",
    title: "Financial risk simulator",
    seed: "002",
    what: "An agent-based banking network run by a Python backend: live system health, defaults and shocks as they happen, decisions every viewer sees resolved.",
  },
  {
    name: "settings-sync",
    title: "Settings sync",
    seed: "004",
    what: "72 visualiser settings shared live by every tab: presets in one batch, undo, conflicts shown, hot reload when the file on disk changes, an HTTP API for other backends.",
  },
];
