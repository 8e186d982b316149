/**
 * The Python webhook receiver as a real python3 process: a hub sends it the events of a real
 * client, and it prints each verified event once; a tampered body, a stale timestamp and a
 * wrong secret get 401.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { signWebhook, type WebhookEvent } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { connected, onCleanup, startHub } from "../../packages/server/test/helpers/fixtures.js";

const SCRIPT = fileURLToPath(new URL("./webhook_receiver.py", import.meta.url));
const NEW_SECRET = "whsec_new_python";
const OLD_SECRET = "whsec_old_python";

/** Starts the receiver on a free port; resolves with its URL and the events it prints. */
async function startPythonReceiver() {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    "python3",
    [SCRIPT, "--port", "0", "--secret", NEW_SECRET, "--secret", OLD_SECRET],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  onCleanup(() => {
    child.kill();
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of [...waiters]) wake();
  });
  const until = (test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (!test()) return;
        waiters.delete(wake);
        resolve();
      };
      child.once("exit", (code) => reject(new Error(`receiver exited ${code}: ${stderr}`)));
      waiters.add(wake);
      wake();
    });
  await until(() => lines.length > 0);
  const port = lines.shift()?.listening as number;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    events: lines as unknown as WebhookEvent[],
    until,
  };
}

async function post(url: string, body: string, signature: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "switchyard-signature": signature },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe("examples/python-backend/webhook_receiver.py", () => {
  it("prints the verified events of a hub once each", async () => {
    const receiver = await startPythonReceiver();
    const { url } = await startHub({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone", publish: "anyone" },
      webhooks: { url: receiver.url, secret: NEW_SECRET, batch: { window: 20 }, concurrency: 1 },
    });
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "news" });
    client.ws.close(1000);
    await receiver.until(() => receiver.events.some((event) => event.type === "disconnected"));
    expect(receiver.events.map((event) => event.type)).toEqual([
      "connected",
      "subscribed",
      "channel_occupied",
      "unsubscribed",
      "disconnected",
    ]);
    const [hello] = receiver.events;
    expect(hello).toMatchObject({ type: "connected", data: { userId: null, codec: "json" } });

    // The same event again (a retry whose answer was lost): accepted, not printed again.
    const again = JSON.stringify({ events: [hello] });
    expect(await post(receiver.url, again, signWebhook(again, NEW_SECRET))).toBe(200);
    const marker = JSON.stringify({
      events: [{ ...hello, id: "marker", type: "channel_vacated", data: { channel: "x" } }],
    });
    expect(await post(receiver.url, marker, signWebhook(marker, OLD_SECRET))).toBe(200);
    await receiver.until(() => receiver.events.some((event) => event.id === "marker"));
    const ids = receiver.events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("answers 401 to a tampered body, a stale timestamp and an unknown secret", async () => {
    const receiver = await startPythonReceiver();
    const body = JSON.stringify({
      events: [{ id: "e1", type: "channel_occupied", time: 1, node: "n", data: { channel: "a" } }],
    });
    const now = Math.floor(Date.now() / 1000);
    const tampered = body.replace('"a"', '"b"');
    expect(await post(receiver.url, tampered, signWebhook(body, NEW_SECRET))).toBe(401);
    expect(await post(receiver.url, body, signWebhook(body, NEW_SECRET, now - 301))).toBe(401);
    expect(await post(receiver.url, body, signWebhook(body, NEW_SECRET, now + 301))).toBe(401);
    expect(await post(receiver.url, body, signWebhook(body, "whsec_someone_else"))).toBe(401);
    expect(await post(receiver.url, body, "")).toBe(401);
    expect(await post(receiver.url, body, signWebhook(body, NEW_SECRET, now - 290))).toBe(200);
    await receiver.until(() => receiver.events.length === 1);
    expect(receiver.events.map((event) => event.id)).toEqual(["e1"]);
  });
});
