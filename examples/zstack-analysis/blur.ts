/**
 * Separable 3D Gaussian blur: one 1D convolution along x, then y, then z, with the border
 * voxels repeated outwards. Three passes of `2r + 1` taps instead of one of `(2r + 1)³`.
 */
import { createVolume, type Steps, type Volume } from "./volume.js";

/** A normalised 1D Gaussian kernel of radius `ceil(3 sigma)` (sums to 1). */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const weight = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = weight;
    sum += weight;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

type Axis = "x" | "y" | "z";

/** Convolves output slice `z` along one axis. */
function convolveSlice(
  source: Volume,
  target: Volume,
  kernel: Float64Array,
  axis: Axis,
  z: number,
) {
  const { width, height, depth } = source;
  const radius = (kernel.length - 1) / 2;
  const stride = axis === "x" ? 1 : axis === "y" ? width : width * height;
  const size = axis === "x" ? width : axis === "y" ? height : depth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const here = (z * height + y) * width + x;
      const position = axis === "x" ? x : axis === "y" ? y : z;
      let value = 0;
      for (let k = -radius; k <= radius; k++) {
        const at = Math.min(size - 1, Math.max(0, position + k));
        value += kernel[k + radius]! * source.data[here + (at - position) * stride]!;
      }
      target.data[here] = value;
    }
  }
}

/**
 * Blurs `volume` with a Gaussian of `sigma` voxels (0 copies it). Yields after each slice of
 * each of the three passes.
 */
export function* gaussianBlur(volume: Volume, sigma: number): Steps<Volume> {
  const { width, height, depth } = volume;
  if (sigma <= 0) {
    yield 1;
    return { width, height, depth, data: volume.data.slice() };
  }
  const kernel = gaussianKernel(sigma);
  let source = volume;
  const axes: Axis[] = ["x", "y", "z"];
  for (const [pass, axis] of axes.entries()) {
    const target = createVolume(width, height, depth);
    for (let z = 0; z < depth; z++) {
      convolveSlice(source, target, kernel, axis, z);
      yield (pass * depth + z + 1) / (3 * depth);
    }
    source = target;
  }
  return source;
}
