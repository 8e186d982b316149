import { describe, expect, it } from "vitest";
import {
  applyPresenceEvent,
  fromReply,
  initialPresenceState,
  withPage,
} from "../src/presence-state.js";

const member = (userId: string | null, ...clientIds: string[]) => ({
  userId,
  info: null,
  clientIds,
});
const connection = (clientId: string, userId: string | null) => ({ clientId, userId, info: null });

describe("presence state", () => {
  const start = fromReply(initialPresenceState("room:1"), {
    count: { members: 3, connections: 3 },
    members: [member("ann", "a1"), member("cid", "c1")],
    cursor: "ucid",
  });

  it("adds a tab to its member, a new member in the hub's order, and drops a member's last tab", () => {
    const next = applyPresenceEvent(start, {
      joined: [connection("a2", "ann"), connection("b1", "bob")],
      left: [connection("c1", "cid")],
      count: { members: 2, connections: 3 },
    });
    expect(next.members).toEqual([member("ann", "a1", "a2"), member("bob", "b1")]);
    expect(next.count).toEqual({ members: 2, connections: 3 });
    expect(start.members).toHaveLength(2); // snapshots are immutable
  });

  it("leaves a member after the loaded pages to its page, and merges pages without repeats", () => {
    const joined = applyPresenceEvent(start, {
      joined: [connection("z1", "zoe"), connection("x1", null)],
      count: { members: 5, connections: 5 },
    });
    expect(joined.members.map((m) => m.userId)).toEqual(["ann", "cid"]);
    const paged = withPage(joined, {
      count: { members: 5, connections: 5 },
      members: [member("dan", "d1"), member("zoe", "z1"), member(null, "x1")],
      cursor: null,
    });
    expect(paged.members.map((m) => m.userId)).toEqual(["ann", "cid", "dan", "zoe", null]);
    expect(paged.cursor).toBeNull();
  });

  it("turns count-only when an event carries the count alone (the channel passed its cap)", () => {
    const capped = applyPresenceEvent(start, { count: { members: 1001, connections: 1200 } });
    expect(capped).toMatchObject({ listed: false, members: [], cursor: null });
    expect(capped.count.members).toBe(1001);
    expect(fromReply(capped, { count: { members: 1001, connections: 1200 } }).listed).toBe(false);
  });
});
