/**
 * What the page knows of the analyser's hub: the types of its RPCs and events (type-only
 * imports of the example's server modules, so nothing of Node reaches the bundle), the
 * synthetic stacks and algorithms to choose from, and small helpers on jobs.
 */
import type { JobState } from "@switchyard/client";
import type {
  AnalysisParameters,
  AnalysisResult,
  ReviewDecision,
} from "../../zstack-analysis/analysis.js";
import type {
  AnalysisMeta,
  AnalysisReviewReply,
  AnalysisStartReply,
} from "../../zstack-analysis/rpcs.js";
import type { AnalysisStartInput } from "../../zstack-analysis/schemas.js";
import type { SliceImage } from "../../zstack-analysis/slices.js";
import type { SystemStatus } from "../../zstack-analysis/system-status.js";

export type {
  AnalysisMeta,
  AnalysisParameters,
  AnalysisResult,
  AnalysisReviewReply,
  AnalysisStartInput,
  AnalysisStartReply,
  ReviewDecision,
  SliceImage,
  SystemStatus,
};

/** The channel and event of the system status (`system-status.ts`). */
export const STATUS_CHANNEL = "system:status";
export const STATUS_EVENT = "status";
/** The personal event that tells the owner's tabs of a new analysis (`rpcs.ts`). */
export const ANALYSIS_STARTED = "analysis_started";
/** The step of a job that waits for its owner's review (`analysis.ts`). */
export const REVIEW_STEP = "Awaiting review";
/** Marks a speck in a slice's objects (`slices.ts`). */
export const SPECK = 65_535;

/** A synthetic z-stack to analyse. */
export interface StackPreset {
  id: string;
  name: string;
  description: string;
  input: Pick<AnalysisStartInput, "width" | "height" | "depth" | "blobs" | "noise" | "seed">;
}

export const STACKS: readonly StackPreset[] = [
  {
    id: "sparse",
    name: "Sparse cells",
    description: "64×64×32 · 8 cells",
    input: { width: 64, height: 64, depth: 32, blobs: 8, noise: 0.1, seed: 7 },
  },
  {
    id: "culture",
    name: "Dense culture",
    description: "128×128×40 · 30 cells",
    input: { width: 128, height: 128, depth: 40, blobs: 30, noise: 0.12, seed: 11 },
  },
  {
    id: "noisy",
    name: "Noisy acquisition",
    description: "noise 0.3 · review",
    input: { width: 64, height: 64, depth: 32, blobs: 8, noise: 0.3, seed: 7 },
  },
  {
    id: "large",
    name: "Large volume",
    description: "192×192×64 · 45 cells",
    input: { width: 192, height: 192, depth: 64, blobs: 45, noise: 0.1, seed: 5 },
  },
];

/** The segmentation algorithms (`schemas.ts` ALGORITHMS). */
export const ALGORITHMS = [
  { id: "otsu", name: "Otsu threshold · 3D components" },
  { id: "fixed", name: "Fixed threshold · 3D components" },
] as const;

export type AlgorithmId = (typeof ALGORITHMS)[number]["id"];

/** Where a simulated failure may strike: the five steps, in order (`failAt` 1–5). */
export const FAILURE_POINTS = [
  "While generating the stack",
  "During the blur",
  "During the threshold",
  "During the labelling",
  "During the metrics",
] as const;

/** The job's meta as the analyser sets it, or null for another kind of job. */
export function metaOf(job: Pick<JobState, "meta">): AnalysisMeta | null {
  const meta = job.meta as Partial<AnalysisMeta> | null;
  return meta && typeof meta === "object" && meta.parameters ? (meta as AnalysisMeta) : null;
}

/** "Sparse cells" when the parameters match a preset, else the size. */
export function stackName(parameters: AnalysisParameters): string {
  const preset = STACKS.find((stack) =>
    Object.entries(stack.input).every(
      ([key, value]) => parameters[key as keyof AnalysisParameters] === value,
    ),
  );
  const size = `${parameters.width}×${parameters.height}×${parameters.depth}`;
  return preset ? `${preset.name} (${size})` : `Stack ${size}`;
}

export function algorithmName(id: string): string {
  return ALGORITHMS.find((algorithm) => algorithm.id === id)?.name ?? id;
}

/** True while the job waits for its owner's decision on a low-confidence result. */
export function awaitsReview(job: Pick<JobState, "status" | "step" | "validation">): boolean {
  return job.validation !== null && job.status === "running" && job.step === REVIEW_STEP;
}

/** The error's message, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
