import { describe, expect, it } from "vitest";
import { Backoff, DEFAULT_RECONNECT } from "../src/index.js";

describe("Backoff", () => {
  it("draws full jitter from 1 s doubling to 30 s, one step per failed attempt", () => {
    const high = new Backoff(DEFAULT_RECONNECT, () => 0.999_999);
    const delays = Array.from({ length: 8 }, () => Math.round(high.next("fast")));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(high.attempt).toBe(8);

    const low = new Backoff(DEFAULT_RECONNECT, () => 0);
    expect(Array.from({ length: 5 }, () => low.next("fast"))).toEqual([0, 0, 0, 0, 0]);
  });

  it("stays within its bounds with a real random source", () => {
    const backoff = new Backoff(DEFAULT_RECONNECT);
    for (let n = 1; n < 40; n++) {
      const delay = backoff.next("fast");
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(30_000, 1000 * 2 ** (n - 1)));
    }
  });

  it("slow tier waits at least half of 5 s doubling to 60 s", () => {
    const low = new Backoff(DEFAULT_RECONNECT, () => 0);
    expect(Array.from({ length: 6 }, () => low.next("slow"))).toEqual([
      2500, 5000, 10_000, 20_000, 30_000, 30_000,
    ]);
    const high = new Backoff(DEFAULT_RECONNECT, () => 0.999_999);
    const delays = Array.from({ length: 6 }, () => Math.round(high.next("slow")));
    expect(delays).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it("reset forgets the failed attempts", () => {
    const backoff = new Backoff(DEFAULT_RECONNECT, () => 0.5);
    backoff.next("fast");
    backoff.next("fast");
    expect(backoff.attempt).toBe(2);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next("fast")).toBe(500);
  });

  it("honours custom delays", () => {
    const backoff = new Backoff(
      { ...DEFAULT_RECONNECT, minDelay: 100, maxDelay: 250 },
      () => 0.999_999,
    );
    const delays = Array.from({ length: 4 }, () => Math.round(backoff.next("fast")));
    expect(delays).toEqual([100, 200, 250, 250]);
  });
});
