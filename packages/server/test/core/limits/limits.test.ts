import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { ConnectionLimits } from "../../../src/core/limits/connection-limits.js";
import { type RateVerdict, TokenBucket } from "../../../src/core/limits/token-bucket.js";

/** A clock that moves only when told to. */
function fakeClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function takeMany(bucket: TokenBucket, count: number): Record<RateVerdict, number> {
  const tally: Record<RateVerdict, number> = { ok: 0, reject: 0, close: 0 };
  for (let i = 0; i < count; i++) tally[bucket.take()] += 1;
  return tally;
}

describe("TokenBucket", () => {
  it("accepts a burst, then rejects, then says close once the flood persists", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 5, now: clock.now });
    expect(takeMany(bucket, 5)).toEqual({ ok: 5, reject: 0, close: 0 });
    expect(takeMany(bucket, 5)).toEqual({ ok: 0, reject: 5, close: 0 });
    expect(bucket.take()).toBe("close");
    expect(bucket.take()).toBe("close");
  });

  it("keeps the debt bounded while a closing client keeps sending", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 5, now: clock.now });
    takeMany(bucket, 1_000);
    expect(bucket.tokens).toBeGreaterThanOrEqual(-6);
  });

  it("refills at the rate, up to the burst", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 5, now: clock.now });
    takeMany(bucket, 5);
    expect(bucket.take()).toBe("reject");
    clock.advance(300); // 3 tokens, minus the debt of 1
    expect(takeMany(bucket, 3)).toEqual({ ok: 2, reject: 1, close: 0 });
    clock.advance(60_000); // a long pause refills only up to the burst
    expect(bucket.tokens).toBe(5);
    expect(takeMany(bucket, 6)).toEqual({ ok: 5, reject: 1, close: 0 });
  });

  it("keeps one balance per bucket when buckets share one options object", () => {
    const clock = fakeClock();
    const options = { rate: 10, burst: 2, now: clock.now };
    const flooding = new TokenBucket(options);
    const quiet = new TokenBucket(options);
    expect(takeMany(flooding, 4)).toEqual({ ok: 2, reject: 2, close: 0 });
    expect(takeMany(quiet, 2)).toEqual({ ok: 2, reject: 0, close: 0 });
    expect(flooding.tokens).toBe(-2);
    expect([quiet.rate, quiet.burst]).toEqual([10, 2]);
  });

  it("lets a client that slows down climb out of debt", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 5, now: clock.now });
    takeMany(bucket, 9); // balance -4: close to closing
    clock.advance(500); // +5
    expect(bucket.take()).toBe("ok");
    expect(bucket.take()).toBe("reject");
  });

  it("sustains exactly the rate", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 100, burst: 1, now: clock.now });
    for (let i = 0; i < 1_000; i++) {
      expect(bucket.take()).toBe("ok");
      clock.advance(10);
    }
  });

  it("does not drain when the clock steps back", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 2, now: clock.now });
    clock.advance(-10_000);
    expect(takeMany(bucket, 2)).toEqual({ ok: 2, reject: 0, close: 0 });
  });

  it("is disabled by an infinite rate", () => {
    const bucket = new TokenBucket({ rate: Number.POSITIVE_INFINITY, burst: 1 });
    expect(takeMany(bucket, 10_000).ok).toBe(10_000);
  });

  it("refuses nonsense options", () => {
    expect(() => new TokenBucket({ rate: 0, burst: 5 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rate: 10, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rate: Number.NaN, burst: 5 })).toThrow(RangeError);
  });
});

describe("ConnectionLimits", () => {
  const ada = { userId: "ada", ip: "10.0.0.1" };
  const bob = { userId: "bob", ip: "10.0.0.2" };

  function expectRefused(result: SwitchyardError | null, limit: RegExp) {
    expect(result).toBeInstanceOf(SwitchyardError);
    expect(result?.code).toBe("too_many_connections");
    expect(result?.message).toMatch(limit);
  }

  it("caps the total", () => {
    const limits = new ConnectionLimits({ maxConnections: 2 });
    expect(limits.tryAcquire(ada)).toBeNull();
    expect(limits.tryAcquire(bob)).toBeNull();
    expectRefused(limits.tryAcquire({ userId: "cy", ip: "10.0.0.3" }), /at most 2 connections/);
    limits.release(bob);
    expect(limits.tryAcquire({ userId: "cy", ip: "10.0.0.3" })).toBeNull();
  });

  it("caps each user, whatever their address", () => {
    const limits = new ConnectionLimits({ maxConnectionsPerUser: 2 });
    expect(limits.tryAcquire(ada)).toBeNull();
    expect(limits.tryAcquire({ userId: "ada", ip: "10.9.9.9" })).toBeNull();
    expectRefused(limits.tryAcquire({ userId: "ada", ip: "10.8.8.8" }), /per user \(2\)/);
    expect(limits.tryAcquire(bob)).toBeNull();
    limits.release(ada);
    expect(limits.tryAcquire(ada)).toBeNull();
  });

  it("caps each address, anonymous connections included", () => {
    const limits = new ConnectionLimits({ maxConnectionsPerIp: 2, maxConnectionsPerUser: 1 });
    const anonymous = { userId: null, ip: "10.0.0.1" };
    expect(limits.tryAcquire(anonymous)).toBeNull();
    expect(limits.tryAcquire(anonymous)).toBeNull();
    expectRefused(limits.tryAcquire(anonymous), /per IP \(2\)/);
    expectRefused(limits.tryAcquire(ada), /per IP \(2\)/);
    expect(limits.tryAcquire(bob)).toBeNull();
    expect(limits.ofIp("10.0.0.1")).toBe(2);
  });

  it("takes nothing when it refuses", () => {
    const limits = new ConnectionLimits({ maxConnectionsPerIp: 1 });
    expect(limits.tryAcquire(ada)).toBeNull();
    expectRefused(limits.tryAcquire({ userId: "cy", ip: ada.ip }), /per IP/);
    expect(limits.counts()).toEqual({ total: 1, users: 1, ips: 1 });
    expect(limits.ofUser("cy")).toBe(0);
  });

  it("forgets users and addresses whose last connection went", () => {
    const limits = new ConnectionLimits();
    for (let i = 0; i < 100; i++) {
      expect(limits.tryAcquire({ userId: `user-${i}`, ip: `10.0.1.${i}` })).toBeNull();
    }
    expect(limits.tryAcquire(ada)).toBeNull();
    expect(limits.counts()).toEqual({ total: 101, users: 101, ips: 101 });
    for (let i = 0; i < 100; i++) limits.release({ userId: `user-${i}`, ip: `10.0.1.${i}` });
    expect(limits.counts()).toEqual({ total: 1, users: 1, ips: 1 });
    limits.release(ada);
    limits.release(ada); // a second release must not push counts below zero
    expect(limits.counts()).toEqual({ total: 0, users: 0, ips: 0 });
    expect(limits.ofUser("ada")).toBe(0);
  });
});
