/**
 * 3D connected components with 6-connectivity (faces, not edges or corners): two passes with
 * a union-find over provisional labels. The first pass labels each foreground voxel from its
 * -x, -y and -z neighbours and records which labels meet; the second gives every component
 * one label, 1…count, in the order the components are first met.
 */
import type { Steps } from "./volume.js";

/** The labelled components of a mask. */
export interface Labels {
  /** 0 for background, else the voxel's component (1…count). */
  labels: Int32Array;
  count: number;
}

/** Union-find over provisional labels, with path halving and union by smaller root. */
class DisjointSets {
  readonly #parent: number[] = [0];

  add(): number {
    this.#parent.push(this.#parent.length);
    return this.#parent.length - 1;
  }

  find(label: number): number {
    const parent = this.#parent;
    while (parent[label] !== label) {
      parent[label] = parent[parent[label]!]!;
      label = parent[label]!;
    }
    return label;
  }

  union(a: number, b: number): number {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return rootA;
    const [low, high] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
    this.#parent[high] = low;
    return low;
  }
}

/** Labels the 6-connected components of `mask` (non-zero is foreground). */
export function* connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  depth: number,
): Steps<Labels> {
  const labels = new Int32Array(mask.length);
  const sets = new DisjointSets();
  const sliceSize = width * height;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = z * sliceSize + y * width + x;
        if (mask[i] === 0) continue;
        let label = 0;
        for (const neighbour of [
          x > 0 ? labels[i - 1]! : 0,
          y > 0 ? labels[i - width]! : 0,
          z > 0 ? labels[i - sliceSize]! : 0,
        ]) {
          if (neighbour === 0) continue;
          label = label === 0 ? sets.find(neighbour) : sets.union(label, neighbour);
        }
        labels[i] = label === 0 ? sets.add() : label;
      }
    }
    yield (z + 1) / (2 * depth);
  }
  const final = new Map<number, number>();
  for (let z = 0; z < depth; z++) {
    for (let i = z * sliceSize; i < (z + 1) * sliceSize; i++) {
      if (labels[i] === 0) continue;
      const root = sets.find(labels[i]!);
      let label = final.get(root);
      if (label === undefined) {
        label = final.size + 1;
        final.set(root, label);
      }
      labels[i] = label;
    }
    yield (depth + z + 1) / (2 * depth);
  }
  return { labels, count: final.size };
}
