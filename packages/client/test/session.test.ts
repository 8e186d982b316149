import { afterEach, describe, expect, it } from "vitest";
import { type Client, createClient, SESSION_STORAGE_KEY } from "../src/index.js";
import { FakeSocket } from "./fake-socket.js";

const globals = globalThis as { document?: unknown; localStorage?: unknown };
const clients: Client[] = [];

function start(sessionId?: string) {
  const client = createClient({
    url: "ws://hub.test/ws",
    WebSocket: FakeSocket,
    autoConnect: false,
    sessionId,
  });
  clients.push(client);
  return client;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  delete globals.document;
  delete globals.localStorage;
});

describe("session id", () => {
  it("is shared by the tabs of a browser through localStorage", () => {
    const stored = new Map<string, string>();
    globals.document = {};
    globals.localStorage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => stored.set(key, value),
    };
    const first = start();
    const second = start();
    expect(first.sessionId).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(second.sessionId).toBe(first.sessionId);
    expect(stored.get(SESSION_STORAGE_KEY)).toBe(first.sessionId);
  });

  it("falls back to a fresh id when storage is blocked", () => {
    globals.document = {};
    globals.localStorage = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {},
    };
    expect(start().sessionId).not.toBe(start().sessionId);
  });

  it("is random per client outside a browser", () => {
    expect(start().sessionId).not.toBe(start().sessionId);
  });

  it("takes a given id and refuses an invalid one", () => {
    expect(start("tab-group.7").sessionId).toBe("tab-group.7");
    expect(() => start("has space")).toThrow(/sessionId/);
  });
});
