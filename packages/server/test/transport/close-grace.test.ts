import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { armCloseTimer, closeReasonBytes } from "../../src/transport/close-grace.js";

describe("closeReasonBytes", () => {
  it("keeps a reason of up to 123 bytes whole", () => {
    expect(closeReasonBytes("x".repeat(123)).length).toBe(123);
    expect(closeReasonBytes("slow").toString()).toBe("slow");
  });

  it("cuts a longer one at a character boundary, never inside a character", () => {
    // 61 two-byte characters are 122 bytes; the 62nd would end at 124.
    const cut = closeReasonBytes("é".repeat(70));
    expect(cut.length).toBe(122);
    expect(cut.toString()).toBe("é".repeat(61));
    const emoji = closeReasonBytes(`${"a".repeat(121)}😀`);
    expect(emoji.toString()).toBe("a".repeat(121));
  });
});

describe("armCloseTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function socket(buffered: number) {
    return { bufferedAmount: buffered, gone: false, terminate: vi.fn() };
  }

  it("gives the peer the grace once the close frame left, at most the timeout", () => {
    const flushed = socket(0);
    armCloseTimer(flushed, 30_000);
    vi.advanceTimersByTime(2_999);
    expect(flushed.terminate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(flushed.terminate).toHaveBeenCalledOnce();
    const short = socket(0);
    armCloseTimer(short, 50);
    vi.advanceTimersByTime(50);
    expect(short.terminate).toHaveBeenCalledOnce();
  });

  it("waits for a close frame stuck behind unread bytes up to the timeout", () => {
    const stuck = socket(1_000_000);
    armCloseTimer(stuck, 30_000);
    vi.advanceTimersByTime(29_999);
    expect(stuck.terminate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(stuck.terminate).toHaveBeenCalledOnce();
  });

  it("grants the grace from when the frame leaves, and stops for a socket that is gone", () => {
    const draining = socket(1_000);
    armCloseTimer(draining, 30_000);
    vi.advanceTimersByTime(9_000);
    draining.bufferedAmount = 0;
    vi.advanceTimersByTime(3_000);
    expect(draining.terminate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(3_000);
    expect(draining.terminate).toHaveBeenCalledOnce();
    const gone = socket(0);
    armCloseTimer(gone, 30_000);
    gone.gone = true;
    vi.advanceTimersByTime(60_000);
    expect(gone.terminate).not.toHaveBeenCalled();
  });
});
