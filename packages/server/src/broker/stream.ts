import { randomBytes } from "node:crypto";
import type { StreamPosition } from "@switchyard/protocol";
import type { BrokerEvent, HistoryOptions } from "./broker.js";

const EPOCH_LENGTH = 12;
const EPOCH_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A new random epoch: 12 base36 characters (about 62 bits). */
export function createEpoch(): string {
  const bytes = randomBytes(EPOCH_LENGTH);
  let epoch = "";
  for (const byte of bytes) epoch += EPOCH_ALPHABET[byte % EPOCH_ALPHABET.length];
  return epoch;
}

/** The slots of every empty ring (never written: a push first grows the ring). */
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * A circular buffer that grows on demand up to the retention size, so a channel with few
 * events costs few slots even when its retention allows 1000. A base class rather than a
 * field of {@link Stream}: one object less for every stream, and most streams (one per
 * session) are idle.
 */
class Ring<T> {
  // Shared while empty: most streams (a session's, say) never hold an event.
  private items: (T | undefined)[] = NO_ITEMS as (T | undefined)[];
  private start = 0;
  private count = 0;

  /** Number of items held. */
  protected get length(): number {
    return this.count;
  }

  /** The item at `index` counted from the oldest (0). */
  protected at(index: number): T {
    return this.items[(this.start + index) % this.items.length] as T;
  }

  /** Appends `item`, first dropping the oldest items so at most `max` remain. */
  protected push(item: T, max: number): void {
    while (this.count >= max && this.count > 0) this.shift();
    if (max <= 0) return;
    if (this.count === this.items.length) this.grow(Math.min(max, Math.max(8, this.count * 2)));
    this.items[(this.start + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item. */
  protected shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.start];
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.items.length;
    this.count--;
    if (this.count === 0) {
      // An emptied stream gives its slots back; a busy one regrows them on the next push.
      this.items = NO_ITEMS as (T | undefined)[];
      this.start = 0;
    }
    return item;
  }

  private grow(capacity: number): void {
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.count; i++) items[i] = this.at(i);
    this.items = items;
    this.start = 0;
  }
}

/**
 * One channel's history: the epoch naming this stream's lifetime, the offset of its newest
 * event, and the events still kept under the channel's retention (by count and by age).
 * Kept events always hold the consecutive offsets `oldestOffset .. offset`.
 */
export class Stream extends Ring<BrokerEvent> {
  /** Names this stream's lifetime; a recreated stream gets a new one. */
  readonly epoch: string;
  /** Offset of the newest event ever appended (0 when none). */
  offset = 0;
  /** Clock time of the newest event, or of the stream's creation. */
  lastEventAt: number;
  /** Clock time of the last read or subscription change. */
  lastActivityAt: number;
  /** Retention given by the newest publish; none before the first. */
  retention: HistoryOptions | undefined;

  /**
   * @param epoch names this lifetime of the channel's stream. Streams of different channels
   *   may share one (it only has to differ from the same channel's earlier lifetimes).
   */
  constructor(now: number, epoch: string = createEpoch()) {
    super();
    this.epoch = epoch;
    this.lastEventAt = now;
    this.lastActivityAt = now;
  }

  /** Offset of the oldest kept event (`offset + 1` when none is kept). */
  get oldestOffset(): number {
    return this.offset - this.length + 1;
  }

  /** Number of kept events. */
  get size(): number {
    return this.length;
  }

  /** The stream's position: its epoch and the offset of its newest event. */
  position(): StreamPosition {
    return { epoch: this.epoch, offset: this.offset };
  }

  /** Assigns the next offset to a new event, keeps it, and returns it. */
  append(
    channel: string,
    event: string,
    data: unknown,
    timestamp: number,
    retention: HistoryOptions,
  ): BrokerEvent {
    this.retention = retention;
    this.offset++;
    this.lastEventAt = timestamp;
    const kept: BrokerEvent = {
      channel,
      event,
      data,
      timestamp,
      offset: this.offset,
      epoch: this.epoch,
    };
    this.push(kept, retention.size);
    this.trim(timestamp);
    return kept;
  }

  /** Records a read or subscription change (keeps an idle stream alive). */
  touch(now: number): void {
    this.lastActivityAt = now;
  }

  /** Drops the kept events that are older than the retention's ttl. */
  trim(now: number): void {
    const ttl = this.retention?.ttl;
    if (ttl === undefined) return;
    const cutoff = now - ttl;
    while (this.length > 0 && this.at(0).timestamp <= cutoff) this.shift();
  }

  /**
   * True when the stream may be forgotten: no event and no activity for `ttl` (the
   * retention's ttl, or `defaultTtl` before the first event). Every kept event has expired by
   * then, so only the position is lost; the next use starts a new epoch.
   */
  idle(now: number, defaultTtl: number): boolean {
    const ttl = this.retention?.ttl ?? defaultTtl;
    return now - this.lastEventAt >= ttl && now - this.lastActivityAt >= ttl;
  }

  /** Kept events with an offset greater than `after`, oldest first, at most `limit`. */
  after(after: number, limit: number): BrokerEvent[] {
    const first = Math.max(0, Math.floor(after) + 1 - this.oldestOffset);
    const end = Math.min(this.length, first + Math.max(0, limit));
    const result: BrokerEvent[] = [];
    for (let i = first; i < end; i++) result.push(this.at(i));
    return result;
  }

  /** The newest `limit` kept events, oldest first. */
  newest(limit: number): BrokerEvent[] {
    const count = Math.min(this.length, Math.max(0, limit));
    return this.after(this.offset - count, count);
  }
}
