import { describe, expect, it } from "vitest";
import { type Flushable, FlushScheduler } from "../src/flush-scheduler.js";

/** A connection stand-in that counts its flushes (what the scheduler decides is when). */
class Target implements Flushable {
  flushes = 0;
  flush(): void {
    this.flushes++;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("FlushScheduler", () => {
  it("writes the first event after a quiet spell at once and batches the rest of the turn", async () => {
    let time = 1_000;
    const scheduler = new FlushScheduler(() => time);
    const a = new Target();
    const b = new Target();
    // First event after a quiet spell: flushed synchronously, no waiting for the turn's end.
    scheduler.schedule(a);
    scheduler.schedule(b);
    scheduler.flushIfIdle();
    expect([a.flushes, b.flushes]).toEqual([1, 1]);
    // More events in the same turn wait for the end of the turn, one flush per target.
    scheduler.schedule(a);
    scheduler.flushIfIdle();
    scheduler.flushIfIdle();
    expect(a.flushes).toBe(1);
    await nextTurn();
    expect([a.flushes, b.flushes]).toEqual([2, 1]);
    // Busy: the last flush was just now, so the next event waits for the turn's end too.
    time += 1;
    scheduler.schedule(b);
    scheduler.flushIfIdle();
    expect(b.flushes).toBe(1);
    await nextTurn();
    expect(b.flushes).toBe(2);
    // Quiet again: written at once.
    time += 50;
    scheduler.schedule(a);
    scheduler.flushIfIdle();
    expect(a.flushes).toBe(3);
    await nextTurn();
    expect(a.flushes).toBe(3);
  });

  it("does nothing when nothing is queued", async () => {
    const scheduler = new FlushScheduler(() => 0);
    scheduler.flushIfIdle();
    const a = new Target();
    scheduler.schedule(a);
    await nextTurn();
    expect(a.flushes).toBe(1);
  });
});
