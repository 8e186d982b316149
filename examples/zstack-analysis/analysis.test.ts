import { describe, expect, it } from "vitest";
import { confidenceOf } from "./analysis.js";
import { gaussianBlur, gaussianKernel } from "./blur.js";
import { connectedComponents } from "./components.js";
import { measureObjects } from "./metrics.js";
import { otsu, otsuThreshold } from "./otsu.js";
import { analysisStartInput, DEFAULT_PARAMETERS, NOISY_PARAMETERS } from "./schemas.js";
import { createVolume, drain, synthesize, type Volume } from "./volume.js";

/** A volume from slices written as rows of digits ("." is 0). */
function volumeOf(slices: string[][]): Volume {
  const depth = slices.length;
  const height = slices[0]!.length;
  const width = slices[0]![0]!.length;
  const volume = createVolume(width, height, depth);
  slices.forEach((rows, z) => {
    rows.forEach((row, y) => {
      [...row].forEach((cell, x) => {
        volume.data[(z * height + y) * width + x] = cell === "." ? 0 : Number(cell);
      });
    });
  });
  return volume;
}

const maskOf = (volume: Volume) => Uint8Array.from(volume.data, (value) => (value > 0 ? 1 : 0));

/** The whole analysis at once, without a job. */
function analyseNow(input: Parameters<typeof analysisStartInput.parse>[0]) {
  const parameters = analysisStartInput.parse(input);
  const { volume, blobs } = drain(synthesize(parameters));
  const blurred = drain(gaussianBlur(volume, parameters.sigma));
  const threshold = drain(otsuThreshold(blurred));
  const { width, height, depth } = parameters;
  const labels = drain(connectedComponents(threshold.mask, width, height, depth));
  const measured = drain(
    measureObjects(labels, volume, parameters.voxelSize, parameters.minVoxels),
  );
  const inObjects = measured.objects.reduce((sum, object) => sum + object.voxels, 0);
  const confidence = confidenceOf(measured.contrastToNoise, inObjects, threshold.foreground);
  return { blobs, measured, confidence };
}

describe("Otsu's threshold", () => {
  it("splits a bimodal histogram between its two modes, with a high separability", () => {
    const counts = new Array(32).fill(0);
    for (const [bin, count] of [
      [3, 10],
      [4, 40],
      [5, 10],
      [20, 5],
      [21, 20],
      [22, 5],
    ] as const) {
      counts[bin] = count;
    }
    const split = otsu(counts);
    expect(split.bin).toBeGreaterThanOrEqual(5);
    expect(split.bin).toBeLessThan(20);
    expect(split.separability).toBeGreaterThan(0.95);
  });

  it("halves a flat histogram with separability 3/4, and gives 0 for a single value", () => {
    const flat = otsu(new Array(256).fill(1));
    expect(flat.bin).toBe(127);
    expect(flat.separability).toBeCloseTo(0.75, 3);
    expect(otsu([0, 0, 9, 0]).separability).toBe(0);
  });

  it("thresholds a two-valued volume into exactly its bright voxels", () => {
    const volume = volumeOf([
      ["1111", "1991", "1111"],
      ["1191", "1111", "9111"],
    ]);
    const threshold = drain(otsuThreshold(volume));
    expect(threshold.value).toBeGreaterThan(1);
    expect(threshold.value).toBeLessThan(9);
    expect(threshold.foreground).toBe(4);
    expect([...threshold.mask]).toEqual([...volume.data].map((value) => (value === 9 ? 1 : 0)));
  });
});

describe("3D connected components (6-connectivity)", () => {
  it("counts faces as connections, edges and corners not, and merges labels that meet later", () => {
    const volume = volumeOf([
      ["11..2", "11...", "....."],
      ["11...", ".....", "3.3.."],
      ["..1..", ".....", "333.."],
    ]);
    // Slice 1 holds the cube's top; "2" touches nothing, the U of "3" joins in the last
    // slice's bottom row; the lone "1" in the last slice touches the cube by an edge only.
    const { labels, count } = drain(connectedComponents(maskOf(volume), 5, 3, 3));
    expect(count).toBe(4);
    const at = (x: number, y: number, z: number) => labels[(z * 3 + y) * 5 + x];
    expect(new Set([at(0, 0, 0), at(1, 1, 0), at(0, 0, 1), at(1, 0, 1)]).size).toBe(1);
    expect(at(4, 0, 0)).not.toBe(at(0, 0, 0));
    expect(at(2, 0, 2)).not.toBe(at(1, 0, 1));
    expect(at(2, 0, 2)).not.toBe(0);
    expect(new Set([at(0, 2, 1), at(2, 2, 1), at(1, 2, 2)]).size).toBe(1);
    expect(Math.max(...labels)).toBe(4);
  });

  it("finds none in an empty mask", () => {
    expect(drain(connectedComponents(new Uint8Array(27), 3, 3, 3)).count).toBe(0);
  });
});

describe("separable Gaussian blur", () => {
  it("uses a normalised kernel of radius ceil(3 sigma)", () => {
    const kernel = gaussianKernel(1.5);
    expect(kernel).toHaveLength(11);
    expect(kernel.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 12);
    expect(kernel[5]).toBeGreaterThan(kernel[4]!);
    expect(kernel[4]).toBeCloseTo(kernel[6]!, 12);
  });

  it("keeps a constant volume constant and spreads an impulse symmetrically, keeping its sum", () => {
    const constant = createVolume(6, 5, 4);
    constant.data.fill(0.25);
    for (const value of drain(gaussianBlur(constant, 1)).data) expect(value).toBeCloseTo(0.25, 6);

    const impulse = createVolume(15, 15, 15);
    const centre = (7 * 15 + 7) * 15 + 7;
    impulse.data[centre] = 1;
    const blurred = drain(gaussianBlur(impulse, 1));
    expect(blurred.data.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
    expect(blurred.data[centre - 1]).toBeCloseTo(blurred.data[centre + 1]!, 7);
    expect(blurred.data[centre - 15]).toBeCloseTo(blurred.data[centre + 225]!, 7);
    expect(blurred.data[centre]).toBeLessThan(0.1);
  });

  it("yields after every slice of every pass", () => {
    const steps = gaussianBlur(createVolume(4, 4, 5), 1);
    const fractions: number[] = [];
    for (let next = steps.next(); !next.done; next = steps.next()) fractions.push(next.value);
    expect(fractions).toHaveLength(15);
    expect(fractions.at(-1)).toBe(1);
  });
});

describe("object metrics", () => {
  it("measures a cube and drops a speck", () => {
    const volume = volumeOf([
      ["22..", "24..", "...."],
      ["22..", "22..", "...1"],
    ]);
    const labels = drain(connectedComponents(maskOf(volume), 4, 3, 2));
    const measured = drain(measureObjects(labels, volume, { x: 0.5, y: 0.5, z: 2 }, 2));
    expect(measured.specks).toBe(1);
    expect(measured.objects).toEqual([
      {
        id: 1,
        voxels: 8,
        volume: 4,
        centroid: { x: 0.5, y: 0.5, z: 0.5 },
        bounds: { min: { x: 0, y: 0, z: 0 }, max: { x: 1, y: 1, z: 1 } },
        meanIntensity: 2.25,
      },
    ]);
    expect(measured.background).toEqual({ mean: 0, std: 0 });
    expect(measured.contrastToNoise).toBe(1000);
  });
});

describe("the synthetic z-stack and the whole analysis", () => {
  it("builds the same stack from the same seed, another from another seed", () => {
    const parameters = { width: 16, height: 16, depth: 8, blobs: 2, noise: 0.1, seed: 3 };
    const a = drain(synthesize(parameters));
    const b = drain(synthesize(parameters));
    const c = drain(synthesize({ ...parameters, seed: 4 }));
    expect(a.volume.data).toEqual(b.volume.data);
    expect(a.volume.data).not.toEqual(c.volume.data);
    expect(a.blobs).toHaveLength(2);
  });

  it("finds every planted blob with full confidence at the default parameters", () => {
    const { blobs, measured, confidence } = analyseNow({});
    expect(DEFAULT_PARAMETERS).toMatchObject({ width: 64, height: 64, depth: 32, blobs: 8 });
    expect(measured.objects).toHaveLength(blobs.length);
    expect(blobs).toHaveLength(8);
    for (const blob of blobs) {
      const found = measured.objects.find(
        (object) =>
          Math.hypot(
            object.centroid.x - blob.x,
            object.centroid.y - blob.y,
            object.centroid.z - blob.z,
          ) < 1,
      );
      expect(found).toBeDefined();
    }
    expect(confidence).toBeGreaterThanOrEqual(0.7);
  });

  it("loses confidence on a noisy stack, and without blur on noise alone", () => {
    expect(analyseNow(NOISY_PARAMETERS).confidence).toBeLessThan(0.7);
    expect(analyseNow({ blobs: 0, noise: 0.2, sigma: 0 }).confidence).toBeLessThan(0.7);
    expect(confidenceOf(10, 100, 100)).toBe(1);
    expect(confidenceOf(2.5, 50, 100)).toBe(0.25);
    expect(confidenceOf(10, 0, 0)).toBe(0);
  });
});
