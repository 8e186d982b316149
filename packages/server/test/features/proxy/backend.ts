/**
 * A real HTTP backend for proxy tests: an `http.Server` on port 0 whose answer per hook a test
 * sets (JSON, a status, garbage, or no answer at all until the test ends), recording every
 * request it got.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onCleanup } from "../../helpers/fixtures.js";

/** What the backend does with one request. */
export type Answer =
  | { json: unknown }
  | { status: number; text?: string }
  | { text: string }
  | { hang: true };

export interface Received {
  path: string;
  body: Record<string, unknown>;
  headers: IncomingMessage["headers"];
  raw: string;
  /** Resolves when the hub's side of the request is gone (answered, aborted). */
  gone: Promise<void>;
}

export class TestBackend {
  readonly received: Received[] = [];
  url = "";
  /** Requests that are hanging (answered by nobody until the test ends). */
  private readonly hanging = new Set<ServerResponse>();
  private waiters: { test: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];

  constructor(private readonly answer: (request: Received) => Answer) {}

  static async start(answer: (request: Received) => Answer): Promise<TestBackend> {
    const backend = new TestBackend(answer);
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => backend.handle(request, response, Buffer.concat(chunks).toString()));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    onCleanup(async () => {
      for (const response of backend.hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return backend;
  }

  /** Resolves with the first request (already received or future) passing `test`. */
  next(test: (r: Received) => boolean = () => true): Promise<Received> {
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  count(path: string): number {
    return this.received.filter((r) => r.path === path).length;
  }

  private handle(request: IncomingMessage, response: ServerResponse, raw: string): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Recorded as sent.
    }
    const gone = new Promise<void>((resolve) => response.once("close", () => resolve()));
    const received: Received = {
      path: request.url ?? "/",
      body,
      headers: request.headers,
      raw,
      gone,
    };
    this.received.push(received);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test(received)) return true;
      waiter.resolve(received);
      return false;
    });
    let answer: Answer;
    try {
      answer = this.answer(received);
    } catch (error) {
      answer = { status: 500, text: String(error) };
    }
    if ("hang" in answer) {
      this.hanging.add(response);
      return;
    }
    if ("json" in answer) {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(answer.json));
      return;
    }
    response.statusCode = "status" in answer ? answer.status : 200;
    response.end(answer.text ?? "");
  }
}
