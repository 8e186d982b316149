/**
 * Per-object metrics of labelled components: size in voxels and in µm³, centroid, bounding
 * box and mean intensity of the original (unblurred) image. Objects smaller than a minimum
 * are dropped as specks of noise.
 */
import type { Labels } from "./components.js";
import type { Steps, Volume } from "./volume.js";

/** A point in voxel coordinates. */
export interface Point3 {
  x: number;
  y: number;
  z: number;
}

/** The physical size of one voxel, in µm. */
export interface VoxelSize {
  x: number;
  y: number;
  z: number;
}

/** One segmented object. */
export interface ObjectMetrics {
  /** 1…n, largest object first. */
  id: number;
  voxels: number;
  /** µm³: voxels times the voxel's volume. */
  volume: number;
  /** Mean voxel position, in voxels (rounded to 0.01). */
  centroid: Point3;
  /** Smallest and largest voxel coordinates, inclusive. */
  bounds: { min: Point3; max: Point3 };
  /** Mean intensity of the object's voxels in the original image (rounded to 0.001). */
  meanIntensity: number;
}

/** What {@link measureObjects} returns. */
export interface Measurement {
  objects: ObjectMetrics[];
  /** Components dropped for being smaller than `minVoxels`. */
  specks: number;
  /** Mean and standard deviation of the background (voxels of no component), rounded. */
  background: { mean: number; std: number };
  /**
   * Contrast-to-noise ratio: (mean intensity of the objects' voxels − background mean) /
   * background standard deviation; 0 without objects, capped at 1000 for a noiseless image.
   */
  contrastToNoise: number;
  /**
   * The object each component became: `objectOf[label]` is the object's id (1…n), or 0 for a
   * speck (and for the background, label 0). Maps the labels onto what the metrics list.
   */
  objectOf: Int32Array;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Measures every component of `labels` on `intensity`, one slice at a time. */
export function* measureObjects(
  { labels, count }: Labels,
  intensity: Volume,
  voxelSize: VoxelSize,
  minVoxels: number,
): Steps<Measurement> {
  const { width, height, depth, data } = intensity;
  const voxels = new Float64Array(count + 1);
  const sumX = new Float64Array(count + 1);
  const sumY = new Float64Array(count + 1);
  const sumZ = new Float64Array(count + 1);
  const sumIntensity = new Float64Array(count + 1);
  const min = Array.from({ length: count + 1 }, () => ({ x: width, y: height, z: depth }));
  const max = Array.from({ length: count + 1 }, () => ({ x: -1, y: -1, z: -1 }));
  let backgroundVoxels = 0;
  let backgroundSum = 0;
  let backgroundSquares = 0;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (z * height + y) * width + x;
        const label = labels[i]!;
        if (label === 0) {
          backgroundVoxels++;
          backgroundSum += data[i]!;
          backgroundSquares += data[i]! ** 2;
          continue;
        }
        voxels[label]!++;
        sumX[label]! += x;
        sumY[label]! += y;
        sumZ[label]! += z;
        sumIntensity[label]! += data[i]!;
        const low = min[label]!;
        const high = max[label]!;
        low.x = Math.min(low.x, x);
        low.y = Math.min(low.y, y);
        low.z = Math.min(low.z, z);
        high.x = Math.max(high.x, x);
        high.y = Math.max(high.y, y);
        high.z = Math.max(high.z, z);
      }
    }
    yield (z + 1) / depth;
  }
  const voxelVolume = voxelSize.x * voxelSize.y * voxelSize.z;
  const objects: ObjectMetrics[] = [];
  const labelOf = new Map<ObjectMetrics, number>();
  let specks = 0;
  let objectVoxels = 0;
  let objectSum = 0;
  for (let label = 1; label <= count; label++) {
    const n = voxels[label]!;
    if (n < minVoxels) {
      specks++;
      continue;
    }
    objectVoxels += n;
    objectSum += sumIntensity[label]!;
    const object: ObjectMetrics = {
      id: 0,
      voxels: n,
      volume: round(n * voxelVolume, 3),
      centroid: {
        x: round(sumX[label]! / n, 2),
        y: round(sumY[label]! / n, 2),
        z: round(sumZ[label]! / n, 2),
      },
      bounds: { min: min[label]!, max: max[label]! },
      meanIntensity: round(sumIntensity[label]! / n, 3),
    };
    objects.push(object);
    labelOf.set(object, label);
  }
  objects.sort((a, b) => b.voxels - a.voxels || a.centroid.z - b.centroid.z);
  const objectOf = new Int32Array(count + 1);
  for (const [index, object] of objects.entries()) {
    object.id = index + 1;
    objectOf[labelOf.get(object)!] = object.id;
  }
  const mean = backgroundVoxels > 0 ? backgroundSum / backgroundVoxels : 0;
  const variance = backgroundVoxels > 0 ? backgroundSquares / backgroundVoxels - mean ** 2 : 0;
  const std = Math.sqrt(Math.max(0, variance));
  const contrast = objectVoxels > 0 ? objectSum / objectVoxels - mean : 0;
  const contrastToNoise = contrast <= 0 ? 0 : Math.min(1000, contrast / Math.max(std, 1e-6));
  return {
    objects,
    specks,
    background: { mean: round(mean, 4), std: round(std, 4) },
    contrastToNoise: round(contrastToNoise, 2),
    objectOf,
  };
}
