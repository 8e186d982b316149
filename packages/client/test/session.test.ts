import { afterEach, describe, expect, it } from "vitest";
import { SESSION_STORAGE_KEY } from "../src/index.js";
import { connect, FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const globals = globalThis as { document?: unknown; localStorage?: unknown };
const sockets = useFakeSockets();
const start = (sessionId?: string) => sockets.start({ sessionId });

/**
 * Opens the client's newest socket and answers its connect with `sessionId`; a stable link,
 * so the next drop reconnects at once.
 */
async function answer(sessionId: string) {
  const socket = await connect({ sessionId });
  return socket.frames("connect")[0];
}

/** Drops the link and lets the client reconnect; resolves with its next connect frame. */
async function reconnect() {
  FakeSocket.last.serverClose(1006);
  await flush();
  const socket = FakeSocket.last;
  socket.open();
  return socket.frames("connect")[0];
}

function browserStorage(initial: Record<string, string> = {}) {
  const stored = new Map(Object.entries(initial));
  globals.document = {};
  globals.localStorage = {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => stored.set(key, value),
  };
  return stored;
}

afterEach(() => {
  delete globals.document;
  delete globals.localStorage;
});

describe("session id", () => {
  it("is the one the hub issues, stored for the other tabs of the browser", async () => {
    const stored = browserStorage();
    const first = start();
    expect(first.sessionId).toBeNull();
    const sent = await answer("issued-by-the-hub");
    expect(sent).not.toHaveProperty("sessionId");
    expect(first.sessionId).toBe("issued-by-the-hub");
    expect(stored.get(SESSION_STORAGE_KEY)).toBe("issued-by-the-hub");

    const second = start();
    expect(second.sessionId).toBe("issued-by-the-hub");
    expect(await answer("issued-by-the-hub")).toMatchObject({ sessionId: "issued-by-the-hub" });
  });

  it("adopts and stores the id the hub gives instead of the stored one", async () => {
    const stored = browserStorage({ [SESSION_STORAGE_KEY]: "from-an-older-version" });
    const client = start();
    expect(client.sessionId).toBe("from-an-older-version");
    expect(await answer("fresh-from-the-hub")).toMatchObject({
      sessionId: "from-an-older-version",
    });
    expect(client.sessionId).toBe("fresh-from-the-hub");
    expect(stored.get(SESSION_STORAGE_KEY)).toBe("fresh-from-the-hub");
    expect(await reconnect()).toMatchObject({ sessionId: "fresh-from-the-hub" });
  });

  it("keeps the issued id across reconnects outside a browser, and where storage is blocked", async () => {
    const node = start();
    await answer("issued-1");
    expect(await reconnect()).toMatchObject({ sessionId: "issued-1" });
    expect(node.sessionId).toBe("issued-1");

    globals.document = {};
    globals.localStorage = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("SecurityError");
      },
    };
    const blocked = start();
    expect(blocked.sessionId).toBeNull();
    await answer("issued-2");
    expect(blocked.sessionId).toBe("issued-2");
    expect(await reconnect()).toMatchObject({ sessionId: "issued-2" });
  });

  it("sends a given id, refuses an invalid one, and adopts the hub's without storing it", async () => {
    const stored = browserStorage();
    const client = start("tab-group.7");
    expect(client.sessionId).toBe("tab-group.7");
    expect(await answer("tab-group.7")).toMatchObject({ sessionId: "tab-group.7" });
    expect(() => start("has space")).toThrow(/sessionId/);

    const replaced = start("someone-elses");
    await answer("own-session");
    expect(replaced.sessionId).toBe("own-session");
    expect(await reconnect()).toMatchObject({ sessionId: "own-session" });
    expect(stored.has(SESSION_STORAGE_KEY)).toBe(false);
  });
});
