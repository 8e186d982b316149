/**
 * A z-stack as one array of voxels, and the synthetic stack the example analyses: a few
 * Gaussian blobs (the "cells") on a dim background with Gaussian noise, from a seed.
 */
import { normal, seededRandom } from "./random.js";

/** A 3D image: `depth` slices of `height` rows of `width` voxels, x fastest. */
export interface Volume {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly data: Float32Array;
}

/**
 * The work of one analysis step, done slice by slice: it yields the fraction done (0–1) after
 * each slice, so the caller can report progress and check for cancellation in between, and
 * returns the step's output.
 */
export type Steps<T> = Generator<number, T, void>;

/** Runs steps to their end at once (for tests and small inputs). */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** An empty volume. */
export function createVolume(width: number, height: number, depth: number): Volume {
  return { width, height, depth, data: new Float32Array(width * height * depth) };
}

/**
 * A planted blob (a "cell"): a ball with a soft edge, its centre and radius in voxels and its
 * intensity above the background.
 */
export interface Blob {
  x: number;
  y: number;
  z: number;
  radius: number;
  amplitude: number;
}

/** What the synthetic stack looks like. */
export interface StackParameters {
  width: number;
  height: number;
  depth: number;
  /** How many blobs to plant. */
  blobs: number;
  /** Standard deviation of the Gaussian noise added to every voxel (intensities are 0–1). */
  noise: number;
  seed: number;
}

/** Intensity of the background, below every blob. */
export const BACKGROUND = 0.1;
/** Smallest and largest blob radius, in voxels. */
export const MIN_RADIUS = 2.5;
export const MAX_RADIUS = 5;
/** Width of a blob's edge, in voxels: intensity falls from 73 % to 27 % over 2 × EDGE. */
const EDGE = 0.5;

/** Picks blob centres that keep apart from each other and from the border. */
function plant(parameters: StackParameters, random: () => number): Blob[] {
  const { width, height, depth } = parameters;
  const blobs: Blob[] = [];
  for (let attempt = 0; blobs.length < parameters.blobs && attempt < 200 * parameters.blobs; ) {
    attempt++;
    const radius = MIN_RADIUS + random() * (MAX_RADIUS - MIN_RADIUS);
    const margin = Math.min(radius + 1, width / 4, height / 4, depth / 4);
    const blob: Blob = {
      x: margin + random() * (width - 1 - 2 * margin),
      y: margin + random() * (height - 1 - 2 * margin),
      z: margin + random() * (depth - 1 - 2 * margin),
      radius,
      amplitude: 0.6 + random() * 0.4,
    };
    const apart = blobs.every(
      (other) =>
        Math.hypot(other.x - blob.x, other.y - blob.y, other.z - blob.z) >
        other.radius + blob.radius + 3,
    );
    if (apart) blobs.push(blob);
  }
  return blobs;
}

/**
 * Builds the synthetic z-stack slice by slice. The same parameters give the same stack.
 * Blobs that would overlap are not planted, so fewer than asked may fit in a small stack.
 */
export function* synthesize(parameters: StackParameters): Steps<{ volume: Volume; blobs: Blob[] }> {
  const random = seededRandom(parameters.seed);
  const blobs = plant(parameters, random);
  const volume = createVolume(parameters.width, parameters.height, parameters.depth);
  const { width, height, depth, data } = volume;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let value = BACKGROUND;
        for (const blob of blobs) {
          const r = Math.hypot(x - blob.x, y - blob.y, z - blob.z);
          if (r < blob.radius + 4) {
            value += blob.amplitude / (1 + Math.exp((r - blob.radius) / EDGE));
          }
        }
        value += parameters.noise * normal(random);
        data[(z * height + y) * width + x] = Math.max(0, value);
      }
    }
    yield (z + 1) / depth;
  }
  return { volume, blobs };
}
