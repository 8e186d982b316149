/**
 * Where each user last put each source, per simulated room: the snapshot a user gets when
 * joining `room:<name>`, kept up to date by `sources.move`. In this node's memory (one hub);
 * a cluster would keep it in `hub.broker.kv` instead.
 */
import type { ClientInfo } from "@switchyard/server";
import type { SourcesMoveInput } from "./schemas.js";

/** A move as published on `room:<name>` (event `source_moved`). */
export interface SourceMoved {
  sourceId: string;
  x: number;
  y: number;
  /** The source's axis in degrees, or null when no one turned it yet. */
  angle: number | null;
  /** Who moved it: receivers skip their own moves by `clientId`. */
  by: { clientId: string; userId: string | null };
  /** Milliseconds since the Unix epoch. */
  at: number;
}

/** Most rooms remembered; the least recently moved one is forgotten first. */
export const MAX_ROOMS = 1_000;
/** Most sources remembered per room. */
export const MAX_SOURCES_PER_ROOM = 64;

/** The last position of every moved source, per room. */
export class RoomBoard {
  readonly #rooms = new Map<string, Map<string, SourceMoved>>();

  /** Records a move and returns the event to publish. */
  move(input: SourcesMoveInput, client: ClientInfo): SourceMoved {
    const room = this.#rooms.get(input.room) ?? new Map<string, SourceMoved>();
    // Re-inserting moves the room (and the source) to the end: the map is in use order.
    this.#rooms.delete(input.room);
    this.#rooms.set(input.room, room);
    const before = room.get(input.sourceId);
    const moved: SourceMoved = {
      sourceId: input.sourceId,
      x: input.x,
      y: input.y,
      angle: input.angle ?? before?.angle ?? null,
      by: { clientId: client.clientId, userId: client.userId },
      at: Date.now(),
    };
    room.delete(input.sourceId);
    room.set(input.sourceId, moved);
    forgetOldest(room, MAX_SOURCES_PER_ROOM);
    forgetOldest(this.#rooms, MAX_ROOMS);
    return moved;
  }

  /** The sources of a room, least recently moved first. */
  sources(room: string): SourceMoved[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }
}

function forgetOldest<K, V>(map: Map<K, V>, limit: number): void {
  for (const key of map.keys()) {
    if (map.size <= limit) return;
    map.delete(key);
  }
}
