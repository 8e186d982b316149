/** Options of {@link EtaEstimator}. */
export interface EtaOptions {
  /**
   * Time constant of the smoothing in milliseconds: a rate measured this long ago weighs
   * 1/e as much as the newest one.
   * @default 10_000
   */
  tau?: number;
}

/** Default of {@link EtaOptions.tau}. */
const DEFAULT_ETA_TAU = 10_000;

/**
 * Estimates the seconds left of a job from the smoothed rate of its progress, for producers
 * that give no ETA of their own.
 *
 * Each time the percent rises from `p0` at `t0` to `p1` at `t1` (`dt = t1 - t0 > 0`):
 *
 * ```
 * rate_now = (p1 - p0) / dt                       percent per millisecond
 * alpha    = 1 - exp(-dt / tau)                   tau = 10 s by default
 * rate     = rate_now                 (first sample)
 * rate     = rate + alpha * (rate_now - rate)     (every later one)
 * eta      = (100 - p1) / rate / 1000             seconds, rounded to 0.1
 * ```
 *
 * Weighting by elapsed time (not by sample) keeps the estimate the same whether a producer
 * reports every millisecond or every minute. Before the first rise (one sample only) the
 * estimate is null; at 100 % it is 0.
 */
export class EtaEstimator {
  private readonly tau: number;
  private last: { percent: number; at: number } | undefined;
  private rate: number | undefined;

  constructor(options: EtaOptions = {}) {
    this.tau = options.tau ?? DEFAULT_ETA_TAU;
  }

  /** Records that the job stood at `percent` at time `at` (ms); returns the seconds left. */
  update(percent: number, at: number): number | null {
    const last = this.last;
    if (last === undefined) {
      this.last = { percent, at };
    } else if (at > last.at && percent > last.percent) {
      const dt = at - last.at;
      const now = (percent - last.percent) / dt;
      const alpha = 1 - Math.exp(-dt / this.tau);
      this.rate = this.rate === undefined ? now : this.rate + alpha * (now - this.rate);
      this.last = { percent, at };
    }
    // A rise within the same millisecond is not recorded: the next sample measures the whole
    // rise from the older point.
    return this.estimate(percent);
  }

  /** The seconds left at `percent` with the current rate, or null when unknown. */
  estimate(percent: number): number | null {
    if (percent >= 100) return 0;
    if (this.rate === undefined || this.rate <= 0) return null;
    return Math.round((100 - percent) / this.rate / 100) / 10;
  }
}
