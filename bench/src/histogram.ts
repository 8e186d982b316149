/** Buckets per power of two: about 1% resolution. */
const SUB_BUCKETS = 64;
/** Largest value kept apart from the overflow bucket: 2^31 µs (about 36 minutes). */
const MAX_EXPONENT = 31;
const SIZE = SUB_BUCKETS * MAX_EXPONENT + 1;

/** A histogram in the form one process sends to another: non-empty buckets only. */
export interface HistogramData {
  buckets: [index: number, count: number][];
  count: number;
  max: number;
  sum: number;
}

/** Latency percentiles in microseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * A log-linear latency histogram in microseconds: constant memory whatever the number of
 * samples, mergeable across load-generator processes.
 */
export class Histogram {
  private counts = new Float64Array(SIZE);
  private total = 0;
  private largest = 0;
  private sum = 0;

  record(micros: number): void {
    const value = Math.max(micros, 1);
    const index = Math.min(SIZE - 1, Math.floor(Math.log2(value) * SUB_BUCKETS));
    this.counts[index]! += 1;
    this.total++;
    this.sum += value;
    if (value > this.largest) this.largest = value;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.largest = 0;
    this.sum = 0;
  }

  get count(): number {
    return this.total;
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.total, max: this.largest, sum: this.sum };
  }

  add(data: HistogramData): void {
    for (const [index, count] of data.buckets) this.counts[index]! += count;
    this.total += data.count;
    this.sum += data.sum;
    if (data.max > this.largest) this.largest = data.max;
  }

  /** The value below which `fraction` of the samples lie (upper edge of its bucket). */
  percentile(fraction: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil(this.total * fraction);
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(2 ** ((i + 1) / SUB_BUCKETS), this.largest);
    }
    return this.largest;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      max: this.largest,
      mean: this.total === 0 ? Number.NaN : this.sum / this.total,
    };
  }
}
