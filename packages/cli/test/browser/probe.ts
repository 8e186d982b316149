/** What `pages/sdk-probe.html` records in `window.probe`. */
export interface Probe {
  events: { channel: string; event: string; offset?: number; data: unknown }[];
  /** Connection states, one per change of status or reason. */
  states: { status: string; reason: string; closeCode: number | null; userId: string | null }[];
  /** Reasons of `reset`s. */
  resets: string[];
  /** Subscribe errors. */
  errors: string[];
  /** Tokens fetched by `getToken`. */
  tokens: number;
  subscribed: boolean;
}

declare global {
  interface Window {
    probe?: Probe;
  }
}
