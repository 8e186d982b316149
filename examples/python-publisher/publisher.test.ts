import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createLogger, resolveConfig, type ServerHandle, startServer } from "@switchyard/cli";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connected } from "../../packages/server/test/helpers/fixtures.js";

const SCRIPT = fileURLToPath(new URL("./publish.py", import.meta.url));
const API_KEY = "python-example-key";
const run = promisify(execFile);

/** A raw WebSocket subscriber to `channel` (the hub's own test client, closed after each test). */
async function subscribe(url: string, channel: string) {
  const client = await connected(url);
  const reply = await client.request({ type: "subscribe", channel });
  expect(reply.error).toBeUndefined();
  return client;
}

function publish(server: ServerHandle, args: string[], key = API_KEY) {
  return run("python3", [SCRIPT, "--url", server.url, "--api-key", key, ...args]).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("examples/python-publisher", () => {
  let server: ServerHandle;

  beforeEach(async () => {
    const config = resolveConfig({ flags: { port: 0, apiKey: API_KEY, allowAnonymous: true } });
    server = await startServer(config, { logger: createLogger("silent") });
  });

  afterEach(async () => {
    await server.close();
  });

  it("publishes an event that a WebSocket subscriber receives", async () => {
    const subscriber = await subscribe(server.wsUrl, "sim:42");
    const result = await publish(server, [
      "--channel",
      "sim:42",
      "--event",
      "progress",
      "--data",
      '{"percent": 40, "step": "meshing"}',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ offset: 1, epoch: expect.any(String) });
    const event = await subscriber.next((f) => f.type === "event" && f.channel === "sim:42");
    expect(event).toMatchObject({ event: "progress", data: { percent: 40, step: "meshing" } });
  });

  it("makes a retry with the same idempotency key a duplicate", async () => {
    const args = ["--channel", "sim:7", "--event", "done", "--idempotency-key", "job-7-done"];
    const first = await publish(server, args);
    const retry = await publish(server, args);
    expect(JSON.parse(first.stdout).duplicate).not.toBe(true);
    expect(JSON.parse(retry.stdout)).toMatchObject({ duplicate: true });
  });

  it("exits non-zero with the hub's error code", async () => {
    const wrongKey = await publish(server, ["--channel", "news", "--event", "e"], "wrong");
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("api_key_invalid");
    const badChannel = await publish(server, ["--channel", "bad channel", "--event", "e"]);
    expect(badChannel.code).toBe(1);
    expect(badChannel.stderr).toContain("invalid_channel");
  });
});
