/**
 * The full-sync model shared by the doctor (src/lab/doctor.ts, which feeds it from INFO over the
 * network) and the master's live sync forecast (forecast.ts, which feeds it from what the master
 * measures). Pure: no server or network code here.
 *
 *   T (full sync) = BGSAVE time + RDB size / link throughput + load time          (disk target)
 *                 = max(BGSAVE time, RDB size / link throughput) + load time      (diskless)
 *   stream buffered for the replica = write rate × T        (from the fork to the end of the load)
 *   omem ≈ that × 20504 / 20440 + one block                  (7.0 counts 20504 per 16 KB block)
 *   hard limit fires  ⇔ hard ≠ 0 and omem ≥ max(hard, repl-backlog-size)   (7.0 raises it)
 *   soft limit fires  ⇔ soft ≠ 0 and omem stays ≥ soft for more than soft-seconds
 *                       (time above soft while it grows + while the online replica drains it
 *                        at link − write rate)
 */

/** 1536 → "1.5 KB" (same output as the lab's formatBytes). */
export function formatBytes(n: number): string {
  const a = Math.abs(n);
  if (a < 1024) return `${Math.round(n)} B`;
  if (a < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (a < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export const MB = 1024 * 1024;
export const KB = 1024;
/** What a 16 KB replication buffer block adds to a replica's omem in 7.0 (jemalloc 20480 + 24). */
export const BLOCK_OMEM = 20504;
/** Stream bytes such a block holds. */
export const BLOCK_DATA = 20440;
/** Assumed speeds when nothing was measured (redis-server 7.0 on this project's machine). */
export const ASSUMED_SAVE_RATE = 60 * MB;
export const ASSUMED_LOAD_RATE = 100 * MB;
export const DEFAULT_MARGIN = 2;

export interface BufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}


/** Byte size in redis.conf units, exact: 4194304 → "4mb", 262144 → "256kb", 1000 → "1000". */
export function confSize(n: number): string {
  if (n === 0) return '0';
  if (n % MB === 0) return `${n / MB}mb`;
  if (n % KB === 0) return `${n / KB}kb`;
  return String(n);
}

export function roundUpMB(n: number): number {
  return Math.max(MB, Math.ceil(n / MB) * MB);
}

const fmtB = (n: number) => formatBytes(n);
const fmtMB = (n: number) => (n >= MB ? `${(n / MB).toFixed(2)} MB` : formatBytes(n));
const fmtRate = (n: number) => `${formatBytes(n)}/s`;
const fmtS = (s: number) => (s === Infinity ? '∞ s' : s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(s >= 10 ? 1 : 2)} s`);

// ---------------------------------------------------------------------------------------------
// The model

export interface ModelInput {
  /** Write-stream bytes per second (what master_repl_offset advances by). */
  writeRate: number;
  /** RDB size in bytes. */
  rdbBytes: number;
  /** Snapshot (BGSAVE) time, seconds. */
  saveSeconds: number;
  /** Load time on the replica, seconds. */
  loadSeconds: number;
  /** Link throughput master → replica, bytes/s. */
  linkRate: number;
  diskless: boolean;
  limit: BufferLimit;
  backlogSize: number;
  /** 7.0+: the replica hard limit is raised to repl-backlog-size. */
  hardFloorFromBacklog: boolean;
  /**
   * Bytes the sockets between master and replica hold (send + receive buffers, bytes in
   * flight): the master finishes writing the RDB that much earlier, so the stream starts
   * draining sooner. 0 (the safe side) unless measured.
   */
  socketBuffer?: number;
}

export interface Prediction {
  ok: boolean;
  /** Why it fails: 'hard limit', 'soft limit', 'link slower than the write stream'. */
  failure?: string;
  syncSeconds: number;
  transferSeconds: number;
  /** Stream bytes accumulated for the replica from the fork to the end of its load. */
  accumulated: number;
  /** Predicted peak omem (7.0 block accounting). */
  peakOmem: number;
  hardEffective: number;
  hardFires: boolean;
  /** Seconds after the fork when the hard limit fires (if it does). */
  hardAt?: number;
  softFires: boolean;
  /** Seconds the buffer stays at or above the soft limit (growth + drain). */
  timeAboveSoft: number;
  softAt?: number;
  drainSeconds: number;
  arithmetic: string[];
}

export function omemFor(streamBytes: number): number {
  if (streamBytes <= 0) return 0;
  return (Math.ceil(streamBytes / BLOCK_DATA) + 1) * BLOCK_OMEM;
}

export function effectiveHard(limit: BufferLimit, backlogSize: number, floor: boolean): number {
  if (limit.hard === 0) return 0;
  return floor ? Math.max(limit.hard, backlogSize) : limit.hard;
}

/** The full-sync prediction for one replica (pure). */
export function predictSync(m: ModelInput): Prediction {
  const r = Math.max(0, m.writeRate);
  const L = m.linkRate;
  const K = Math.min(m.socketBuffer ?? 0, m.rdbBytes);
  const transfer = (m.rdbBytes - K) / L;
  const T = (m.diskless ? Math.max(m.saveSeconds, transfer) : m.saveSeconds + transfer) + m.loadSeconds;
  const tr = K > 0 ? `(${fmtB(m.rdbBytes)} − ${fmtB(K)} in socket buffers) / ${fmtRate(L)}` : `${fmtB(m.rdbBytes)} / ${fmtRate(L)}`;
  const accumulated = r * T;
  const factor = BLOCK_OMEM / BLOCK_DATA;
  const peak = omemFor(accumulated);
  const H = effectiveHard(m.limit, m.backlogSize, m.hardFloorFromBacklog);
  const a: string[] = [];
  if (m.diskless) {
    a.push(`T = max(snapshot ${fmtS(m.saveSeconds)}, transfer ${tr} = ${fmtS(transfer)}) + load ${fmtS(m.loadSeconds)} = ${fmtS(T)}`);
  } else {
    a.push(`T = snapshot ${fmtS(m.saveSeconds)} + transfer ${tr} = ${fmtS(transfer)} + load ${fmtS(m.loadSeconds)} = ${fmtS(T)}`);
  }
  a.push(`buffered stream = ${fmtRate(r)} × ${fmtS(T)} = ${fmtB(accumulated)}; omem ≈ that × 20504/20440 + 1 block = ${fmtB(peak)}`);
  const drainRate = L - r;
  const drain = peak <= 0 ? 0 : drainRate > 0 ? accumulated / drainRate : Infinity;
  // hard
  let hardFires = false;
  let hardAt: number | undefined;
  if (H === 0) {
    a.push('hard limit: 0 (disabled)');
  } else {
    const hardText = m.hardFloorFromBacklog && m.backlogSize > m.limit.hard ? `max(hard ${fmtB(m.limit.hard)}, repl-backlog-size ${fmtB(m.backlogSize)}) = ${fmtB(H)}` : `${fmtB(H)}`;
    hardFires = peak >= H || (drainRate <= 0 && r > 0);
    if (r > 0) hardAt = H / (r * factor);
    if (peak >= H) a.push(`hard: ${fmtB(peak)} ≥ ${hardText} → dropped ${fmtS(hardAt!)} after the fork (${fmtB(H)} / ${fmtRate(r)}), before the sync ends at ${fmtS(T)}`);
    else a.push(`hard: ${fmtB(peak)} < ${hardText} → OK (headroom ×${(H / Math.max(1, peak)).toFixed(1)})`);
  }
  // soft
  let softFires = false;
  let softAt: number | undefined;
  let timeAbove = 0;
  const { soft, softSeconds } = m.limit;
  if (soft === 0) {
    a.push('soft limit: 0 (disabled)');
  } else if (peak < soft) {
    a.push(`soft: peak ${fmtB(peak)} < ${fmtB(soft)} → never reached`);
  } else {
    const tCross = soft / (r * factor);
    const drainAbove = drainRate > 0 ? (peak - soft) / (drainRate * factor) : Infinity;
    timeAbove = T - tCross + drainAbove;
    softFires = timeAbove > softSeconds;
    if (softFires) softAt = tCross + softSeconds;
    a.push(
      `soft: ≥ ${fmtB(soft)} from ${fmtS(tCross)} after the fork, for ${fmtS(T - tCross)} until the sync ends + ${fmtS(drainAbove)} draining at ${fmtRate(Math.max(0, drainRate))} = ${fmtS(timeAbove)} ` +
        (softFires ? `> ${softSeconds} s → dropped about ${fmtS(softAt!)} after the fork` : `≤ ${softSeconds} s → OK`),
    );
  }
  if (r > 0 && drainRate <= 0) a.push(`the link (${fmtRate(L)}) is not faster than the write stream (${fmtRate(r)}): the replica can never catch up`);
  let failure: string | undefined;
  const hardWhen = hardFires ? hardAt ?? 0 : Infinity;
  const softWhen = softFires ? softAt ?? 0 : Infinity;
  if (hardFires || softFires) failure = hardWhen <= softWhen ? 'hard limit' : 'soft limit';
  else if (r > 0 && drainRate <= 0) failure = 'link slower than the write stream';
  return {
    ok: failure === undefined,
    failure,
    syncSeconds: T,
    transferSeconds: transfer,
    accumulated,
    peakOmem: peak,
    hardEffective: H,
    hardFires,
    hardAt,
    softFires,
    timeAboveSoft: timeAbove,
    softAt,
    drainSeconds: drain,
    arithmetic: a,
  };
}

/** Lowest link throughput at which the sync succeeds (bytes/s), or Infinity. */
export function minLinkRate(m: Omit<ModelInput, 'linkRate'>): number {
  const okAt = (L: number) => predictSync({ ...m, linkRate: L }).ok;
  let hi = 1e12;
  if (!okAt(hi)) return Infinity;
  let lo = 1;
  if (okAt(lo)) return lo;
  for (let i = 0; i < 80 && hi / lo > 1.001; i++) {
    const mid = Math.sqrt(lo * hi);
    if (okAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Highest write rate a sync survives at link `linkRate` (bytes/s). */
export function maxWriteRate(m: Omit<ModelInput, 'writeRate'>): number {
  const okAt = (r: number) => predictSync({ ...m, writeRate: r }).ok;
  let lo = 0;
  let hi = m.linkRate;
  if (okAt(hi)) return hi;
  for (let i = 0; i < 80 && hi - lo > Math.max(1, hi * 0.001); i++) {
    const mid = (lo + hi) / 2;
    if (okAt(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface Recommendation {
  limit: BufferLimit;
  backlogSize: number;
  /** `replica 4mb 1mb 120` */
  value: string;
  commands: string[];
  arithmetic: string[];
  /** False when the current values already suffice. */
  changed: boolean;
}

/**
 * Values that let the worst predicted sync succeed with `margin` (×2 by default), rounded up
 * to MB; soft-seconds raised if the buffer stays above the soft limit too long.
 */
export function recommend(p: { prediction?: Prediction; writeRate: number; limit: BufferLimit; backlogSize: number; outageSeconds: number; margin?: number; hardFloorFromBacklog: boolean }): Recommendation {
  const margin = p.margin ?? DEFAULT_MARGIN;
  const a: string[] = [];
  const lim = { ...p.limit };
  const pr = p.prediction;
  if (pr) {
    const need = pr.peakOmem * margin;
    if (p.limit.hard !== 0 && (pr.hardFires || effectiveHard(p.limit, p.backlogSize, p.hardFloorFromBacklog) < need || pr.failure === 'link slower than the write stream')) {
      if (pr.failure === 'link slower than the write stream') {
        a.push(`hard: no limit is enough while the link is slower than the write stream; ${fmtB(need)} covers one sync attempt`);
      }
      lim.hard = roundUpMB(need);
      const why = pr.hardFires ? '' : ' (the current value works, with less than this margin)';
      a.push(`hard ≥ peak omem ${fmtMB(pr.peakOmem)} × ${margin} (margin) = ${fmtMB(need)} → ${confSize(lim.hard)}${why}`);
    } else if (p.limit.hard === 0) {
      a.push('hard: 0 (no hard limit): keep');
    } else {
      a.push(`hard ${fmtB(p.limit.hard)} ≥ peak omem ${fmtB(pr.peakOmem)} × ${margin} = ${fmtB(need)}: keep`);
    }
    if (lim.soft !== 0 && pr.peakOmem >= lim.soft) {
      const needSecs = Math.ceil(pr.timeAboveSoft * margin);
      if (!Number.isFinite(needSecs)) {
        lim.soft = 0;
        a.push('soft: the buffer never drains below it (link slower than writes) → 0 (disabled)');
      } else if (needSecs > lim.softSeconds) {
        a.push(`soft-seconds ≥ time above soft ${fmtS(pr.timeAboveSoft)} × ${margin} = ${needSecs} s (was ${lim.softSeconds} s)`);
        lim.softSeconds = needSecs;
      } else {
        a.push(`soft ${fmtB(lim.soft)} for ${lim.softSeconds} s: above it ${fmtS(pr.timeAboveSoft)} × ${margin} ≤ ${lim.softSeconds} s: keep`);
      }
    } else if (lim.soft !== 0) {
      a.push(`soft ${fmtB(lim.soft)}: peak ${fmtB(pr.peakOmem)} stays below it: keep`);
    }
    if (lim.hard !== 0 && lim.soft > lim.hard) {
      lim.soft = lim.hard;
      a.push(`soft capped to the hard limit: ${confSize(lim.soft)}`);
    }
  } else {
    a.push('client-output-buffer-limit: no prediction (no link throughput measured or given), no recommendation');
  }
  let backlog = p.backlogSize;
  const needBacklog = p.writeRate * p.outageSeconds * margin;
  if (needBacklog > backlog) {
    backlog = roundUpMB(needBacklog);
    a.push(`repl-backlog-size ≥ ${fmtRate(p.writeRate)} × ${p.outageSeconds} s outage × ${margin} = ${fmtMB(needBacklog)} → ${confSize(backlog)} (partial resync after a disconnection this long)`);
  } else {
    a.push(`repl-backlog-size ${fmtB(p.backlogSize)} ≥ ${fmtRate(p.writeRate)} × ${p.outageSeconds} s outage × ${margin} = ${fmtB(needBacklog)}: keep`);
  }
  const value = `replica ${confSize(lim.hard)} ${confSize(lim.soft)} ${lim.softSeconds}`;
  const limitChanged = lim.hard !== p.limit.hard || lim.soft !== p.limit.soft || lim.softSeconds !== p.limit.softSeconds;
  const commands: string[] = [];
  if (limitChanged) commands.push(`CONFIG SET client-output-buffer-limit '${value}'`);
  if (backlog !== p.backlogSize) commands.push(`CONFIG SET repl-backlog-size ${confSize(backlog)}`);
  return { limit: lim, backlogSize: backlog, value, commands, arithmetic: a, changed: commands.length > 0 };
}

// ---------------------------------------------------------------------------------------------
// The live forecast: the same model, from where a sync in progress stands now

export interface LiveInput {
  /** omem of the replica's output buffer now (7.0 block accounting). */
  omem: number;
  /** Write-stream bytes per second going into that buffer (sliding window). */
  writeRate: number;
  /** RDB bytes still to send (known or estimated). */
  bytesLeft: number;
  /** Whole RDB size (known or estimated), for the load time. */
  rdbBytes: number;
  /** Measured link throughput master → replica, bytes/s; 0 when not measured yet. */
  linkRate: number;
  /** Seconds the snapshot still needs (0 once it is done). */
  saveSecondsLeft: number;
  /** Diskless: the snapshot is the transfer (they overlap). */
  diskless: boolean;
  loadRate?: number;
  limit: BufferLimit;
  backlogSize: number;
  hardFloorFromBacklog: boolean;
  /** Seconds the buffer has already been at or above the soft limit. */
  aboveSoftFor: number;
}

export interface LiveForecast {
  verdict: 'ok' | 'fail' | 'unknown';
  failure?: string;
  /** Seconds from now until the replica has loaded the RDB (the buffer's peak). */
  etaSeconds: number;
  transferSeconds: number;
  loadSeconds: number;
  /** Seconds from now until a limit drops the replica (Infinity: never). */
  limitInSeconds: number;
  /** omem growth, bytes/s. */
  growthRate: number;
  peakOmem: number;
  timeAboveSoft: number;
  hardEffective: number;
}

/**
 * From the buffer now, the write rate, the bytes left and the link speed: does a limit fire
 * before the replica has loaded the snapshot and drained its buffer? `unknown` while the link
 * speed is not measured and the buffer alone does not already decide it.
 */
export function forecastLive(m: LiveInput): LiveForecast {
  const factor = BLOCK_OMEM / BLOCK_DATA;
  const r = Math.max(0, m.writeRate);
  const g = r * factor;
  const L = m.linkRate;
  const load = m.rdbBytes / (m.loadRate ?? ASSUMED_LOAD_RATE);
  const H = effectiveHard(m.limit, m.backlogSize, m.hardFloorFromBacklog);
  const known = L > 0;
  // Link not measured yet: the transfer counted as instant, so a "fail" is certain anyway.
  const transfer = known ? m.bytesLeft / L : 0;
  const eta = (m.diskless ? Math.max(m.saveSecondsLeft, transfer) : m.saveSecondsLeft + transfer) + load;
  // The buffer grows until the replica has loaded the snapshot, then drains at link − writes.
  const peak = m.omem + g * eta;
  const drainRate = (L - r) * factor;
  let hardIn = Infinity;
  if (H !== 0) {
    if (m.omem >= H) hardIn = 0;
    else if (g > 0 && (peak >= H || (known && drainRate <= 0))) hardIn = (H - m.omem) / g;
  }
  let softIn = Infinity;
  let timeAbove = 0;
  const { soft, softSeconds } = m.limit;
  if (soft !== 0 && peak >= soft) {
    const cross = m.omem >= soft ? 0 : (soft - m.omem) / g;
    const drainAbove = !known ? 0 : drainRate > 0 ? (peak - soft) / drainRate : Infinity;
    timeAbove = m.aboveSoftFor + (eta - cross) + drainAbove;
    if (timeAbove > softSeconds) softIn = Math.max(0, cross + softSeconds - m.aboveSoftFor);
  }
  const limitIn = Math.min(hardIn, softIn);
  let verdict: LiveForecast['verdict'] = 'ok';
  let failure: string | undefined;
  if (limitIn < Infinity) {
    verdict = 'fail';
    failure = hardIn <= softIn ? 'hard limit' : 'soft limit';
  } else if (known && r > 0 && drainRate <= 0 && (H !== 0 || soft !== 0)) {
    verdict = 'fail';
    failure = 'link slower than the write stream';
  } else if (!known) {
    verdict = 'unknown';
  }
  return {
    verdict,
    failure,
    etaSeconds: eta,
    transferSeconds: transfer,
    loadSeconds: load,
    limitInSeconds: limitIn,
    growthRate: g,
    peakOmem: peak,
    timeAboveSoft: timeAbove,
    hardEffective: H,
  };
}

/**
 * The `client-output-buffer-limit replica` value that lets this sync finish, with `margin`:
 * hard above the predicted peak, soft-seconds above the time over the soft limit.
 */
export function liveRecommendation(m: LiveInput, f: LiveForecast, margin = DEFAULT_MARGIN): Recommendation {
  const peak = Number.isFinite(f.peakOmem) ? f.peakOmem : m.omem;
  const prediction: Prediction = {
    ok: f.verdict !== 'fail',
    failure: f.failure,
    syncSeconds: f.etaSeconds,
    transferSeconds: f.transferSeconds,
    accumulated: peak / (BLOCK_OMEM / BLOCK_DATA),
    peakOmem: peak,
    hardEffective: f.hardEffective,
    hardFires: f.failure === 'hard limit',
    softFires: f.failure === 'soft limit',
    timeAboveSoft: f.timeAboveSoft,
    drainSeconds: 0,
    arithmetic: [],
  };
  return recommend({ prediction, writeRate: m.writeRate, limit: m.limit, backlogSize: m.backlogSize, outageSeconds: 0, margin, hardFloorFromBacklog: m.hardFloorFromBacklog });
}
