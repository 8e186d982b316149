import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import WebSocket from "ws";
import { startQuickstart } from "./server.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
});

it("the README shows this example verbatim", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const source = readFileSync(new URL("./server.ts", import.meta.url), "utf8");
  expect(readme).toContain(source.trim());
});

it("streams the report's progress to the client that asked for it", async () => {
  const { server, hub } = startQuickstart(0);
  stop = async () => {
    await hub.close({ timeout: 200 });
    await new Promise((resolve) => server.close(resolve));
  };
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: Record<string, unknown>[] = [];
  const send = (frame: object) => ws.send(JSON.stringify(frame));
  const done = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const parsed = JSON.parse(String(data));
      for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
        frames.push(frame);
        // connect -> subscribe to this client's report channel -> ask for the report
        if (frame.type === "reply" && frame.id === 1) {
          send({ type: "subscribe", id: 2, channel: `report:${frame.result.clientId}` });
        }
        if (frame.type === "reply" && frame.id === 2) {
          send({ type: "rpc", id: 3, method: "report.build", data: { pages: 4 } });
        }
        if (frame.type === "event" && frame.event === "done") resolve();
      }
    });
  });
  await once(ws, "open");
  send({ type: "connect", id: 1 });
  await done;
  ws.close();
  const percents = frames
    .filter((f) => f.event === "progress")
    .map((f) => (f.data as { percent: number }).percent);
  expect(percents).toEqual([25, 50, 75, 100]);
});
