import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateGapWatch } from "../src/state-gap.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A watch whose refetches are counted; each resolves (or rejects) when the test says. */
function watch(timeout = 1000) {
  const calls: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const gap = new StateGapWatch(
    timeout,
    () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
  );
  return { gap, calls };
}

describe("the gap watch", () => {
  it("refetches once a version has stayed above the watermark for the timeout", async () => {
    const { gap, calls } = watch();
    gap.update(3, 5);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    // The refetch's document closes the gap: nothing more.
    gap.update(5, 5);
    calls[0]?.resolve();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
  });

  it("does not refetch a gap that closes in time (the late batch arrived)", async () => {
    const { gap, calls } = watch();
    gap.update(3, 5);
    await vi.advanceTimersByTimeAsync(600);
    gap.update(5, 5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(0);
  });

  it("times each version from when it was first seen", async () => {
    const { gap, calls } = watch();
    gap.update(3, 5);
    await vi.advanceTimersByTimeAsync(600);
    gap.update(3, 8);
    // Version 5's batch arrives; 8 was seen 600 ms later, so it is due 600 ms later.
    gap.update(5, 8);
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(600);
    expect(calls).toHaveLength(1);
  });

  it("after a failed refetch, tries again a whole timeout later, not in a loop", async () => {
    const { gap, calls } = watch();
    gap.update(3, 5);
    await vi.advanceTimersByTimeAsync(1000);
    calls[0]?.reject(new Error("request_timeout"));
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it("forgets the gap when cleared (offline) and stops when closed", async () => {
    const { gap, calls } = watch();
    gap.update(3, 5);
    gap.clear();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(0);
    gap.update(3, 5);
    gap.close();
    gap.update(3, 9);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(0);
  });
});
