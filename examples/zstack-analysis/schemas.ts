/**
 * The input of the `analysis.start` RPC, checked by the hub with this zod schema (a Standard
 * Schema): a bad value is refused with `invalid_data` whose `details.issues` name the
 * parameter (`path`) and say what is accepted.
 */
import { z } from "zod";
import type { AnalysisParameters } from "./analysis.js";

/**
 * The segmentation algorithms: the threshold step is Otsu's method (`otsu`) or a value the
 * user chose (`fixed`); both go on with 3D connected components and object metrics.
 */
export const ALGORITHMS = ["otsu", "fixed"] as const;

/** Most voxels one analysis may have (256 × 256 × 64). */
export const MAX_VOXELS = 4_194_304;

/** The parameters of `analysis.start`; every one has a default. */
export const analysisStartInput = z
  .object({
    width: z.number().int().min(8).max(256).default(64),
    height: z.number().int().min(8).max(256).default(64),
    depth: z.number().int().min(4).max(128).default(32),
    blobs: z.number().int().min(0).max(50).default(8),
    noise: z.number().min(0).max(2).default(0.1),
    sigma: z.number().min(0).max(5).default(1),
    seed: z.number().int().min(0).max(4_294_967_295).default(7),
    minVoxels: z.number().int().min(1).max(10_000).default(10),
    voxelSize: z
      .object({
        x: z.number().positive().max(100),
        y: z.number().positive().max(100),
        z: z.number().positive().max(100),
      })
      .default({ x: 0.5, y: 0.5, z: 1 }),
    sliceDelayMs: z.number().int().min(0).max(1_000).default(0),
    algorithm: z.enum(ALGORITHMS).default("otsu"),
    /** The `fixed` algorithm's threshold (intensities are about 0–1); `otsu` ignores it. */
    threshold: z.number().min(0).max(2).default(0.35),
    /** Wait for the owner's `analysis.review` after a review request, before completing. */
    awaitReview: z.boolean().default(false),
    /** Simulate losing the worker during this step (1–5): a retryable failure. */
    failAt: z.number().int().min(1).max(5).nullable().default(null),
  })
  .strict()
  .refine((input) => input.width * input.height * input.depth <= MAX_VOXELS, {
    message: `width × height × depth must be at most ${MAX_VOXELS} voxels`,
    path: ["depth"],
  });

/** What a client sends (every field optional). */
export type AnalysisStartInput = z.input<typeof analysisStartInput>;

/** The parameters every analysis runs with when a client sends none. */
export const DEFAULT_PARAMETERS: AnalysisParameters = analysisStartInput.parse({});

/**
 * A documented parameter set whose segmentation is not trustworthy: strong noise and little
 * blur give objects barely brighter than the noise around them (confidence about 0.45), so
 * the job raises `validation_required`.
 */
export const NOISY_PARAMETERS: AnalysisStartInput = { noise: 0.3, sigma: 1 };

/** The input of `analysis.retry`: the failed analysis to run again. */
export const analysisRetryInput = z.object({ jobId: z.string().min(1).max(128) }).strict();

/** The input of `analysis.review`: the owner's decision on a result that asked for review. */
export const analysisReviewInput = z
  .object({ jobId: z.string().min(1).max(128), decision: z.enum(["accept", "reject"]) })
  .strict();

/** The input of `analysis.slice`: a slice of a finished analysis (its best one when absent). */
export const analysisSliceInput = z
  .object({ jobId: z.string().min(1).max(128), z: z.number().int().min(0).max(1_000).optional() })
  .strict();
