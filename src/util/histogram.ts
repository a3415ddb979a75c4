/**
 * Latency histogram for INFO latencystats: log-linear buckets (16 per power of two, about 4%
 * resolution) over microseconds, constant memory per command.
 */
const SUB = 16;
const MAX_EXP = 40;

export class Histogram {
  private readonly buckets = new Float64Array(MAX_EXP * SUB + 1);
  count = 0;

  record(usec: number): void {
    this.buckets[bucketOf(usec)]++;
    this.count++;
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
