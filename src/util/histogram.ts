/**
 * Latency histogram for INFO latencystats: log-linear buckets (16 per power of two, about 4%
 * resolution) over microseconds, constant memory per command.
 *
 * LATENCY HISTOGRAM reports Redis's own cumulative buckets, which come from its HDR histogram
 * (nanoseconds, 2 significant digits) walked in powers of two from 1024 ns: the reporting level
 * k covers every value up to 2^(10+k) + 2^(3+k) - 1 ns. Those 20 counters are kept exactly
 * (levels past 2^29 ns are never reached by Redis's walk, so they are not reported).
 */
const SUB = 16;
const MAX_EXP = 40;
const POW2_LEVELS = 20;
/** Highest nanosecond value counted at each reporting level. */
const POW2_TOP = Array.from({ length: POW2_LEVELS }, (_, k) => 2 ** (10 + k) + 2 ** (3 + k) - 1);

export class Histogram {
  private readonly buckets = new Float64Array(MAX_EXP * SUB + 1);
  count = 0;

  /** Counts per Redis reporting level (see above); values past the last level are only in `count`. */
  private readonly pow2 = new Float64Array(POW2_LEVELS);

  record(usec: number): void {
    this.buckets[bucketOf(usec)]++;
    this.count++;
    // Redis measures whole microseconds and records them as nanoseconds clamped to [1, 1e9].
    const ns = Math.min(1e9, Math.max(1, Math.floor(usec) * 1000));
    for (let k = 0; k < POW2_LEVELS; k++) {
      if (ns <= POW2_TOP[k]) {
        this.pow2[k]++;
        break;
      }
    }
  }

  /**
   * LATENCY HISTOGRAM's buckets: [microseconds, cumulative count] for each level whose
   * cumulative count grew, as Redis lists them.
   */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let cum = 0;
    for (let k = 0; k < POW2_LEVELS; k++) {
      if (this.pow2[k] === 0) continue;
      cum += this.pow2[k];
      out.push([Math.floor(POW2_TOP[k] / 1000), cum]);
    }
    return out;
  }

  /** Upper bound of the bucket holding the p-th percentile (p in 0..100). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= target) return bucketUpper(i);
    }
    return bucketUpper(this.buckets.length - 1);
  }

  reset(): void {
    this.buckets.fill(0);
    this.pow2.fill(0);
    this.count = 0;
  }
}

function bucketOf(v: number): number {
  if (v < 1) return 0;
  const e = Math.min(MAX_EXP - 1, Math.floor(Math.log2(v)));
  const sub = Math.min(SUB - 1, Math.floor((v / 2 ** e - 1) * SUB));
  return 1 + e * SUB + sub;
}

function bucketUpper(i: number): number {
  if (i === 0) return 1;
  const e = Math.floor((i - 1) / SUB);
  const sub = (i - 1) % SUB;
  return 2 ** e * (1 + (sub + 1) / SUB);
}
