import type { Client, Subscription } from "@switchyard/client";
import type { ChannelsPanel } from "./channels.js";
import type { ConnectionPanel } from "./connection-panel.js";
import { byId, describeError, el, parseData } from "./dom.js";
import type { EventLog } from "./event-log.js";
import type { HubTarget } from "./hub-target.js";

/** What the subscribe list offers: subscribing a channel picked elsewhere (channels table). */
export interface Actions {
  subscribe(channel: string): Promise<void>;
}

interface Held {
  subscription: Subscription;
  chip: HTMLLIElement;
  stop: () => void;
}

/** Reads an HTTP API error answer: `code: message`. */
async function apiError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error) return `${body.error.code}: ${body.error.message}`;
  } catch {
    // Not JSON: the status says enough.
  }
  return `HTTP ${response.status}`;
}

/**
 * The console's actions: subscriptions (shown as chips with their status and position, kept
 * across a new client), publishing (from this client over the WebSocket, or as the server
 * through the HTTP API with the key), and RPC calls. Every outcome goes to the log.
 */
export function startActions(
  hub: HubTarget,
  connection: ConnectionPanel,
  channels: ChannelsPanel,
  log: EventLog,
): Actions {
  const held = new Map<string, Held>();
  const chips = byId("subscriptions", HTMLUListElement);
  const via = byId("publish-via", HTMLSelectElement);
  const hint = byId("publish-hint", HTMLElement);
  let viaChosen = false;

  function attach(client: Client, channel: string, chip: HTMLLIElement): Held {
    const subscription = client.subscribe(channel, {
      onEvent: (event) => log.add({ kind: "event", ...event }),
      onReset: (reset) =>
        log.add({ kind: "reset", channel, event: "reset", text: `${reset.reason}: reload` }),
      onError: (error) =>
        log.add({ kind: "error", channel, event: "subscribe", text: describeError(error) }),
    });
    const render = () => {
      const state = subscription.state.getSnapshot();
      chip.dataset.status = state.status;
      const label = chip.querySelector(".state");
      if (label) {
        const position = state.position ? ` #${state.position.offset}` : "";
        label.textContent = `${state.status}${position}`;
      }
      chip.title = state.error ? describeError(state.error) : "";
    };
    const stop = subscription.state.subscribe(render);
    render();
    return { subscription, chip, stop };
  }

  async function subscribe(channel: string): Promise<void> {
    if (channel === "") return;
    if (held.has(channel)) {
      log.add({ kind: "ok", channel, event: "subscribe", text: "already subscribed" });
      return;
    }
    const client = await connection.ensure();
    const remove = el("button", { type: "button", class: "remove", title: "Unsubscribe" }, "×");
    const chip = el(
      "li",
      { "data-channel": channel },
      el("span", { class: "name" }, channel),
      el("span", { class: "state" }),
      remove,
    );
    chips.append(chip);
    held.set(channel, attach(client, channel, chip));
    remove.addEventListener("click", () => {
      const entry = held.get(channel);
      entry?.stop();
      entry?.subscription.unsubscribe();
      held.delete(channel);
      chip.remove();
      log.add({ kind: "ok", channel, event: "unsubscribe", text: "" });
    });
  }

  // A new client (changed settings) takes over every subscription of the previous one.
  connection.onClient((client) => {
    for (const [channel, entry] of held) {
      entry.stop();
      held.set(channel, attach(client, channel, entry.chip));
    }
  });

  // Anonymous clients usually may not publish: suggest publishing as the server instead.
  let user: string | null | undefined;
  const updateHint = () => {
    if (via.value === "http") {
      hint.textContent = channels.apiKey()
        ? "Published by the server through POST /api/publish."
        : "Needs the API key (top right).";
    } else {
      hint.textContent =
        user === null
          ? "Anonymous: allowed only where the namespace's publish rule is 'anyone'."
          : "Published by this client over its WebSocket.";
    }
  };
  connection.onState((state) => {
    if (state.info) user = state.info.userId;
    if (!viaChosen && state.info) via.value = user === null ? "http" : "client";
    updateHint();
  });
  via.addEventListener("change", () => {
    viaChosen = true;
    updateHint();
  });
  updateHint();

  async function publishOverHttp(channel: string, event: string, data: unknown) {
    const key = channels.apiKey();
    if (key === "") throw new Error("enter the API key (top right) to publish as the server");
    const response = await fetch(hub.url("api/publish"), {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(data === undefined ? { channel, event } : { channel, event, data }),
    });
    if (!response.ok) throw new Error(await apiError(response));
    return (await response.json()) as unknown;
  }

  byId("subscribe-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("subscribe-channel", HTMLInputElement);
    subscribe(input.value.trim()).then(
      () => input.select(),
      (error: unknown) =>
        log.add({ kind: "error", event: "subscribe", text: describeError(error) }),
    );
  });

  byId("publish-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const channel = byId("publish-channel", HTMLInputElement).value.trim();
    const name = byId("publish-event", HTMLInputElement).value.trim();
    const label = via.value === "http" ? "publish (HTTP)" : "publish";
    const run = async () => {
      const data = parseData(byId("publish-data", HTMLTextAreaElement).value);
      if (via.value === "http") return publishOverHttp(channel, name, data);
      const client = await connection.ensure();
      return client.publish(channel, name, data);
    };
    run().then(
      (result) => log.add({ kind: "ok", channel, event: label, data: result }),
      (error: unknown) =>
        log.add({ kind: "error", channel, event: label, text: describeError(error) }),
    );
  });

  byId("rpc-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const method = byId("rpc-method", HTMLInputElement).value.trim();
    const run = async () => {
      const data = parseData(byId("rpc-data", HTMLTextAreaElement).value);
      const client = await connection.ensure();
      return client.rpc(method, data);
    };
    run().then(
      (result) => log.add({ kind: "ok", event: `rpc ${method}`, data: result ?? null }),
      (error: unknown) =>
        log.add({ kind: "error", event: `rpc ${method}`, text: describeError(error) }),
    );
  });

  return { subscribe };
}
