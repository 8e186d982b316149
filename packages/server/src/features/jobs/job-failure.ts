/**
 * Throw it from a `hub.jobs.run` function to fail the job with this message, code and
 * `retryable` flag. Any other error thrown (but a `SwitchyardError`) fails the job with a
 * generic message, so internals never reach the browser; the server logs it.
 *
 * @example
 * await hub.jobs.run(async (job) => {
 *   if (!gpu.available()) {
 *     throw new JobFailure("GPU memory insufficient", { code: "CUDA_OUT_OF_MEMORY", retryable: true });
 *   }
 * }, { owner: client });
 */
export class JobFailure extends Error {
  override readonly name = "JobFailure";
  readonly code: string | null;
  readonly retryable: boolean;

  constructor(message: string, options: { code?: string; retryable?: boolean } = {}) {
    super(message);
    this.code = options.code ?? null;
    this.retryable = options.retryable === true;
  }
}
