/**
 * The lab booking backend (`server.py`, a real python3 process on SQLite) beside its hub, as the
 * web apps server mounts them, without a browser: the tokens it issues are the ones the hub
 * accepts, only admins change the equipment, a session makes equipment in use, a sample notice
 * reaches its recipient's connections and no one else's, and the data outlives a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WsClient } from "../../packages/cli/test/helpers.js";
import { startTestApps, type TestApps } from "../web/test/support.js";
import { createBookingApp } from "./server.js";

const APP = "lab-booking";
const PASSWORDS: Record<string, string> = { ada: "ada-admin", ben: "ben-lab", chloe: "chloe-lab" };

const dataDir = mkdtempSync(join(tmpdir(), "lab-booking-backend-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function call(
  apps: TestApps,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> & { error?: string } }> {
  const response = await fetch(new URL(`backend/${path}`, apps.appUrl(APP)), {
    method,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function login(apps: TestApps, user: string): Promise<string> {
  const { status, body } = await call(apps, "POST", "login", {
    body: { username: user, password: PASSWORDS[user] },
  });
  expect(status).toBe(200);
  return body.token as string;
}

/** A connection to the app's hub with `token`, subscribed to `channels`. */
async function connection(apps: TestApps, token: string, ...channels: string[]) {
  const client = new WsClient(`${apps.appUrl(APP).replace(/^http/, "ws")}ws`);
  const connected = await client.request({ type: "connect", token });
  for (const channel of channels) await client.request({ type: "subscribe", channel });
  return { client, userId: connected.userId };
}

function events(client: WsClient, channel: string): string[] {
  return client.frames
    .filter((frame) => frame.type === "event" && frame.channel === channel)
    .map((frame) => frame.event as string);
}

describe("the lab booking backend and its hub", () => {
  it("issues the tokens the hub verifies, checks roles, and publishes each change to the right people", async () => {
    const apps = await startTestApps({ hubs: { [APP]: createBookingApp({ dataDir }) } });
    try {
      const wrong = await call(apps, "POST", "login", {
        body: { username: "ada", password: "nope" },
      });
      expect(wrong.status).toBe(401);
      const [ada, ben, chloe] = await Promise.all([
        login(apps, "ada"),
        login(apps, "ben"),
        login(apps, "chloe"),
      ]);

      // The backend's token is a connect token of the hub; a forged one is neither's.
      const watcher = await connection(apps, chloe, "equipment", "sessions");
      expect(watcher.userId).toBe("chloe");
      const benLink = await connection(apps, ben);
      const [head, payload, signature] = ben.split(".") as [string, string, string];
      const forgedPayload = Buffer.from(
        JSON.stringify({ sub: "ada", role: "admin", exp: 4_000_000_000 }),
      ).toString("base64url");
      const forged = `${head}.${forgedPayload}.${signature}`;
      expect(payload).not.toBe(forgedPayload);
      expect((await call(apps, "GET", "me", { token: forged })).status).toBe(401);
      const refused = new WsClient(`${apps.appUrl(APP).replace(/^http/, "ws")}ws`);
      await expect(refused.request({ type: "connect", token: forged })).rejects.toThrow(
        /token_invalid/,
      );
      expect((await call(apps, "GET", "equipment")).status).toBe(401);
      // Without a token: connected, but no channel is open to it.
      const anonymous = new WsClient(`${apps.appUrl(APP).replace(/^http/, "ws")}ws`);
      await anonymous.request({ type: "connect" });
      for (const channel of ["equipment", "sessions"]) {
        await expect(anonymous.request({ type: "subscribe", channel })).rejects.toThrow(
          /forbidden/,
        );
      }

      // Only an admin changes the equipment.
      const denied = await call(apps, "POST", "equipment", { token: ben, body: { name: "X" } });
      expect(denied).toMatchObject({ status: 403, body: { error: /admin/ } });
      const created = await call(apps, "POST", "equipment", {
        token: ada,
        body: { name: "Plate reader", location: "Room 4.01" },
      });
      expect(created.status).toBe(200);
      const id = created.body.id as number;
      await watcher.client.next((f) => f.type === "event" && f.event === "equipment_created");

      // A session: in use for everyone, and not twice.
      const started = await call(apps, "POST", "sessions", {
        token: ben,
        body: { equipmentId: id },
      });
      expect(started.status).toBe(200);
      await watcher.client.next((f) => f.type === "event" && f.event === "equipment_status");
      const busy = await call(apps, "POST", "sessions", {
        token: chloe,
        body: { equipmentId: id },
      });
      expect(busy).toMatchObject({ status: 409, body: { error: "The equipment is in use" } });
      const list = await call(apps, "GET", "equipment", { token: chloe });
      expect(
        (list.body as unknown as { id: number; status: string; userId: string }[]).find(
          (item) => item.id === id,
        ),
      ).toMatchObject({ status: "in_use", userId: "ben" });
      const notHers = await call(apps, "POST", `sessions/${started.body.id}/end`, { token: chloe });
      expect(notHers.status).toBe(403);
      expect(
        (await call(apps, "POST", `sessions/${started.body.id}/end`, { token: ben })).status,
      ).toBe(200);
      await watcher.client.next((f) => f.type === "event" && f.event === "session_ended");
      expect(events(watcher.client, "equipment")).toEqual([
        "equipment_created",
        "equipment_status",
        "equipment_status",
      ]);
      expect(events(watcher.client, "sessions")).toEqual(["session_started", "session_ended"]);

      // A sample: Ben's connections hear of it, Chloé's do not.
      const sample = await call(apps, "POST", "samples", {
        token: ada,
        body: { recipientId: "ben", title: "Serum aliquots" },
      });
      expect(sample.status).toBe(200);
      const notice = await benLink.client.next(
        (f) => f.type === "event" && f.event === "sample_received",
      );
      expect(notice).toMatchObject({
        channel: "$user:ben",
        data: { title: "Serum aliquots", from: "ada", fromName: "Ada Lovelace" },
      });
      expect((await call(apps, "GET", "samples/unread-count", { token: ben })).body).toEqual({
        count: 1,
      });
      // After the sample, one more equipment event: once Chloé has it, she had all before it.
      await call(apps, "PATCH", `equipment/${id}`, {
        token: ada,
        body: { name: "Plate reader 2" },
      });
      await watcher.client.next((f) => f.type === "event" && f.event === "equipment_updated");
      expect(
        watcher.client.frames.filter(
          (f) => f.type === "event" && String(f.channel).startsWith("$user:"),
        ),
      ).toEqual([]);
      expect((await call(apps, "GET", "samples/unread-count", { token: chloe })).body).toEqual({
        count: 0,
      });

      // Deleting: not while in use, not by a user; then gone for everyone.
      const spare = await call(apps, "POST", "equipment", { token: ada, body: { name: "Spare" } });
      const spareId = spare.body.id as number;
      await call(apps, "POST", "sessions", { token: ben, body: { equipmentId: spareId } });
      const inUse = await call(apps, "DELETE", `equipment/${spareId}`, { token: ada });
      expect(inUse.status).toBe(409);
      const sessionsNow = await call(apps, "GET", "sessions", { token: ben });
      const running = (sessionsNow.body as unknown as { id: number; equipmentId: number }[]).find(
        (session) => session.equipmentId === spareId,
      );
      await call(apps, "POST", `sessions/${running?.id}/end`, { token: ada });
      expect((await call(apps, "DELETE", `equipment/${spareId}`, { token: ben })).status).toBe(403);
      expect((await call(apps, "DELETE", `equipment/${spareId}`, { token: ada })).status).toBe(200);
      await watcher.client.next((f) => f.type === "event" && f.event === "equipment_deleted");
      const remaining = await call(apps, "GET", "equipment", { token: chloe });
      expect((remaining.body as unknown as { id: number }[]).map((item) => item.id)).not.toContain(
        spareId,
      );

      // A restart: new hub and backend process, same data and the same tokens.
      await apps.restart();
      const after = await call(apps, "GET", "samples/inbox", { token: ben });
      expect(after.status).toBe(200);
      expect((after.body as unknown as { title: string }[]).map((s) => s.title)).toEqual([
        "Serum aliquots",
      ]);
      expect((await connection(apps, ben)).userId).toBe("ben");
    } finally {
      await apps.stop();
    }
  }, 40_000);
});
