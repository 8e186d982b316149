import { describe, expect, it } from "vitest";
import { type Flushable, FlushScheduler } from "../../src/core/flush-scheduler.js";

/** A connection stand-in that counts its flushes (what the scheduler decides is when). */
class Target implements Flushable {
  flushes = 0;
  flush(): void {
    this.flushes++;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("FlushScheduler", () => {
  it("flushes every scheduled target once at the end of the turn", async () => {
    const scheduler = new FlushScheduler(() => 0);
    const [a, b] = [new Target(), new Target()];
    scheduler.schedule(a);
    scheduler.schedule(b);
    expect([a.flushes, b.flushes]).toEqual([0, 0]);
    await nextTurn();
    expect([a.flushes, b.flushes]).toEqual([1, 1]);
  });

  it("is idle until something was flushed, and again 5 ms after the last flush", async () => {
    let time = 1_000;
    const scheduler = new FlushScheduler(() => time);
    expect(scheduler.idle()).toBe(true);
    // A write-through (outside the scheduler) ends the quiet spell: a burst's next events wait.
    scheduler.flushed();
    expect(scheduler.idle()).toBe(false);
    time += 4;
    expect(scheduler.idle()).toBe(false);
    time += 1;
    expect(scheduler.idle()).toBe(true);
    // The end-of-turn flush counts as well.
    scheduler.schedule(new Target());
    await nextTurn();
    expect(scheduler.idle()).toBe(false);
    time += 50;
    expect(scheduler.idle()).toBe(true);
  });
});
