import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProgressThrottle } from "../../../src/features/jobs/progress-throttle.js";

interface Value {
  percent: number;
  step: string | null;
}

function throttle(interval = 100) {
  const out: (Value & { at: number })[] = [];
  const start = Date.now();
  const instance = new ProgressThrottle<Value>({
    interval,
    emit: (value) => out.push({ ...value, at: Date.now() - start }),
  });
  return { instance, out };
}

/** How many values went out in each whole second of fake time. */
function perSecond(out: { at: number }[]): number[] {
  const counts: number[] = [];
  for (const { at } of out)
    counts[Math.floor(at / 1000)] = (counts[Math.floor(at / 1000)] ?? 0) + 1;
  return Array.from(counts, (count) => count ?? 0);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ProgressThrottle", () => {
  it("sends at most 10 values per second of a producer reporting every millisecond", () => {
    const { instance, out } = throttle();
    for (let ms = 0; ms < 5_000; ms++) {
      instance.offer({ percent: ms / 50, step: "solve" });
      vi.advanceTimersByTime(1);
    }
    vi.runAllTimers();
    for (const count of perSecond(out)) expect(count).toBeLessThanOrEqual(10);
    expect(out.length).toBeGreaterThanOrEqual(49);
    expect(out.length).toBeLessThanOrEqual(51);
    for (let i = 1; i < out.length; i++) {
      expect((out[i]?.at ?? 0) - (out[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100);
    }
  });

  it("sends the first value at once and the last one in the end", () => {
    const { instance, out } = throttle();
    instance.offer({ percent: 1, step: null });
    expect(out).toEqual([{ percent: 1, step: null, at: 0 }]);
    for (let percent = 2; percent <= 40; percent++) instance.offer({ percent, step: null });
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(out.map((value) => value.percent)).toEqual([1, 40]);
    expect(instance.waiting).toBe(0);
  });

  it("keeps every step change, each with its newest value, one per interval", () => {
    const { instance, out } = throttle();
    instance.offer({ percent: 0, step: "load" });
    instance.offer({ percent: 5, step: "load" });
    instance.offer({ percent: 10, step: "mesh" });
    instance.offer({ percent: 20, step: "mesh" });
    instance.offer({ percent: 30, step: "solve" });
    instance.offer({ percent: 31, step: "solve" });
    instance.offer({ percent: 32, step: "solve" });
    vi.runAllTimers();
    expect(out.map(({ percent, step }) => [step, percent])).toEqual([
      ["load", 0],
      ["load", 5],
      ["mesh", 20],
      ["solve", 32],
    ]);
    expect(out.map((value) => value.at)).toEqual([0, 100, 200, 300]);
  });

  it("sends a burst of step changes in ten-per-second slots, dropping none of them", () => {
    const { instance, out } = throttle();
    // A burst of 30 steps within one millisecond (under the 32 that may wait).
    for (let step = 0; step < 30; step++) instance.offer({ percent: step, step: `s${step}` });
    vi.runAllTimers();
    expect(out.map((value) => value.step)).toEqual(Array.from({ length: 30 }, (_, i) => `s${i}`));
    for (const count of perSecond(out)) expect(count).toBeLessThanOrEqual(10);
  });

  it("flush sends everything waiting at once, in order; dispose drops it", () => {
    const { instance, out } = throttle();
    instance.offer({ percent: 1, step: "a" });
    instance.offer({ percent: 2, step: "a" });
    instance.offer({ percent: 3, step: "b" });
    instance.flush();
    expect(out.map((value) => value.percent)).toEqual([1, 2, 3]);
    instance.offer({ percent: 4, step: "b" });
    instance.dispose();
    vi.runAllTimers();
    expect(out.map((value) => value.percent)).toEqual([1, 2, 3]);
  });

  it("sends a value after a quiet interval at once", () => {
    const { instance, out } = throttle();
    instance.offer({ percent: 1, step: null });
    vi.advanceTimersByTime(250);
    instance.offer({ percent: 2, step: null });
    expect(out.map((value) => [value.percent, value.at])).toEqual([
      [1, 0],
      [2, 250],
    ]);
  });
});
