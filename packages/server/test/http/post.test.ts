/**
 * The hub's outgoing POST (proxies, webhooks) against real HTTP servers: a silent backend times
 * out even while the garbage collector runs (where `fetch` with `AbortSignal.timeout` waits for
 * ever, nodejs/node#55428), the hub closing aborts, an oversized answer is cut, an unreachable
 * backend is told apart, and kept-alive connections are reused.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { BackendClient, PostError } from "../../src/http/post.js";
import { onCleanup } from "../helpers/fixtures.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function server(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const http = createServer(handle);
  const sockets = new Set<string>();
  http.on("connection", (socket) => sockets.add(`${socket.remotePort}`));
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  onCleanup(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, sockets };
}

function client(url: string): BackendClient {
  const backend = new BackendClient(url);
  onCleanup(() => backend.close());
  return backend;
}

async function failure(promise: Promise<unknown>): Promise<PostError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PostError);
  return error as PostError;
}

describe("BackendClient.post", () => {
  it("times out a silent backend while the garbage collector runs", async () => {
    const { url } = await server(() => {});
    const backend = client(url);
    const started = performance.now();
    const calls = Array.from({ length: 20 }, () =>
      failure(backend.post("{}", {}, { timeout: 200 })),
    );
    const collector = setInterval(() => {
      gc();
      void new Array(100_000).fill({});
    }, 5);
    try {
      const errors = await Promise.all(calls);
      for (const error of errors) expect(error.reason).toBe("timeout");
    } finally {
      clearInterval(collector);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("answers with any status and text, over one kept-alive connection", async () => {
    let n = 0;
    const { url, sockets } = await server((request, response) => {
      request.resume();
      request.on("end", () => {
        response.statusCode = n++ === 0 ? 503 : 200;
        response.end(`answer ${n}`);
      });
    });
    const backend = client(url);
    expect(await backend.post("a", {}, { timeout: 2_000 })).toEqual({
      status: 503,
      text: "answer 1",
    });
    expect(await backend.post("b", {}, { timeout: 2_000 })).toEqual({
      status: 200,
      text: "answer 2",
    });
    expect(sockets.size).toBe(1);
  });

  it("aborts at once when its signal fires, and refuses an aborted signal", async () => {
    const { url } = await server(() => {});
    const backend = client(url);
    const stop = new AbortController();
    const call = failure(backend.post("{}", {}, { timeout: 60_000, signal: stop.signal }));
    setTimeout(() => stop.abort(), 20);
    expect((await call).reason).toBe("aborted");
    expect(
      (await failure(backend.post("{}", {}, { timeout: 60_000, signal: stop.signal }))).reason,
    ).toBe("aborted");
  });

  it("cuts an answer longer than the bound", async () => {
    const { url } = await server((_request, response) => {
      response.write("x".repeat(40_000));
      response.end("x".repeat(40_000));
    });
    const backend = client(url);
    const error = await failure(backend.post("{}", {}, { timeout: 2_000, maxAnswerBytes: 50_000 }));
    expect(error.reason).toBe("too_large");
  });

  it("tells an unreachable backend apart", async () => {
    const { url } = await server(() => {});
    const closed = new URL(url);
    // A port nothing listens on: the server's own, once it is closed.
    const http = createServer();
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    closed.port = String((http.address() as AddressInfo).port);
    await new Promise((resolve) => http.close(resolve));
    const error = await failure(client(closed.href).post("{}", {}, { timeout: 2_000 }));
    expect(error.reason).toBe("unreachable");
  });
});
