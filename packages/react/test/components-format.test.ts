import type { ConnectionState } from "@switchyard/client";
import { SwitchyardError } from "@switchyard/client";
import { describe, expect, it } from "vitest";
import {
  connectionBadgeStatus,
  describeConnectionReason,
} from "../src/components/connection-badge.js";
import { formatDuration, roundPercent, secondsUntil } from "../src/components/format.js";
import { hueOf, initials } from "../src/components/presence-avatars.js";

describe("formatDuration", () => {
  it("shows the two largest units that matter, rounding up", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(0.2)).toBe("1 s");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(125)).toBe("2 min 5 s");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(3720)).toBe("1 h 2 min");
    expect(formatDuration(3725)).toBe("1 h 2 min");
  });

  it("shows 0 s for a negative or non-finite value", () => {
    expect(formatDuration(-3)).toBe("0 s");
    expect(formatDuration(Number.NaN)).toBe("0 s");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("0 s");
  });

  it("takes the units to translate", () => {
    const units = { hours: "Std.", minutes: "Min.", seconds: "Sek." };
    expect(formatDuration(3720, units)).toBe("1 Std. 2 Min.");
    expect(formatDuration(61, units)).toBe("1 Min. 1 Sek.");
  });
});

describe("secondsUntil and roundPercent", () => {
  it("counts whole seconds down to 0", () => {
    expect(secondsUntil(10_000, 7_500)).toBe(3);
    expect(secondsUntil(10_000, 10_000)).toBe(0);
    expect(secondsUntil(10_000, 12_000)).toBe(0);
  });

  it("rounds a percentage into 0–100", () => {
    expect(roundPercent(64.4)).toBe(64);
    expect(roundPercent(99.5)).toBe(100);
    expect(roundPercent(120)).toBe(100);
    expect(roundPercent(-1)).toBe(0);
    expect(roundPercent(Number.NaN)).toBe(0);
  });
});

const state = (patch: Partial<ConnectionState>): ConnectionState => ({
  status: "connected",
  reason: "connected",
  closeCode: null,
  error: null,
  attempt: 0,
  retryAt: null,
  info: null,
  ...patch,
});

describe("the badge's status and reason", () => {
  it("maps every connection status to a look", () => {
    expect(connectionBadgeStatus(state({ status: "connected" }))).toBe("live");
    expect(connectionBadgeStatus(state({ status: "connecting" }))).toBe("connecting");
    expect(connectionBadgeStatus(state({ status: "reconnecting" }))).toBe("reconnecting");
    expect(connectionBadgeStatus(state({ status: "disconnected" }))).toBe("offline");
    expect(connectionBadgeStatus(state({ status: "closed" }))).toBe("offline");
  });

  it("describes the reason with the error's message and the close code", () => {
    expect(describeConnectionReason(state({}))).toBe("connected");
    expect(
      describeConnectionReason(
        state({ status: "reconnecting", reason: "network", closeCode: 1006 }),
      ),
    ).toBe("network (close code 1006)");
    const error = new SwitchyardError("token_expired", "The token expired");
    expect(
      describeConnectionReason(
        state({ status: "disconnected", reason: "token_expired", error, closeCode: 4201 }),
      ),
    ).toBe("token_expired: The token expired (close code 4201)");
  });
});

describe("avatars", () => {
  it("takes the initials of the first and last word", () => {
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("  ada  king lovelace ")).toBe("AL");
    expect(initials("bob")).toBe("B");
    expect(initials("émile zola")).toBe("ÉZ");
  });

  it("gives a user the same hue everywhere, and different users different hues", () => {
    expect(hueOf("alice")).toBe(hueOf("alice"));
    expect(hueOf("alice")).not.toBe(hueOf("bob"));
    for (const key of ["", "alice", "~c1", "x".repeat(500)]) {
      expect(hueOf(key)).toBeGreaterThanOrEqual(0);
      expect(hueOf(key)).toBeLessThan(360);
    }
  });
});
