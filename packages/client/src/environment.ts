/**
 * Browser signals that speed up recovery: `online` (the network is back: retry now) and
 * `visibilitychange` to visible (a sleeping tab wakes up: check the link). Elsewhere (Node,
 * workers without `document`) the missing parts are skipped.
 */

/** What to do on each signal. */
export interface EnvironmentHandlers {
  /** The browser reports it is online again. */
  online(): void;
  /** The page became visible again. */
  visible(): void;
}

interface ListenerTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

function isTarget(value: unknown): value is ListenerTarget {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ListenerTarget).addEventListener === "function" &&
    typeof (value as ListenerTarget).removeEventListener === "function"
  );
}

/** Starts listening; returns the function that stops. */
export function watchEnvironment(handlers: EnvironmentHandlers): () => void {
  const disposers: (() => void)[] = [];
  const global = (globalThis as { window?: unknown }).window;
  if (isTarget(global)) {
    const online = () => handlers.online();
    global.addEventListener("online", online);
    disposers.push(() => global.removeEventListener("online", online));
  }
  const doc = (globalThis as { document?: unknown }).document;
  if (isTarget(doc)) {
    const changed = () => {
      if ((doc as { visibilityState?: string }).visibilityState === "visible") handlers.visible();
    };
    doc.addEventListener("visibilitychange", changed);
    disposers.push(() => doc.removeEventListener("visibilitychange", changed));
  }
  return () => {
    for (const dispose of disposers) dispose();
  };
}
