import { randomBytes } from "node:crypto";
import type { StreamPosition } from "@switchyard/protocol";
import type { BrokerEvent, HistoryPage, HistoryQuery, RecoverResult } from "@switchyard/server";
import { toEvent } from "./encoding.js";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";
import { READ } from "./scripts.js";

const EPOCH_LENGTH = 12;
const EPOCH_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const DEFAULT_HISTORY_LIMIT = 100;

/**
 * A new random epoch: 12 base36 characters. Every call that may create a channel's stream
 * carries one; the script keeps it only when the channel has no epoch in Redis.
 */
export function createEpoch(): string {
  let epoch = "";
  for (const byte of randomBytes(EPOCH_LENGTH)) epoch += EPOCH_ALPHABET[byte % 36];
  return epoch;
}

/** A stream entry as Redis returns it: `[id, [field, value, ...]]`. */
type Entry = [Buffer, Buffer[]];
/** The read script's reply: epoch, offset, recovered (0/1), entries. */
type ReadReply = [Buffer, number, number, Entry[]];

function field(fields: Buffer[], name: string): Buffer {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]?.toString() === name) return fields[i + 1] as Buffer;
  }
  throw new Error(`stream entry without field '${name}'`);
}

function entryEvent(channel: string, epoch: string, [id, fields]: Entry): BrokerEvent {
  const offset = Number.parseInt(id.toString(), 10);
  const timestamp = Number(field(fields, "t").toString());
  return toEvent(channel, { timestamp, offset, epoch }, field(fields, "p"));
}

/**
 * Reads channels' streams through the read script: the channel's epoch is created when it has
 * none (so a position handed out is kept), events older than the retention are trimmed first,
 * and the channel's keys are kept alive.
 */
export class StreamReader {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly idleTtl: number,
  ) {}

  /** The channel's epoch and the offset of its newest event. */
  async position(channel: string): Promise<StreamPosition> {
    const [epoch, offset] = await this.read(channel, "position", 0, 0);
    return { epoch: epoch.toString(), offset };
  }

  /** Exactly the events after `since`, or `recovered: false` when some are gone. */
  async recover(channel: string, since: StreamPosition): Promise<RecoverResult> {
    const valid = Number.isInteger(since.offset) && typeof since.epoch === "string";
    const [epochBytes, offset, recovered, entries] = valid
      ? await this.read(channel, "recover", since.offset, 0, since.epoch)
      : await this.read(channel, "position", 0, 0);
    const epoch = epochBytes.toString();
    const ok = valid && recovered === 1;
    return {
      epoch,
      offset,
      recovered: ok,
      events: ok ? entries.map((entry) => entryEvent(channel, epoch, entry)) : [],
    };
  }

  /** A page of the channel's history, in offset order. */
  async history(channel: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_HISTORY_LIMIT)) || 0;
    const newest = query.after === undefined;
    const after = newest ? 0 : Math.max(0, Math.floor(query.after ?? 0)) || 0;
    const [epochBytes, offset, , entries] = await this.read(
      channel,
      newest ? "newest" : "after",
      after,
      limit,
    );
    const epoch = epochBytes.toString();
    const events = entries.map((entry) => entryEvent(channel, epoch, entry));
    if (newest) events.reverse();
    return { epoch, offset, events };
  }

  private read(
    channel: string,
    mode: "position" | "recover" | "after" | "newest",
    at: number,
    count: number,
    sinceEpoch = "",
  ): Promise<ReadReply> {
    return this.link.run<ReadReply>(
      READ,
      [this.keys.meta(channel), this.keys.stream(channel)],
      [
        createEpoch(),
        String(this.idleTtl),
        mode,
        String(at),
        String(count),
        sinceEpoch,
        this.link.boot,
      ],
    );
  }
}
