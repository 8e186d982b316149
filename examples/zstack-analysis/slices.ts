/**
 * Pictures of a finished segmentation for the web app: the hub keeps each analysis' stack
 * (intensities as bytes) and its objects (per voxel, the object id) for a while, and the
 * `analysis.slice` RPC answers one slice as binary — MessagePack `bin`, so a 256 × 256 slice
 * costs 192 KiB on the wire, not a JSON array of numbers.
 */
import type { Segmentation } from "./analysis.js";

/** Marks a speck (a component too small to be an object) in {@link SliceImage.objects}. */
export const SPECK = 65_535;

/** One slice of a segmented stack, as `analysis.slice` answers it. */
export interface SliceImage {
  jobId: string;
  /** The slice, 0…depth−1. */
  z: number;
  width: number;
  height: number;
  depth: number;
  /** The slice with the most object voxels: the one the app shows first. */
  bestZ: number;
  /** Row by row, x fastest: the original intensity, 0–255 over the stack's range. */
  intensity: Uint8Array;
  /**
   * Row by row, x fastest, one little-endian uint16 per pixel: 0 background, 1…n the object
   * (the ids of the metrics), {@link SPECK} a speck.
   */
  objects: Uint8Array;
  /** The ids of the objects this slice cuts through, ascending. */
  objectIds: number[];
}

/** Who may see the pictures: the analysis' owner, as its job records it. */
export interface SliceOwner {
  userId: string | null;
  sessionId: string | null;
}

interface Kept {
  owner: SliceOwner;
  width: number;
  height: number;
  depth: number;
  bestZ: number;
  intensity: Uint8Array;
  objects: Uint16Array;
  expiresAt: number;
}

/** Options of {@link SliceStore}. */
export interface SliceStoreOptions {
  /** Milliseconds a stack is kept (the jobs' retention). @default 600_000 */
  retention?: number;
  /** Stacks kept at most; the oldest goes first. @default 8 */
  capacity?: number;
}

/** The segmented stacks of recent analyses, by job id. */
export class SliceStore {
  readonly #kept = new Map<string, Kept>();
  readonly #retention: number;
  readonly #capacity: number;

  constructor(options: SliceStoreOptions = {}) {
    this.#retention = options.retention ?? 600_000;
    this.#capacity = options.capacity ?? 8;
  }

  /** How many stacks are kept now. */
  get size(): number {
    this.#expire();
    return this.#kept.size;
  }

  /** Keeps the segmentation of job `jobId`, owned by `owner`. */
  keep(jobId: string, owner: SliceOwner, { volume, labels, objectOf }: Segmentation): void {
    const { width, height, depth, data } = volume;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const value of data) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const scale = max > min ? 255 / (max - min) : 0;
    const intensity = new Uint8Array(data.length);
    const objects = new Uint16Array(data.length);
    const sliceSize = width * height;
    let bestZ = Math.floor(depth / 2);
    let bestCount = 0;
    for (let z = 0; z < depth; z++) {
      let count = 0;
      for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
        intensity[i] = Math.round((data[i]! - min) * scale);
        const label = labels[i]!;
        if (label === 0) continue;
        const id = objectOf[label]!;
        objects[i] = id === 0 ? SPECK : Math.min(id, SPECK - 1);
        if (id !== 0) count++;
      }
      if (count > bestCount) {
        bestCount = count;
        bestZ = z;
      }
    }
    this.#expire();
    this.#kept.delete(jobId);
    this.#kept.set(jobId, {
      owner,
      width,
      height,
      depth,
      bestZ,
      intensity,
      objects,
      expiresAt: Date.now() + this.#retention,
    });
    while (this.#kept.size > this.#capacity) {
      this.#kept.delete(this.#kept.keys().next().value as string);
    }
  }

  /**
   * Slice `z` of job `jobId` (its best slice when absent; clamped to the stack), or
   * undefined when the stack is not kept or `who` does not own it.
   */
  slice(jobId: string, who: SliceOwner, z?: number): SliceImage | undefined {
    this.#expire();
    const kept = this.#kept.get(jobId);
    if (!kept || !owns(kept.owner, who)) return undefined;
    const { width, height, depth, bestZ } = kept;
    const at = Math.min(depth - 1, Math.max(0, Math.round(z ?? bestZ)));
    const from = at * width * height;
    const to = from + width * height;
    const objects = kept.objects.slice(from, to);
    const ids = new Set<number>();
    for (const id of objects) if (id !== 0 && id !== SPECK) ids.add(id);
    return {
      jobId,
      z: at,
      width,
      height,
      depth,
      bestZ,
      intensity: kept.intensity.slice(from, to),
      objects: littleEndian(objects),
      objectIds: [...ids].sort((a, b) => a - b),
    };
  }

  #expire(): void {
    const now = Date.now();
    for (const [jobId, kept] of this.#kept) if (kept.expiresAt <= now) this.#kept.delete(jobId);
  }
}

/** True when `who` is the owner: the same user, or (a tab of) the same session. */
export function owns(owner: SliceOwner, who: SliceOwner): boolean {
  return (
    (owner.userId !== null && owner.userId === who.userId) ||
    (owner.sessionId !== null && owner.sessionId === who.sessionId)
  );
}

/** The bytes of `values`, little-endian whatever the machine. */
function littleEndian(values: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index++) {
    view.setUint16(index * 2, values[index]!, true);
  }
  return bytes;
}
