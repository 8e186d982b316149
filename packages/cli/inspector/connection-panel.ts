import {
  type Client,
  type ClientCodec,
  type ConnectionState,
  createClient,
} from "@switchyard/client";
import { byId, describeError, el } from "./dom.js";
import type { EventLog } from "./event-log.js";
import type { HubTarget } from "./hub-target.js";

/** What the connection panel offers the rest of the console. */
export interface ConnectionPanel {
  /** The current client, created (and connecting) from the form when there is none yet. */
  ensure(): Promise<Client>;
  /** The current client, if any. */
  current(): Client | null;
  /** Calls `listener` with each new client (after Connect with changed settings). */
  onClient(listener: (client: Client) => void): void;
  /** Calls `listener` after every change of the current client's connection state. */
  onState(listener: (state: ConnectionState) => void): void;
}

interface Settings {
  url: string;
  token: string;
  codec: "json" | "msgpack";
}

const sameSettings = (a: Settings, b: Settings) =>
  a.url === b.url && a.token === b.token && a.codec === b.codec;

/** The MessagePack codec, loaded on first use so JSON users never download it. */
async function codecOf(name: Settings["codec"]): Promise<"json" | ClientCodec> {
  if (name === "json") return "json";
  const { msgpackCodec } = await import("@switchyard/client/msgpack");
  return msgpackCodec;
}

/** The hub's WebSocket endpoint next to this page: `ws://host/ws` (`wss:` under https). */
function defaultUrl(): string {
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

function describeState(state: ConnectionState): string {
  const parts: string[] = [state.reason];
  if (state.closeCode !== null) parts.push(`close ${state.closeCode}`);
  if (state.attempt > 0 && state.status !== "connected") parts.push(`attempt ${state.attempt}`);
  if (state.retryAt !== null) {
    parts.push(`retry in ${Math.max(0, (state.retryAt - Date.now()) / 1000).toFixed(1)}s`);
  }
  return parts.join(" · ");
}

/**
 * The connection form (URL prefilled with this hub's endpoint, optional token, codec) and the
 * live connection state with its reason. Connect reuses the client while the settings are
 * unchanged (its subscriptions and outbox carry on); changed settings replace it, and a URL
 * of another hub points the whole page (`hub`) at that hub.
 */
export function startConnectionPanel(log: EventLog, hub: HubTarget): ConnectionPanel {
  const form = byId("connect-form", HTMLFormElement);
  const url = byId("connect-url", HTMLInputElement);
  const token = byId("connect-token", HTMLInputElement);
  const codec = byId("connect-codec", HTMLSelectElement);
  const button = byId("connect-button", HTMLButtonElement);
  const status = byId("connection-status", HTMLElement);
  const reason = byId("connection-reason", HTMLElement);
  const info = byId("connection-info", HTMLElement);
  url.value = defaultUrl();

  let client: Client | null = null;
  let settings: Settings | null = null;
  let creating: Promise<Client> | null = null;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const clientListeners: ((client: Client) => void)[] = [];
  const stateListeners: ((state: ConnectionState) => void)[] = [];

  const read = (): Settings => ({
    url: url.value.trim(),
    token: token.value.trim(),
    codec: codec.value === "msgpack" ? "msgpack" : "json",
  });

  function render(state: ConnectionState): void {
    status.textContent = state.status;
    status.dataset.status = state.status;
    reason.textContent = describeState(state);
    const live = state.status === "connected" || state.status === "connecting";
    button.textContent = live || state.status === "reconnecting" ? "Disconnect" : "Connect";
    const rows: [string, string][] = state.info
      ? [
          ["client", state.info.clientId],
          ["session", state.info.sessionId],
          ["user", state.info.userId ?? "anonymous"],
          ["codec", settings?.codec ?? "json"],
        ]
      : [];
    if (state.info?.expiresAt) {
      rows.push(["token expires", new Date(state.info.expiresAt).toLocaleTimeString("en-GB")]);
    }
    info.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    // While a retry is scheduled, count it down.
    clearInterval(ticker);
    if (state.retryAt !== null) {
      ticker = setInterval(() => {
        reason.textContent = describeState(state);
      }, 200);
    }
  }

  async function create(next: Settings): Promise<Client> {
    client?.close();
    client = null;
    const created = createClient({
      url: next.url,
      ...(next.token === "" ? {} : { token: next.token }),
      codec: await codecOf(next.codec),
    });
    client = created;
    settings = next;
    hub.select(next.url);
    log.add({ kind: "status", event: "connection", text: `connecting to ${next.url}` });
    let last = created.connection.getSnapshot();
    render(last);
    created.connection.subscribe(() => {
      const state = created.connection.getSnapshot();
      if (client !== created) return;
      if (state.status !== last.status || state.reason !== last.reason) {
        const error = state.error ? ` — ${describeError(state.error)}` : "";
        const why = state.reason === state.status ? "" : ` (${describeState(state)})`;
        const text = `${state.status}${why}${error}`;
        // The SDK puts the hub's error behind every close with one of its codes, a routine
        // drain included: only a client that stopped for it is a failure worth the colour.
        const failed = state.error !== null && state.status === "disconnected";
        log.add({ kind: failed ? "error" : "status", event: "connection", text });
      }
      last = state;
      render(state);
      for (const listener of stateListeners) listener(state);
    });
    created.personal.on("event", (event) => log.add({ kind: "event", ...event }));
    created.personal.on("reset", (reset) =>
      log.add({ kind: "reset", channel: reset.channel, event: "reset", text: reset.reason }),
    );
    created.on("error", (error) =>
      log.add({ kind: "error", event: "error", text: describeError(error) }),
    );
    for (const listener of clientListeners) listener(created);
    return created;
  }

  async function ensure(): Promise<Client> {
    if (client) return client;
    creating ??= create(read()).finally(() => {
      creating = null;
    });
    return creating;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const state = client?.connection.getSnapshot().status;
    if (client && state !== "disconnected" && state !== "closed") {
      client.disconnect();
      return;
    }
    const next = read();
    if (client && settings && sameSettings(settings, next)) {
      client.connect();
      return;
    }
    create(next).catch((error: unknown) =>
      log.add({ kind: "error", event: "connection", text: describeError(error) }),
    );
  });

  return {
    ensure,
    current: () => client,
    onClient: (listener) => clientListeners.push(listener),
    onState: (listener) => stateListeners.push(listener),
  };
}
