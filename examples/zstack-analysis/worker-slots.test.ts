import { expect, it } from "vitest";
import { WorkerSlots } from "./worker-slots.js";

it("runs `size` at once, queues the rest in order, and lets a cancelled waiter leave", async () => {
  const slots = new WorkerSlots(1);
  const running = new AbortController();
  const release = await slots.acquire(running.signal);
  const waits: string[] = [];
  const cancelled = new AbortController();
  const second = slots.acquire(cancelled.signal, () => waits.push("second"));
  const third = slots.acquire(new AbortController().signal, () => waits.push("third"));
  expect(waits).toEqual(["second", "third"]);
  expect({ active: slots.active, queued: slots.queued }).toEqual({ active: 1, queued: 2 });

  cancelled.abort(new Error("cancelled by its owner"));
  await expect(second).rejects.toThrow("cancelled by its owner");
  expect(slots.queued).toBe(1);

  release();
  release(); // a second call frees nothing more
  const releaseThird = await third;
  expect({ active: slots.active, queued: slots.queued }).toEqual({ active: 1, queued: 0 });
  releaseThird();
  expect(slots.active).toBe(0);
});
