/**
 * The analysis as a job: synthesise the z-stack, blur it, threshold it, label its objects and
 * measure them, reporting each step's progress slice by slice, one chunk (a summary) per
 * step, and a request for review when the confidence is below 0.7. Between slices it yields
 * to the event loop and checks the job's signal, so a cancel stops it within one slice.
 */
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import { JobFailure, type JobHandle } from "@switchyard/server";
import { gaussianBlur, gaussianKernel } from "./blur.js";
import { connectedComponents } from "./components.js";
import { measureObjects, type ObjectMetrics, type VoxelSize } from "./metrics.js";
import { fixedThreshold, otsuThreshold } from "./otsu.js";
import { type Steps, synthesize, type Volume } from "./volume.js";

/** The steps, in order, with the share of the job's progress each one covers. */
export const STEPS = [
  { name: "Generating z-stack", from: 0, to: 10 },
  { name: "Gaussian blur", from: 10, to: 50 },
  { name: "Otsu threshold", from: 50, to: 65 },
  { name: "3D connected components", from: 65, to: 85 },
  { name: "Object metrics", from: 85, to: 100 },
] as const;

/** The threshold step's name under the `fixed` algorithm. */
export const FIXED_THRESHOLD_STEP = "Fixed threshold";

/** The step shown while a job that asked for review waits for its owner's decision. */
export const REVIEW_STEP = "Awaiting review";

/** The code of the failure `failAt` simulates: the worker was lost (retrying helps). */
export const WORKER_LOST = "WORKER_LOST";

/** Below this confidence the job asks for a review (`validation_required`). */
export const CONFIDENCE_THRESHOLD = 0.7;

/**
 * The contrast-to-noise ratio at which an object is told from noise with certainty (the Rose
 * criterion); confidence grows linearly up to it.
 */
export const ROSE_CRITERION = 5;

/** What one analysis does (`analysis.start` after validation, defaults applied). */
export interface AnalysisParameters {
  width: number;
  height: number;
  depth: number;
  blobs: number;
  noise: number;
  /** Gaussian blur in voxels; 0 skips the blur. */
  sigma: number;
  seed: number;
  /** Components smaller than this are noise specks, not objects. */
  minVoxels: number;
  voxelSize: VoxelSize;
  /** Pause after every slice, in ms (slows a small analysis down enough to watch it). */
  sliceDelayMs: number;
  /** The threshold step: Otsu's method, or `threshold` as given. */
  algorithm: "otsu" | "fixed";
  /** The `fixed` algorithm's threshold. */
  threshold: number;
  /** After a review request, wait for the owner's decision (the web app) before completing. */
  awaitReview: boolean;
  /** Simulate losing the worker halfway through this step (1–5): a retryable failure. */
  failAt: number | null;
}

/** What the owner decided about a result that needed review. */
export type ReviewDecision = "accepted" | "rejected";

/** The segmented stack, for pictures of its slices. */
export interface Segmentation {
  /** The original (unblurred) stack. */
  volume: Volume;
  /** Per voxel: 0 background, else the component's label. */
  labels: Int32Array;
  /** Per component label: its object's id (1…n), or 0 for a speck. */
  objectOf: Int32Array;
}

/** What the host of the analysis adds to it (the web app's hub). */
export interface AnalysisHooks {
  /** Called once the stack is segmented (before the review). */
  segmented?: (segmentation: Segmentation) => void;
  /**
   * With `awaitReview`, resolves with the owner's decision on a low-confidence result;
   * rejects with the signal's reason when the job is cancelled first.
   */
  review?: (signal: AbortSignal) => Promise<ReviewDecision>;
}

/** What the job completes with. */
export interface AnalysisResult {
  objects: ObjectMetrics[];
  /** Blobs planted in the synthetic stack (objects found should match). */
  blobsPlanted: number;
  specks: number;
  threshold: number;
  contrastToNoise: number;
  /** 0–1; see {@link confidenceOf}. */
  confidence: number;
  validationRequired: boolean;
  /** The owner's decision when the job waited for one (`awaitReview`), else null. */
  review: ReviewDecision | null;
  algorithm: AnalysisParameters["algorithm"];
  durationMs: number;
}

/** The part of a job handle the analysis reports to. */
export type AnalysisJob = Pick<JobHandle, "progress" | "chunk" | "requireValidation" | "signal">;

/**
 * How much to trust the segmentation, 0–1: the contrast-to-noise ratio of the objects in the
 * original image over the Rose criterion (capped at 1), times the share of the thresholded
 * voxels that ended up in objects rather than in specks. Noise that the threshold cut into
 * specks, or objects barely brighter than the noise around them, both lower it.
 */
export function confidenceOf(contrastToNoise: number, objectVoxels: number, foreground: number) {
  if (foreground === 0) return 0;
  const contrast = Math.min(1, contrastToNoise / ROSE_CRITERION);
  return Number((contrast * (objectVoxels / foreground)).toFixed(3));
}

/** What a person reviewing a low-confidence result may do. */
function suggestions(parameters: AnalysisParameters, specks: number): string[] {
  const actions = ["Review segmentation boundaries"];
  if (parameters.sigma < 2) actions.push(`Blur more (sigma ${Math.min(5, parameters.sigma + 1)})`);
  else actions.push("Acquire the stack with less noise");
  if (specks > 0) actions.push(`Raise minVoxels above ${parameters.minVoxels} to drop specks`);
  return actions;
}

/** The name of step `index` (0–4) under `parameters`' algorithm. */
export function stepName(index: number, parameters: Pick<AnalysisParameters, "algorithm">) {
  if (index === 2 && parameters.algorithm === "fixed") return FIXED_THRESHOLD_STEP;
  return STEPS[index]!.name;
}

/**
 * Runs one step's slices, reporting progress within the step's share and checking cancel.
 * With `failAt` naming this step, the worker is "lost" halfway through it.
 */
async function step<T>(
  job: AnalysisJob,
  index: number,
  work: Steps<T>,
  parameters: AnalysisParameters,
): Promise<T> {
  const { from, to } = STEPS[index]!;
  const name = stepName(index, parameters);
  const { sliceDelayMs } = parameters;
  await job.progress(from, { step: name });
  let reported: number = from;
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    job.signal.throwIfAborted();
    if (parameters.failAt === index + 1 && next.value >= 0.5) {
      throw new JobFailure(`The worker running the analysis was lost during ${name} (simulated)`, {
        code: WORKER_LOST,
        retryable: true,
      });
    }
    const percent = Math.round((from + (to - from) * next.value) * 10) / 10;
    // Reports every 0.5 %; the hub throttles what goes out to 10 per second anyway.
    if (percent - reported >= 0.5 || percent === to) {
      reported = percent;
      await job.progress(percent, { step: name });
    }
    if (sliceDelayMs > 0) await sleep(sliceDelayMs);
    else await yieldToEventLoop();
    job.signal.throwIfAborted();
  }
}

/** Runs the whole analysis for `job`; resolves with the result the job completes with. */
export async function analyse(
  job: AnalysisJob,
  parameters: AnalysisParameters,
  hooks: AnalysisHooks = {},
): Promise<AnalysisResult> {
  const started = performance.now();
  const { width, height, depth } = parameters;
  const total = STEPS.length;

  const stack = await step(job, 0, synthesize(parameters), parameters);
  const voxels = width * height * depth;
  await job.chunk(
    { step: STEPS[0].name, voxels, blobsPlanted: stack.blobs.length },
    { index: 0, total },
  );

  const blurred = await step(job, 1, gaussianBlur(stack.volume, parameters.sigma), parameters);
  const kernelRadius = parameters.sigma > 0 ? (gaussianKernel(parameters.sigma).length - 1) / 2 : 0;
  await job.chunk(
    { step: STEPS[1].name, sigma: parameters.sigma, kernelRadius },
    { index: 1, total },
  );

  const thresholding =
    parameters.algorithm === "fixed"
      ? fixedThreshold(blurred, parameters.threshold)
      : otsuThreshold(blurred);
  const threshold = await step(job, 2, thresholding, parameters);
  const value = Number(threshold.value.toFixed(4));
  await job.chunk(
    { step: stepName(2, parameters), threshold: value, foreground: threshold.foreground },
    { index: 2, total },
  );

  const labels = await step(
    job,
    3,
    connectedComponents(threshold.mask, width, height, depth),
    parameters,
  );
  await job.chunk({ step: STEPS[3].name, components: labels.count }, { index: 3, total });

  const measured = await step(
    job,
    4,
    measureObjects(labels, stack.volume, parameters.voxelSize, parameters.minVoxels),
    parameters,
  );
  hooks.segmented?.({
    volume: stack.volume,
    labels: labels.labels,
    objectOf: measured.objectOf,
  });
  const objectVoxels = measured.objects.reduce((sum, object) => sum + object.voxels, 0);
  const confidence = confidenceOf(measured.contrastToNoise, objectVoxels, threshold.foreground);
  await job.chunk(
    {
      step: STEPS[4].name,
      objects: measured.objects.length,
      specks: measured.specks,
      contrastToNoise: measured.contrastToNoise,
      confidence,
    },
    { index: 4, total },
  );

  const validationRequired = confidence < CONFIDENCE_THRESHOLD;
  if (validationRequired) {
    await job.requireValidation({
      reason: `Confidence ${confidence.toFixed(2)} is below ${CONFIDENCE_THRESHOLD}: contrast-to-noise ${measured.contrastToNoise}, ${measured.specks} noise specks`,
      confidence,
      suggestedActions: suggestions(parameters, measured.specks),
    });
  }
  const durationMs = Math.round(performance.now() - started);
  let review: ReviewDecision | null = null;
  if (validationRequired && parameters.awaitReview && hooks.review) {
    await job.progress(100, { step: REVIEW_STEP });
    review = await hooks.review(job.signal);
  }
  return {
    objects: measured.objects,
    blobsPlanted: stack.blobs.length,
    specks: measured.specks,
    threshold: value,
    contrastToNoise: measured.contrastToNoise,
    confidence,
    validationRequired,
    review,
    algorithm: parameters.algorithm,
    durationMs,
  } satisfies AnalysisResult;
}
