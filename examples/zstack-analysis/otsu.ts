/**
 * Otsu's threshold: the intensity that splits the histogram into the two classes with the
 * largest between-class variance. Its share of the total variance, the separability
 * η = σ²_between / σ²_total (0–1), says how cleanly the image splits into objects and
 * background: the example's confidence.
 */
import type { Steps, Volume } from "./volume.js";

/** The best split of a histogram. */
export interface OtsuSplit {
  /** The last bin of the lower class (background): foreground is every bin above it. */
  bin: number;
  /** σ²_between / σ²_total at that split, 0–1 (0 for a histogram with one value). */
  separability: number;
}

/** Otsu's method on histogram counts (bin centres 0, 1, 2 …). */
export function otsu(counts: ArrayLike<number>): OtsuSplit {
  let total = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let bin = 0; bin < counts.length; bin++) {
    const count = counts[bin]!;
    total += count;
    sum += bin * count;
    sumSquares += bin * bin * count;
  }
  if (total === 0) return { bin: 0, separability: 0 };
  const mean = sum / total;
  const variance = sumSquares / total - mean * mean;
  let best = { bin: 0, between: -1 };
  let lowCount = 0;
  let lowSum = 0;
  for (let bin = 0; bin < counts.length - 1; bin++) {
    lowCount += counts[bin]!;
    lowSum += bin * counts[bin]!;
    const highCount = total - lowCount;
    if (lowCount === 0 || highCount === 0) continue;
    const lowMean = lowSum / lowCount;
    const highMean = (sum - lowSum) / highCount;
    const between = (lowCount / total) * (highCount / total) * (lowMean - highMean) ** 2;
    if (between > best.between) best = { bin, between };
  }
  const separability = variance > 0 ? Math.min(1, Math.max(0, best.between / variance)) : 0;
  return { bin: best.bin, separability };
}

/** The threshold of a volume and the foreground mask it gives. */
export interface Threshold {
  /** Voxels brighter than this are foreground. */
  value: number;
  /** Otsu's separability, 0–1. */
  separability: number;
  /** 1 for foreground voxels, 0 for background. */
  mask: Uint8Array;
  /** How many voxels are foreground. */
  foreground: number;
}

/**
 * Thresholds `volume` with Otsu's method on a `bins`-bin histogram: a sweep for the range, a
 * sweep for the histogram, a sweep for the mask, each yielding after every slice.
 */
export function* otsuThreshold(volume: Volume, bins = 256): Steps<Threshold> {
  const { width, height, depth, data } = volume;
  const sliceSize = width * height;
  const sweeps = 3 * depth;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let z = 0; z < depth; z++) {
    for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
      const value = data[i]!;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    yield (z + 1) / sweeps;
  }
  const binWidth = max > min ? (max - min) / bins : 1;
  const counts = new Float64Array(bins);
  for (let z = 0; z < depth; z++) {
    for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
      counts[Math.min(bins - 1, Math.floor((data[i]! - min) / binWidth))]!++;
    }
    yield (depth + z + 1) / sweeps;
  }
  const split = otsu(counts);
  const value = min + (split.bin + 1) * binWidth;
  const mask = new Uint8Array(data.length);
  let foreground = 0;
  for (let z = 0; z < depth; z++) {
    for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
      if (data[i]! > value) {
        mask[i] = 1;
        foreground++;
      }
    }
    yield (2 * depth + z + 1) / sweeps;
  }
  return { value, separability: split.separability, mask, foreground };
}

/**
 * Thresholds `volume` at a value the user chose (the "fixed threshold" algorithm) in one
 * sweep, yielding after every slice. The separability is that of this split: the
 * between-class variance over the total variance of the intensities.
 */
export function* fixedThreshold(volume: Volume, value: number): Steps<Threshold> {
  const { width, height, depth, data } = volume;
  const sliceSize = width * height;
  const mask = new Uint8Array(data.length);
  let foreground = 0;
  let sum = 0;
  let sumSquares = 0;
  let foregroundSum = 0;
  for (let z = 0; z < depth; z++) {
    for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
      const voxel = data[i]!;
      sum += voxel;
      sumSquares += voxel * voxel;
      if (voxel > value) {
        mask[i] = 1;
        foreground++;
        foregroundSum += voxel;
      }
    }
    yield (z + 1) / depth;
  }
  const total = data.length;
  const background = total - foreground;
  const variance = total > 0 ? sumSquares / total - (sum / total) ** 2 : 0;
  let separability = 0;
  if (foreground > 0 && background > 0 && variance > 0) {
    const between =
      (foreground / total) *
      (background / total) *
      (foregroundSum / foreground - (sum - foregroundSum) / background) ** 2;
    separability = Math.min(1, Math.max(0, between / variance));
  }
  return { value, separability, mask, foreground };
}
