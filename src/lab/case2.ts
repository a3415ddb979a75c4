/**
 * `reddish lab case2`: the course's "troubleshooting case 2" (a full resync that never finishes)
 * run end to end on one machine, against reddish or redis-server.
 *
 *   1. a master and a replica (fresh processes on free ports), the master with a disk-target
 *      replication snapshot (`repl-diskless-sync no`, like the course's Redis 5.0) unless
 *      `diskless` is set;
 *   2. the dataset: 2,000,000 hashes `session:<uuid>` (× scale) written with the course's
 *      generator; the replica syncs it directly (the starting point of the case: a master and a
 *      replica that both hold the data);
 *   3. the slow link (`tc netem delay 1000ms` in user space: 1000 ms master → replica, a window
 *      of bytes in flight, so ~3 MB/s at full scale) and the small limit
 *      `client-output-buffer-limit slave 128mb 32mb 30` (× scale);
 *   4. on the replica: REPLICAOF NO ONE, FLUSHALL, REPLICAOF <the link>;
 *   5. as soon as the master's snapshot for that sync is running: 1,000,000 more hashes (× scale),
 *      throttled so the replica's output buffer outgrows the soft limit while the snapshot is
 *      still crossing the link;
 *   6. the loop: buffer-limit disconnections and new full syncs, counted from INFO and the logs;
 *   7. the course's fix, `client-output-buffer-limit slave 512mb 128mb 120` (× scale), and the
 *      proof that the sync then completes: the replica online, offsets equal, same DEBUG DIGEST.
 *
 * Scaling: sizes (keys, limits) are multiplied by `scale`; durations (the limits' soft seconds)
 * by `timeScale`, and the link's throughput by scale / timeScale, so every phase of a scaled run
 * takes timeScale × the full-scale time and the ratios that make the loop happen are unchanged.
 */
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { Redis } from 'ioredis';
import { spawnServer, type SpawnedServer } from './processes.js';
import { generate, type GenerateResult } from './datagen.js';
import { SlowLink, type SlowLinkStats } from './slowlink.js';
import { formatBytes, formatInt } from './units.js';
import { LogReader, classifyLine, parseInfo, infoNum, parseReplicaLine, parseClientList, type ReplEvent, type LogLine } from './watch.js';

const MB = 1024 * 1024;

/** The course's figures (full scale). */
export const COURSE = Object.freeze({
  loadQty: 2_000_000,
  writeQty: 1_000_000,
  linkDelayMs: 1000,
  /** 3 MB in flight over a 1000 ms round trip: ~3 MB/s, a 245 MB snapshot in ~80 s. */
  linkWindowBytes: 3 * MB,
  limit: { hard: 134217728, soft: 33554432, softSeconds: 30 },
  fix: { hard: 536870912, soft: 134217728, softSeconds: 120 },
});

export type ServerKind = 'reddish' | 'redis';

export interface Limits {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type Phase = 'setup' | 'load' | 'initial-sync' | 'loop' | 'fix' | 'verify' | 'done';

export interface Case2Options {
  server: ServerKind;
  /** Sizes: 1 is the course (2,000,000 + 1,000,000 hashes, 128 MB limit). */
  scale?: number;
  /** Durations: default min(1, max(0.2, 2 × scale)). */
  timeScale?: number;
  /** Report folder (created); nothing is written without it. */
  outDir?: string;
  diskless?: boolean;
  /**
   * reddish only: both nodes speak Redis 8's rdb channel (repl-rdb-channel yes, spilling on, the
   * small limit on both), and the run ends with PREVENTED or NOT PREVENTED instead of loop + fix.
   */
  prevent?: boolean;
  /** Leave both servers running at the end (their ports are in the result). */
  keep?: boolean;
  /** The whole run, ms (default: 10 min + scale × 20 min). */
  timeoutMs?: number;
  /** Keys per second of the 1,000,000-hash writes (default: computed, see chooseRate()). */
  rate?: number;
  /** Buffer-limit disconnections to see before the fix is applied (default 1); the fix then comes as soon as the next sync's buffer is above the small soft limit again. */
  loops?: number;
  seed?: string;
  /** Sampling interval of INFO / CLIENT LIST, ms (default 250). */
  intervalMs?: number;
  /** Overrides (tests, experiments). */
  loadQty?: number;
  writeQty?: number;
  linkDelayMs?: number;
  linkWindowBytes?: number;
  limit?: Limits;
  fix?: Limits;
  /** Called for everything the live view shows. */
  onEvent?: (e: CaseEvent) => void;
  onSample?: (s: Sample, state: LiveState) => void;
  onPhase?: (p: Phase, text: string) => void;
  signal?: AbortSignal;
}

export interface CaseEvent {
  /** Seconds since the replica was pointed at the slow link (negative: setup). */
  t: number;
  at: number;
  source: 'master' | 'replica' | 'lab';
  kind: string;
  text: string;
  /** What it means for the case. */
  why?: string;
  /** The server's log line, when it comes from one. */
  log?: string;
  omem?: number;
  /** Happened while the lab prepared the case (the initial sync), before REPLICAOF through the link. */
  setup?: boolean;
}

export interface Sample {
  t: number;
  at: number;
  phase: Phase;
  // master
  mOffset?: number;
  mSyncFull?: number;
  mSyncPartialErr?: number;
  mSyncPartialOk?: number;
  mBgsave?: number;
  mBgsaveSec?: number;
  mSaveKeysProcessed?: number;
  mSaveKeysTotal?: number;
  mReplicaState?: string;
  mReplicaAckOffset?: number;
  mConnectedReplicas?: number;
  mKeys?: number;
  mUsedMemory?: number;
  mReplBuffers?: number;
  mNetReplOut?: number;
  omem?: number;
  oll?: number;
  // replica
  rLink?: string;
  rSyncInProgress?: number;
  rSyncTotal?: number;
  rSyncRead?: number;
  rSyncPerc?: number;
  rOffset?: number;
  rReadOffset?: number;
  rLoading?: number;
  /** Replica INFO replica_full_sync_buffer_* (rdb channel; absent on Redis 7.0). */
  rFsbSize?: number;
  rFsbPeak?: number;
  rFsbSpilled?: number;
  rFsbSpilledTotal?: number;
  // link (master → replica)
  linkDownBytes?: number;
  linkInFlight?: number;
  linkConns?: number;
  // writes
  written?: number;
  // limits in force
  hard: number;
  soft: number;
  softSeconds: number;
}

/** What the live view shows, recomputed on every sample. */
export interface LiveState {
  phase: Phase;
  t: number;
  fullSyncs: number;
  drops: number;
  limit: Limits;
  omem: number;
  omemPeak: number;
  /** Seconds the buffer has been at or above the soft limit (0 if below). */
  overSoftFor: number;
  snapshotRunning: boolean;
  snapshotSec?: number;
  snapshotKeys?: [number, number];
  transfer?: { read: number; total: number; rate: number };
  linkRate: number;
  written: number;
  writeQty: number;
  writeRate: number;
  lastEvent?: CaseEvent;
}

export interface Case2Params {
  server: ServerKind;
  serverVersion?: string;
  scale: number;
  timeScale: number;
  loadQty: number;
  writeQty: number;
  linkDelayMs: number;
  linkWindowBytes: number;
  linkBytesPerSec: number;
  limit: Limits;
  fix: Limits;
  diskless: boolean;
  /** --prevent: the rdb channel on both nodes, no fix phase. */
  prevent?: boolean;
  rate: number;
  rateWhy: string;
  loops: number;
  intervalMs: number;
  seed: string;
}

export interface Case2Figures {
  loadMs?: number;
  loadKeysPerSec?: number;
  loadBytes?: number;
  initialSyncMs?: number;
  /** Bytes of the first snapshot (RDB) shipped to the replica. */
  snapshotBytes?: number;
  /** Seconds the master took to write it (disk target). */
  snapshotSec?: number;
  bytesPerKey?: number;
  firstBufferLimitAfterSec?: number;
  peakOmemBeforeFix?: number;
  peakOmemAfterFix?: number;
  fixSyncSec?: number;
  fixSyncSinceFixSec?: number;
  /** The successful sync's peak replica buffer, and how long it stayed above the small soft limit. */
  fixSyncPeakOmem?: number;
  fixSyncOverOldSoftSec?: number;
  writesMs?: number;
  writesKeysPerSec?: number;
  writtenBeforeFix?: number;
  caseSec?: number;
  totalSec?: number;
}

export interface Case2Result {
  ok: boolean;
  loop: { reproduced: boolean; fullSyncs: number; drops: number; verdict: string; why?: string };
  fix: { applied: boolean; works: boolean; verdict: string; why?: string; syncSec?: number };
  /** --prevent only: did the rdb channel let the sync finish under the small limit? */
  prevent?: {
    works: boolean;
    verdict: string;
    why?: string;
    syncSec?: number;
    fullSyncs: number;
    drops: number;
    /** Master side: peak CLIENT LIST omem of the replica. */
    peakOmem: number;
    /** Replica side: INFO replica_full_sync_buffer_peak / _spilled_total at the end. */
    replicaBufferPeak?: number;
    spilledTotal?: number;
  };
  params: Case2Params;
  figures: Case2Figures;
  events: CaseEvent[];
  samples: Sample[];
  masterLog: string;
  replicaLog: string;
  linkStats?: SlowLinkStats;
  checks: { name: string; ok: boolean; detail: string }[];
  ports: { master?: number; replica?: number; link?: number };
  pids: { master?: number; replica?: number };
  outDir?: string;
  error?: string;
}

/** A run that could not be carried out (setup failure, server without replication). */
export class Case2Error extends Error {
  override name = 'Case2Error';
}

export function scaledLimits(l: Limits, scale: number, timeScale: number): Limits {
  return {
    hard: Math.round(l.hard * scale),
    soft: Math.round(l.soft * scale),
    softSeconds: Math.max(1, Math.round(l.softSeconds * timeScale)),
  };
}

export function limitText(l: Limits): string {
  return `slave ${l.hard} ${l.soft} ${l.softSeconds}`;
}

export function defaultTimeScale(scale: number): number {
  return Math.min(1, Math.max(0.2, 2 * scale));
}

/** What the sockets on both sides of the link hold (Linux autotuned buffers): the master counts it as sent. */
export const SOCKET_BUFFERS_BYTES = 6 * MB;

export interface RateInputs {
  snapshotBytes: number;
  linkBytesPerSec: number;
  linkWindowBytes: number;
  linkDelayMs: number;
  /** How long the master takes to write the snapshot (the initial sync's time is a fair guess). */
  snapshotSec: number;
  bytesPerKey: number;
  writeQty: number;
  limit: Limits;
}

/**
 * The pace of the writes. The course's generator, on its VMs, wrote at the pace that made the
 * loop happen; ours, unthrottled, would write everything in a second or two and stop. So the
 * writes are paced (R bytes/s of replication stream) between two bounds:
 *
 * - fast enough for the replica to be dropped during the first sync: the buffer must pass the
 *   soft limit and stay above it for soft-seconds (+1 s: Redis counts whole seconds) before the
 *   master has written the whole snapshot to the socket, with a 20% margin:
 *   R_min = soft / (0.8 × W1 − softSeconds − 1), W1 = snapshot time + (snapshot − socket
 *   buffers) / link + the handshake's round trip;
 * - slow enough for the writes to outlast the next sync's start and fill its buffer past the
 *   soft limit again (that is when the fix is applied, so it is tested under the same load):
 *   R_max = (all writes − 2 × soft) / (softSeconds + reconnection + 3 s), where the
 *   reconnection drains the link and the socket buffers, then redoes the handshake.
 *
 * R is their geometric mean (R_min if they cross). Without a soft limit, the hard limit is
 * aimed at 65% into the first sync.
 */
export function chooseRate(p: RateInputs): { rate: number; why: string; min: number; max: number } {
  const L = p.linkBytesPerSec;
  const K = Math.min(p.snapshotBytes / 2, SOCKET_BUFFERS_BYTES);
  const rtt = p.linkDelayMs / 1000;
  const W1 = p.snapshotSec + (p.snapshotBytes - K) / L + rtt;
  const reconnect = (K + p.linkWindowBytes) / L + 2 * rtt + p.snapshotSec;
  const total = p.writeQty * p.bytesPerKey;
  const S = p.limit.soft;
  const Ts = p.limit.softSeconds;
  let min: number;
  let max: number;
  let bps: number;
  let how: string;
  if (S > 0 && 0.8 * W1 - Ts - 1 > 0.05 * W1) {
    min = S / (0.8 * W1 - Ts - 1);
    max = (total - 2 * S) / (Ts + reconnect + 3);
    bps = max > min ? Math.sqrt(min * max) : min;
    how = `the buffer passes the soft limit (${formatBytes(S)}) ${(S / bps).toFixed(0)} s into the sync, and the replica is dropped ${Ts} s later`;
  } else {
    min = max = bps = p.limit.hard / (0.65 * W1);
    how = `the buffer reaches the hard limit (${formatBytes(p.limit.hard)}) ${(0.65 * W1).toFixed(0)} s into the sync`;
  }
  const rate = Math.max(1, Math.round(bps / p.bytesPerKey));
  const why =
    `${formatInt(rate)} keys/s (${formatBytes(rate * p.bytesPerKey)}/s of replication stream): the master needs ~${W1.toFixed(0)} s to push ` +
    `the snapshot (${formatBytes(p.snapshotBytes)}) into the link at ${formatBytes(L)}/s; at this pace ${how}`;
  return { rate, why, min: min / p.bytesPerKey, max: max / p.bytesPerKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(port: number, commandTimeout = 10000): Redis {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    commandTimeout,
    retryStrategy: () => 200,
    enableReadyCheck: false,
  });
  c.on('error', () => undefined);
  return c;
}

async function info(c: Redis, section?: string): Promise<Record<string, string>> {
  const text = (section ? await c.info(section) : await c.info()) as string;
  return parseInfo(text);
}

function keysOf(inf: Record<string, string>): number | undefined {
  const v = inf.db0;
  if (!v) return inf.role !== undefined ? 0 : undefined;
  const m = /keys=(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs the case. Never throws for a case that misbehaves: the result says what happened. */
export async function runCase2(opts: Case2Options): Promise<Case2Result> {
  const scale = opts.scale ?? 1;
  if (!(scale > 0) || scale > 10) throw new Case2Error(`invalid scale ${scale} (expected 0 < scale <= 10)`);
  const timeScale = opts.timeScale ?? defaultTimeScale(scale);
  if (!(timeScale > 0) || timeScale > 10) throw new Case2Error(`invalid time scale ${timeScale}`);
  if (opts.prevent && opts.server !== 'reddish') throw new Case2Error('--prevent needs the RDB channel (Redis 8\'s rdb-channel replication): redis-server 7.0 has no such channel');
  const linkDelayMs = opts.linkDelayMs ?? COURSE.linkDelayMs;
  const linkWindowBytes = opts.linkWindowBytes ?? Math.max(16 * 1024, Math.round((COURSE.linkWindowBytes * scale) / timeScale));
  const params: Case2Params = {
    server: opts.server,
    scale,
    timeScale,
    loadQty: opts.loadQty ?? Math.round(COURSE.loadQty * scale),
    writeQty: opts.writeQty ?? Math.round(COURSE.writeQty * scale),
    linkDelayMs,
    linkWindowBytes,
    linkBytesPerSec: linkDelayMs > 0 ? (linkWindowBytes * 1000) / linkDelayMs : Infinity,
    limit: opts.limit ?? scaledLimits(COURSE.limit, scale, timeScale),
    fix: opts.fix ?? scaledLimits(COURSE.fix, scale, timeScale),
    // The rdb channel needs a socket target on the master (repl-diskless-sync yes).
    diskless: Boolean(opts.diskless || opts.prevent),
    prevent: Boolean(opts.prevent),
    rate: opts.rate ?? 0,
    rateWhy: opts.rate ? 'set by --rate' : '',
    loops: opts.loops ?? 1,
    intervalMs: opts.intervalMs ?? 250,
    seed: opts.seed ?? 'case2',
  };
  const timeoutMs = opts.timeoutMs ?? (10 + 20 * scale) * 60_000;
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;

  const events: CaseEvent[] = [];
  const samples: Sample[] = [];
  const checks: Case2Result['checks'] = [];
  const figures: Case2Figures = {};
  const result: Case2Result = {
    ok: false,
    loop: { reproduced: false, fullSyncs: 0, drops: 0, verdict: 'LOOP NOT REPRODUCED' },
    fix: { applied: false, works: false, verdict: 'FIX NOT APPLIED' },
    params,
    figures,
    events,
    samples,
    masterLog: '',
    replicaLog: '',
    checks,
    ports: {},
    pids: {},
    outDir: opts.outDir ? resolvePath(opts.outDir) : undefined,
  };

  let t0 = Date.now();
  let phase: Phase = 'setup';
  let limitNow: Limits = { hard: 0, soft: 0, softSeconds: 0 };
  const setPhase = (p: Phase, text: string) => {
    phase = p;
    opts.onPhase?.(p, text);
  };
  const emit = (e: Omit<CaseEvent, 't' | 'at'> & { at?: number }) => {
    const at = e.at ?? Date.now();
    const ev: CaseEvent = { ...e, at, t: (at - t0) / 1000 };
    events.push(ev);
    live.lastEvent = ev;
    opts.onEvent?.(ev);
    return ev;
  };
  const live: LiveState = {
    phase,
    t: 0,
    fullSyncs: 0,
    drops: 0,
    limit: limitNow,
    omem: 0,
    omemPeak: 0,
    overSoftFor: 0,
    snapshotRunning: false,
    linkRate: 0,
    written: 0,
    writeQty: params.writeQty,
    writeRate: 0,
  };

  const dataRoot = mkdtempSync(join(tmpdir(), 'reddish-case2-'));
  let master: SpawnedServer | undefined;
  let replica: SpawnedServer | undefined;
  let link: SlowLink | undefined;
  const conns: Redis[] = [];
  let mLog: LogReader | undefined;
  let rLog: LogReader | undefined;
  let sampling = false;
  let samplerDone: Promise<void> = Promise.resolve();
  const writesAbort = new AbortController();
  let writesP: Promise<GenerateResult> | undefined;
  let writesErr: string | undefined;
  let writesEnd: number | undefined;
  let writesStart: number | undefined;
  const onAbort = () => writesAbort.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const checkAbort = () => {
    if (opts.signal?.aborted) throw new Case2Error('interrupted');
    if (Date.now() > deadline) throw new Case2Error(`timed out after ${Math.round(timeoutMs / 1000)} s (--timeout)`);
  };

  // Replication events from both logs, with what they mean for the case.
  const seen: { kind: string; at: number; ev: ReplEvent; source: 'master' | 'replica' }[] = [];
  let baselineSyncFull = 0;
  let caseStarted = false;
  const onLog = (source: 'master' | 'replica') => (l: LogLine) => {
    const ev = classifyLine(l);
    if (!ev) return;
    seen.push({ kind: ev.kind, at: l.at, ev, source });
    if (phase === 'done' || (!caseStarted && phase !== 'initial-sync')) return;
    const d = describe(ev, source);
    if (d) emit({ source, kind: ev.kind, text: d.text, why: d.why, log: l.text, at: l.at, omem: ev.omem, setup: !caseStarted || undefined });
  };
  const describe = (ev: ReplEvent, source: 'master' | 'replica'): { text: string; why?: string } | undefined => {
    const L = limitNow;
    switch (ev.kind) {
      case 'sync-request':
        return { text: 'the replica asks for synchronization' };
      case 'psync-refused':
        return { text: 'partial resync refused', why: 'the replica can only continue from a replication history the master has: it needs a full sync' };
      case 'full-resync-requested':
        return { text: 'full resync requested by the replica', why: 'the replica has no cached master to continue from' };
      case 'bgsave-for-sync':
        return {
          text: `snapshot for the replica started (BGSAVE, target ${ev.target})`,
          why: params.prevent
            ? 'with the rdb channel the snapshot goes on a second connection and the writes flow on the main one at once, to wait on the replica'
            : 'from now on every write is also kept in the replica\'s output buffer, to be replayed after the snapshot',
        };
      case 'cannot-attach':
        return { text: 'the replica waits for the next snapshot', why: 'a snapshot is running but no waiting replica can share it' };
      case 'bgsave-done':
        return { text: 'snapshot written' + (params.diskless ? ' to the replica' : '; the master now sends it through the slow link') };
      case 'bgsave-failed':
        return / by signal 10$/.test(ev.line.msg)
          ? { text: 'the master stopped the snapshot', why: `no replica was left to receive it (${ev.line.msg})` }
          : { text: 'the snapshot failed', why: ev.line.msg };
      case 'buffer-limit': {
        const omem = ev.omem ?? 0;
        const hard = L.hard > 0 && omem >= L.hard;
        const text = `replica dropped for its output buffer (omem ${formatBytes(omem)})`;
        const why = hard
          ? `buffer ${formatBytes(omem)} >= hard limit ${formatBytes(L.hard)}: the master dropped the replica; it will reconnect and need a new full sync`
          : `buffer above the soft limit ${formatBytes(L.soft)} for more than ${L.softSeconds} s (now ${formatBytes(omem)}): the master dropped the replica; it will reconnect and need a new full sync`;
        return { text, why };
      }
      case 'replica-lost':
        // Redis 8 names the snapshot's own connection `replica (rdbchannel)`.
        return { text: ev.line.msg.includes('(rdbchannel)') ? 'connection with the replica\'s rdb channel closed' : 'connection with the replica lost' };
      case 'replica-synced':
        return { text: 'snapshot delivered: the replica is online', why: 'the buffered writes now flow to it' };
      case 'replica-timeout':
        return { text: 'the replica timed out', why: ev.line.msg };
      case 'replicaof':
        return { text: ev.line.msg.replace(/ \(user request.*$/, '') };
      case 'connecting':
        return { text: ev.line.msg.startsWith('Re') ? 'the replica reconnects to the master' : 'the replica connects to the master' };
      case 'full-resync':
        return { text: `full resync (${ev.line.msg.replace('Full resync from master: ', '')})`, why: 'the replica will receive the whole dataset again' };
      case 'partial-resync':
        return { text: 'partial resynchronization accepted' };
      case 'receiving': {
        const b = ev.bytes;
        const secs = b !== undefined && params.linkBytesPerSec < Infinity ? ` (~${Math.round(b / params.linkBytesPerSec)} s at ${formatBytes(params.linkBytesPerSec)}/s)` : '';
        return { text: b !== undefined ? `the replica receives the snapshot: ${formatBytes(b)}${secs}` : 'the replica receives the streamed snapshot' };
      }
      case 'loading':
        return { text: 'the replica loads the snapshot' };
      case 'sync-finished':
        return { text: 'MASTER <-> REPLICA sync finished with success', why: 'the full sync completed' };
      case 'io-error':
        return { text: `the replica lost the link: ${ev.line.msg}`, why: source === 'replica' ? 'the master closed the connection in the middle of the sync' : undefined };
      case 'master-lost':
        return { text: 'the replica lost its master' };
      default:
        return undefined;
    }
  };
  const seenAfter = (kind: string, at: number, source?: 'master' | 'replica') => seen.filter((s) => s.kind === kind && s.at >= at && (!source || s.source === source));
  /**
   * Syncs the replica finished without being dropped on the way: with a socket target the
   * master puts the replica online when the snapshot has left (into the sockets) and can drop
   * it for its buffer while the replica still loads; that replica reports success, then loses
   * the link and starts over.
   */
  const goodSyncsAfter = (at: number) =>
    seenAfter('sync-finished', at, 'replica').filter((fin) => {
      const starts = seen.filter((s) => s.kind === 'bgsave-for-sync' && s.source === 'master' && s.at <= fin.at);
      const from = starts.length ? starts[starts.length - 1].at : at;
      return !seen.some((s) => s.kind === 'buffer-limit' && s.source === 'master' && s.at >= from && s.at <= fin.at + 50);
    });

  try {
    // ---------------------------------------------------------------------------------- setup
    setPhase('setup', `starting a ${opts.server === 'redis' ? 'redis-server' : 'reddish'} master and replica`);
    const common = ['--appendonly', 'no', '--enable-debug-command', 'local'];
    const masterArgs = ['--repl-diskless-sync', params.diskless ? 'yes' : 'no', ...common];
    mkdirSync(join(dataRoot, 'master'));
    mkdirSync(join(dataRoot, 'replica'));
    master = await spawnServer(opts.server, masterArgs, { dir: join(dataRoot, 'master') });
    mLog = new LogReader([master.proc.stdout, master.proc.stderr]);
    mLog.push(master.output());
    replica = await spawnServer(opts.server, common, { dir: join(dataRoot, 'replica') });
    rLog = new LogReader([replica.proc.stdout, replica.proc.stderr]);
    rLog.push(replica.output());
    mLog.onLine(onLog('master'));
    rLog.onLine(onLog('replica'));
    result.ports.master = master.port;
    result.ports.replica = replica.port;
    result.pids.master = master.pid;
    result.pids.replica = replica.pid;
    const mc = client(master.port);
    const rc = client(replica.port);
    const mMon = client(master.port);
    const rMon = client(replica.port);
    conns.push(mc, rc, mMon, rMon);
    const mInfo0 = await info(mc, 'server');
    params.serverVersion = mInfo0.redis_version;
    emit({ source: 'lab', kind: 'servers', text: `master ${master.kind} ${mInfo0.redis_version ?? '?'} on 127.0.0.1:${master.port} (pid ${master.pid}), replica on 127.0.0.1:${replica.port} (pid ${replica.pid})` });

    // Does this server replicate at all?
    try {
      const ri = await info(rc, 'replication');
      if (ri.role === undefined) throw new Error('INFO replication has no role field');
    } catch (e) {
      throw new Case2Error(`${opts.server} does not support replication (INFO replication: ${errText(e)})`);
    }

    // The rdb channel is chosen explicitly on reddish either way (its default may change);
    // redis-server 7.0 does not know the setting, so it is not sent there.
    if (opts.server === 'reddish') {
      const on = params.prevent ? 'yes' : 'no';
      for (const c of [mc, rc]) {
        await c.call('CONFIG', 'SET', 'repl-rdb-channel', on);
        if (params.prevent) await c.call('CONFIG', 'SET', 'replica-full-sync-buffer-spill', 'yes');
      }
      emit({
        source: 'lab',
        kind: 'rdb-channel',
        text: `CONFIG SET repl-rdb-channel ${on} on both nodes` + (params.prevent ? ', replica-full-sync-buffer-spill yes' : ''),
        why: params.prevent
          ? 'the writes made during a full sync flow to the replica at once and wait there (spilled to disk past its limit), not in the master\'s output buffer'
          : 'the classic full sync: the writes wait in the master\'s output buffer for the replica',
      });
    }

    // ----------------------------------------------------------------------------------- load
    setPhase('load', `loading ${formatInt(params.loadQty)} hashes into the master`);
    const load = await generate({
      type: 'hash',
      qty: params.loadQty,
      prefix: 'session',
      port: master.port,
      seed: `${params.seed}-load`,
      signal: opts.signal,
      onProgress: (done) => {
        live.written = done;
      },
    });
    figures.loadMs = load.ms;
    figures.loadBytes = load.bytes;
    figures.loadKeysPerSec = Math.round((load.records * 1000) / Math.max(1, load.ms));
    figures.bytesPerKey = load.bytes / Math.max(1, load.records);
    emit({ source: 'lab', kind: 'loaded', text: `loaded ${formatInt(load.records)} hashes in ${(load.ms / 1000).toFixed(1)} s (${formatInt(figures.loadKeysPerSec)} keys/s, ${formatBytes(load.bytes)} of commands)` });
    checkAbort();

    // ----------------------------------------------------------------------- initial full sync
    setPhase('initial-sync', 'the replica syncs the dataset directly (the starting point of the case)');
    const tInit = Date.now();
    try {
      await rc.call('REPLICAOF', '127.0.0.1', String(master.port));
    } catch (e) {
      throw new Case2Error(`${opts.server} does not support replication: REPLICAOF answered '${errText(e)}'`);
    }
    const initTimeout = 60_000 + (params.loadQty / 2000) * 1000;
    for (;;) {
      checkAbort();
      const ri = await info(rc, 'replication').catch(() => ({}) as Record<string, string>);
      if (ri.master_link_status === 'up' && ri.master_sync_in_progress === '0') break;
      if (Date.now() - tInit > initTimeout) throw new Case2Error(`the initial sync did not complete in ${Math.round(initTimeout / 1000)} s (replica: ${JSON.stringify(ri)})`);
      await sleep(100);
    }
    figures.initialSyncMs = Date.now() - tInit;
    const mStats0 = await info(mc);
    const netOut = infoNum(mStats0, 'total_net_repl_output_bytes');
    const rdbFile = seen.find((s) => s.kind === 'receiving' && s.ev.bytes !== undefined);
    figures.snapshotBytes = rdbFile?.ev.bytes ?? (netOut && netOut > 0 ? netOut : Math.round(params.loadQty * 122));
    // How long the master took to write the snapshot (disk target), from its log; a socket
    // target streams as it goes. The whole initial sync (it includes the replica's loading and,
    // diskless, repl-diskless-sync-delay) is the fallback.
    const bgStart = seen.find((s) => s.kind === 'bgsave-for-sync' && s.at >= tInit);
    const bgDone = bgStart && seen.find((s) => s.kind === 'bgsave-done' && s.at >= bgStart.at);
    figures.snapshotSec = params.diskless ? 0.2 : bgStart && bgDone ? Math.max(0.05, (bgDone.at - bgStart.at) / 1000) : figures.initialSyncMs / 1000;
    emit({
      source: 'lab',
      kind: 'initial-sync',
      text: `the replica holds the dataset: initial sync in ${(figures.initialSyncMs / 1000).toFixed(1)} s, snapshot ${formatBytes(figures.snapshotBytes)}`,
    });

    if (!opts.rate) {
      const r = chooseRate({
        snapshotBytes: figures.snapshotBytes,
        linkBytesPerSec: params.linkBytesPerSec,
        linkWindowBytes: params.linkWindowBytes,
        linkDelayMs: params.linkDelayMs,
        snapshotSec: figures.snapshotSec,
        bytesPerKey: figures.bytesPerKey,
        writeQty: params.writeQty,
        limit: params.limit,
      });
      params.rate = r.rate;
      params.rateWhy = r.why;
    }

    // ------------------------------------------------------------- the slow link, the limit
    link = await new SlowLink({ listenPort: 0, targetPort: master.port, delayDownMs: params.linkDelayMs, windowBytes: params.linkWindowBytes }).start();
    result.ports.link = link.port;
    emit({
      source: 'lab',
      kind: 'link',
      text: `slow link 127.0.0.1:${link.port} -> master: ${params.linkDelayMs} ms master -> replica, ${formatBytes(params.linkWindowBytes)} in flight (~${formatBytes(params.linkBytesPerSec)}/s)`,
    });
    await mc.call('CONFIG', 'SET', 'client-output-buffer-limit', limitText(params.limit));
    // Under --prevent the replica gets it too: with replica-full-sync-buffer-limit 0 its
    // in-memory full sync buffer stops at this hard limit and the rest spills to disk.
    if (params.prevent) await rc.call('CONFIG', 'SET', 'client-output-buffer-limit', limitText(params.limit));
    limitNow = params.limit;
    live.limit = limitNow;
    emit({
      source: 'lab',
      kind: 'limit',
      text: `CONFIG SET client-output-buffer-limit '${limitText(params.limit)}'${params.prevent ? ' on both nodes' : ''}`,
      why: `hard ${formatBytes(params.limit.hard)}, soft ${formatBytes(params.limit.soft)} for ${params.limit.softSeconds} s`,
    });
    await rc.call('REPLICAOF', 'NO', 'ONE');
    await rc.call('FLUSHALL');
    emit({ source: 'lab', kind: 'flush', text: 'replica: REPLICAOF NO ONE, FLUSHALL' });
    const base = await info(mc);
    baselineSyncFull = infoNum(base, 'sync_full') ?? 0;

    // ------------------------------------------------------------------------ sampling
    // Rates over the last ~3 s: the link moves data in window-sized bursts once per round trip.
    const RATE_MS = 3000;
    const hist: { at: number; link: number; written: number; read?: number }[] = [];
    const rateOf = (f: (h: (typeof hist)[number]) => number | undefined): number => {
      const last = hist[hist.length - 1];
      const lv = last ? f(last) : undefined;
      if (!last || lv === undefined) return 0;
      for (const h of hist) {
        const v = f(h);
        if (v !== undefined && last.at - h.at > 0 && v <= lv) return ((lv - v) * 1000) / (last.at - h.at);
      }
      return 0;
    };
    let overSoftSince: number | undefined;
    const sampleOnce = async () => {
      const at = Date.now();
      const t0Then = t0;
      const s: Sample = { t: (at - t0) / 1000, at, phase, hard: limitNow.hard, soft: limitNow.soft, softSeconds: limitNow.softSeconds };
      const [mi, cl, ri] = await Promise.all([
        info(mMon).catch(() => undefined),
        (mMon.call('CLIENT', 'LIST', 'TYPE', 'replica') as Promise<string>).catch(() => undefined),
        info(rMon, 'replication').catch(() => undefined),
      ]);
      if (mi) {
        s.mOffset = infoNum(mi, 'master_repl_offset');
        s.mSyncFull = infoNum(mi, 'sync_full');
        s.mSyncPartialErr = infoNum(mi, 'sync_partial_err');
        s.mSyncPartialOk = infoNum(mi, 'sync_partial_ok');
        s.mBgsave = infoNum(mi, 'rdb_bgsave_in_progress');
        s.mBgsaveSec = infoNum(mi, 'rdb_current_bgsave_time_sec');
        s.mSaveKeysProcessed = infoNum(mi, 'current_save_keys_processed');
        s.mSaveKeysTotal = infoNum(mi, 'current_save_keys_total');
        s.mConnectedReplicas = infoNum(mi, 'connected_slaves');
        if (mi.slave0) {
          const r0 = parseReplicaLine(mi.slave0);
          s.mReplicaState = r0.state;
          s.mReplicaAckOffset = r0.offset !== undefined ? Number(r0.offset) : undefined;
        }
        s.mKeys = keysOf(mi);
        s.mUsedMemory = infoNum(mi, 'used_memory');
        s.mReplBuffers = infoNum(mi, 'mem_total_replication_buffers');
        s.mNetReplOut = infoNum(mi, 'total_net_repl_output_bytes');
      }
      if (cl !== undefined) {
        const reps = parseClientList(cl).filter((c) => (c.flags ?? '').includes('S'));
        s.omem = reps.reduce((m, c) => Math.max(m, Number(c.omem) || 0), 0);
        s.oll = reps.reduce((m, c) => Math.max(m, Number(c.oll) || 0), 0);
      }
      if (ri) {
        s.rLink = ri.master_link_status;
        s.rSyncInProgress = infoNum(ri, 'master_sync_in_progress');
        s.rSyncTotal = infoNum(ri, 'master_sync_total_bytes');
        s.rSyncRead = infoNum(ri, 'master_sync_read_bytes');
        s.rSyncPerc = infoNum(ri, 'master_sync_perc');
        s.rOffset = infoNum(ri, 'slave_repl_offset');
        s.rReadOffset = infoNum(ri, 'slave_read_repl_offset');
        s.rFsbSize = infoNum(ri, 'replica_full_sync_buffer_size');
        s.rFsbPeak = infoNum(ri, 'replica_full_sync_buffer_peak');
        s.rFsbSpilled = infoNum(ri, 'replica_full_sync_buffer_spilled');
        s.rFsbSpilledTotal = infoNum(ri, 'replica_full_sync_buffer_spilled_total');
      }
      if (link) {
        const ls = link.stats();
        s.linkDownBytes = ls.down.bytesOut;
        s.linkInFlight = ls.down.inFlight;
        s.linkConns = ls.connections;
      }
      s.written = live.written;
      // Taken across the start of the case (t0 moved): dropped, its t would be wrong.
      if (t0Then !== t0) return;
      samples.push(s);
      // live state
      live.phase = phase;
      live.t = s.t;
      live.limit = limitNow;
      if (s.mSyncFull !== undefined) live.fullSyncs = Math.max(live.fullSyncs, s.mSyncFull - baselineSyncFull);
      live.omem = s.omem ?? 0;
      live.omemPeak = Math.max(live.omemPeak, live.omem);
      if (limitNow.soft > 0 && live.omem >= limitNow.soft) overSoftSince ??= at;
      else overSoftSince = undefined;
      live.overSoftFor = overSoftSince !== undefined ? (at - overSoftSince) / 1000 : 0;
      live.snapshotRunning = s.mBgsave === 1;
      live.snapshotSec = s.mBgsaveSec;
      live.snapshotKeys = s.mSaveKeysTotal ? [s.mSaveKeysProcessed ?? 0, s.mSaveKeysTotal] : undefined;
      const inSync = s.rSyncInProgress === 1 && s.rSyncRead !== undefined;
      // A new transfer (the read count went down) starts a new history for its rate.
      if (inSync && hist.length && (hist[hist.length - 1].read ?? 0) > s.rSyncRead!) for (const h of hist) h.read = undefined;
      hist.push({ at, link: s.linkDownBytes ?? 0, written: live.written, read: inSync ? s.rSyncRead : undefined });
      while (hist.length > 2 && at - hist[0].at > RATE_MS) hist.shift();
      live.linkRate = rateOf((h) => h.link);
      live.writeRate = rateOf((h) => h.written);
      live.transfer = inSync ? { read: s.rSyncRead!, total: s.rSyncTotal ?? -1, rate: rateOf((h) => h.read) } : undefined;
      opts.onSample?.(s, live);
    };
    sampling = true;
    samplerDone = (async () => {
      while (sampling) {
        const started = Date.now();
        await sampleOnce().catch(() => undefined);
        await sleep(Math.max(10, params.intervalMs - (Date.now() - started)));
      }
    })();

    // ------------------------------------------------------------------- the case: REPLICAOF
    setPhase('loop', 'the replica syncs through the slow link while the master takes writes');
    live.written = 0;
    t0 = Date.now();
    for (const e of events) e.t = (e.at - t0) / 1000;
    caseStarted = true;
    await rc.call('REPLICAOF', '127.0.0.1', String(link.port));
    emit({ source: 'lab', kind: 'replicaof', text: `replica: REPLICAOF 127.0.0.1 ${link.port} (the master, through the slow link)` });

    // Writes start as soon as the master's snapshot for this sync is running.
    const waitSnap = Date.now();
    for (;;) {
      checkAbort();
      if (seenAfter('bgsave-for-sync', t0, 'master').length > 0) break;
      const last = samples[samples.length - 1];
      if (last && last.at >= t0 && last.mBgsave === 1) break;
      if (Date.now() - waitSnap > 60_000) throw new Case2Error('the master did not start a snapshot for the replica within 60 s (no "Starting BGSAVE for SYNC" line, rdb_bgsave_in_progress stayed 0)');
      await sleep(20);
    }
    writesStart = Date.now();
    emit({
      source: 'lab',
      kind: 'writes-start',
      text: `writing ${formatInt(params.writeQty)} more hashes at ${formatInt(params.rate)} keys/s while the snapshot runs`,
      why: params.rateWhy,
    });
    writesP = generate({
      type: 'hash',
      qty: params.writeQty,
      prefix: 'session',
      port: master.port,
      seed: `${params.seed}-writes`,
      rate: params.rate,
      signal: writesAbort.signal,
      progressIntervalMs: 100,
      onProgress: (done) => {
        live.written = done;
      },
    });
    writesP.then(
      (r) => {
        writesEnd = Date.now();
        figures.writesMs = r.ms;
        figures.writesKeysPerSec = Math.round((r.records * 1000) / Math.max(1, r.ms));
        emit({ source: 'lab', kind: 'writes-end', text: `the writes are done: ${formatInt(r.records)} hashes in ${(r.ms / 1000).toFixed(1)} s` });
      },
      (e) => {
        writesEnd = Date.now();
        writesErr = errText(e);
        if (!writesAbort.signal.aborted) emit({ source: 'lab', kind: 'writes-error', text: `the writes failed: ${writesErr}` });
      },
    );

    /**
     * After a completed sync: the writes done, the replica online with the master's offset and
     * keys, the same DBSIZE and DEBUG DIGEST. Returns what went wrong, if anything.
     */
    const verifyCaughtUp = async (since: number, after: string): Promise<string | undefined> => {
      setPhase('verify', 'checking that the replica caught up: offsets, keys, digest');
      if (writesP) await writesP.catch(() => undefined);
      if (writesErr && !writesAbort.signal.aborted) return `the writes failed: ${writesErr}`;
      const later = seenAfter('buffer-limit', since, 'master');
      if (later.length > 0) return `the replica was dropped again ${after} (omem ${formatBytes(later[0].ev.omem ?? 0)})`;
      const vStart = Date.now();
      let detail = '';
      for (;;) {
        checkAbort();
        const [mi, ri] = await Promise.all([info(mc), info(rc)]);
        const mo = infoNum(mi, 'master_repl_offset');
        const ro = infoNum(ri, 'slave_repl_offset');
        const mk = keysOf(mi);
        const rk = keysOf(ri);
        detail = `master offset ${mo}, replica offset ${ro}, link ${ri.master_link_status}, keys ${mk} / ${rk}`;
        if (ri.master_link_status === 'up' && mo !== undefined && mo === ro && mk === rk) {
          checks.push({ name: 'replica online, offsets equal', ok: true, detail });
          break;
        }
        if (seenAfter('buffer-limit', since, 'master').length > 0) return `the replica was dropped again ${after}`;
        if (Date.now() - vStart > 60_000) {
          checks.push({ name: 'replica online, offsets equal', ok: false, detail });
          return `the replica did not catch up within 60 s after the writes: ${detail}`;
        }
        await sleep(200);
      }
      const expected = params.loadQty + params.writeQty;
      const mk = Number(await mc.dbsize());
      const rk = Number(await rc.dbsize());
      checks.push({ name: 'DBSIZE', ok: mk === rk && mk === expected, detail: `master ${mk}, replica ${rk}, expected ${expected}` });
      if (mk !== rk) return `DBSIZE differs: master ${mk}, replica ${rk}`;
      // DEBUG DIGEST walks the whole dataset: seconds for millions of keys.
      const md5 = client(master!.port, 300_000);
      const rd5 = client(replica!.port, 300_000);
      conns.push(md5, rd5);
      try {
        const [md, rd] = await Promise.all([md5.call('DEBUG', 'DIGEST') as Promise<string>, rd5.call('DEBUG', 'DIGEST') as Promise<string>]);
        checks.push({ name: 'DEBUG DIGEST', ok: md === rd, detail: `master ${md}, replica ${rd}` });
        if (md !== rd) return `the replica's data differs from the master's (DEBUG DIGEST ${md} vs ${rd})`;
      } catch (e) {
        checks.push({ name: 'DEBUG DIGEST', ok: true, detail: `not compared: ${errText(e)}` });
      }
      return undefined;
    };

    // --------------------------------------------------------------------- watch the loop
    const drops = () => seenAfter('buffer-limit', t0, 'master');
    const fullSyncs = () => {
      const last = samples[samples.length - 1];
      const fromInfo = last?.mSyncFull !== undefined ? last.mSyncFull - baselineSyncFull : 0;
      // INFO stats sync_full, or the replica's own count of `Full resync from master` lines.
      return Math.max(fromInfo, seenAfter('full-resync', t0, 'replica').length);
    };

    // ------------------------------------------------------- --prevent: the rdb channel's run
    // No fix phase: the point is that the small limit suffices. (Returning here still runs
    // the finally block below, which stops everything.)
    if (params.prevent) {
      let stop = '';
      for (;;) {
        checkAbort();
        const d = drops().length;
        live.drops = d;
        if (writesErr && !writesAbort.signal.aborted) throw new Case2Error(`the writes failed: ${writesErr}`);
        if (goodSyncsAfter(t0).length > 0) break;
        if (d >= 2) {
          stop = `the replica was dropped ${d} times for its output buffer: the loop happened even with the rdb channel`;
          break;
        }
        await sleep(100);
      }
      const fin = goodSyncsAfter(t0)[0];
      let failure: string | undefined = fin ? undefined : stop;
      let syncSec: number | undefined;
      if (fin) {
        const starts = seen.filter((s) => s.kind === 'bgsave-for-sync' && s.source === 'master' && s.at <= fin.at);
        syncSec = (fin.at - (starts.length ? starts[starts.length - 1].at : t0)) / 1000;
        emit({ source: 'lab', kind: 'prevent-synced', text: `the full sync completed under the small limit in ${syncSec.toFixed(1)} s`, why: 'the writes made meanwhile waited on the replica, not in the master\'s output buffer' });
        failure = await verifyCaughtUp(t0, 'during the case');
      }
      // Let the sampler catch the latest counters, then the replica's own figures.
      await sleep(params.intervalMs + 50);
      const ri = await info(rc, 'replication').catch(() => ({}) as Record<string, string>);
      const maxOf = (f: (s: Sample) => number | undefined) => samples.reduce((m, s) => Math.max(m, f(s) ?? 0), 0);
      const bufPeak = Math.max(infoNum(ri, 'replica_full_sync_buffer_peak') ?? 0, maxOf((s) => s.rFsbPeak), maxOf((s) => s.rFsbSize));
      const spilled = Math.max(infoNum(ri, 'replica_full_sync_buffer_spilled_total') ?? 0, maxOf((s) => s.rFsbSpilledTotal), maxOf((s) => s.rFsbSpilled));
      const nDrops = drops().length;
      // One `Full resync from master` line per sync on the replica (the master's sync_full may
      // count the rdb channel's PSYNC as well as the main channel's).
      const nFull = seenAfter('full-resync', t0, 'replica').length;
      const mText = mLog?.text() ?? '';
      const usedChannel = /Full sync will continue with dedicated rdb channel/.test(mText);
      const fallback = /full sync on the main channel \(no rdb channel\): (.*)$/m.exec(mText)?.[1];
      const peakOmem = live.omemPeak;
      figures.peakOmemBeforeFix = peakOmem;
      const firstDrop = drops()[0];
      if (firstDrop) figures.firstBufferLimitAfterSec = (firstDrop.at - t0) / 1000;
      if (!failure && nDrops > 0) failure = `the replica was dropped ${nDrops} time${nDrops === 1 ? '' : 's'} for its output buffer before the sync completed`;
      const figs =
        `master-side replica buffer peak ${formatBytes(peakOmem)} (soft ${formatBytes(params.limit.soft)} / hard ${formatBytes(params.limit.hard)}), ` +
        `replica-side buffer peak ${formatBytes(bufPeak)}, spilled ${formatBytes(spilled)}`;
      const prevent: NonNullable<Case2Result['prevent']> = { works: !failure, verdict: '', fullSyncs: nFull, drops: nDrops, peakOmem, replicaBufferPeak: bufPeak, spilledTotal: spilled, syncSec };
      if (!failure) {
        prevent.verdict = `PREVENTED (sync completed in ${syncSec!.toFixed(1)} s under the small limit; ${figs})`;
        prevent.why = `${nFull} full sync${nFull === 1 ? '' : 's'}, no buffer-limit disconnection; the replica caught up (offsets, DBSIZE, DEBUG DIGEST)`;
      } else {
        prevent.verdict = `NOT PREVENTED (${nFull} full sync${nFull === 1 ? '' : 's'}, ${nDrops} buffer-limit disconnection${nDrops === 1 ? '' : 's'})`;
        prevent.why = failure + (usedChannel ? '' : `; the rdb channel was not used${fallback ? ` (${fallback})` : ''}`) + `; ${figs}`;
      }
      result.prevent = prevent;
      result.loop.fullSyncs = nFull;
      result.loop.drops = nDrops;
      result.loop.verdict = 'LOOP NOT WATCHED (--prevent)';
      result.fix.verdict = 'FIX NOT APPLIED (--prevent)';
      emit({ source: 'lab', kind: 'verdict-prevent', text: prevent.verdict, why: prevent.why });
      figures.caseSec = (Date.now() - t0) / 1000;
      result.ok = prevent.works;
      return result;
    }

    let loopEnd = '';
    for (;;) {
      checkAbort();
      const d = drops().length;
      const fs = fullSyncs();
      live.drops = d;
      if (writesErr && !writesAbort.signal.aborted) throw new Case2Error(`the writes failed: ${writesErr}`);
      if (d >= params.loops && fs >= 2) {
        // The loop is about to go round again: the sync that followed the last disconnection
        // has its buffer above the small soft limit. The fix is applied now, to save this sync.
        const lastDrop = drops()[d - 1].at;
        const starts = seenAfter('bgsave-for-sync', lastDrop, 'master');
        const threshold = params.limit.soft > 0 ? params.limit.soft : params.limit.hard / 2;
        if (starts.length > 0 && samples.some((s) => s.at > starts[0].at && (s.omem ?? 0) >= threshold)) {
          loopEnd = `${d} buffer-limit disconnection${d === 1 ? '' : 's'}, and the next full sync's buffer is above the soft limit again`;
          break;
        }
        if (writesEnd !== undefined) {
          loopEnd = `${d} buffer-limit disconnection${d === 1 ? '' : 's'}; the writes ended`;
          break;
        }
      }
      const finished = goodSyncsAfter(t0);
      if (finished.length > 0) {
        // A sync completed with the small limit: no loop (or its end).
        loopEnd = 'a full sync completed with the small limit';
        break;
      }
      await sleep(100);
    }
    // Let the sampler catch the latest counters.
    await sleep(params.intervalMs + 50);
    const nDrops = drops().length;
    const nFull = fullSyncs();
    const syncedWithSmallLimit = goodSyncsAfter(t0).length > 0;
    figures.peakOmemBeforeFix = live.omemPeak;
    const firstDrop = drops()[0];
    if (firstDrop) figures.firstBufferLimitAfterSec = (firstDrop.at - t0) / 1000;
    result.loop.fullSyncs = nFull;
    result.loop.drops = nDrops;
    if (nFull >= 2 && nDrops >= 1) {
      result.loop.reproduced = true;
      result.loop.verdict = `LOOP REPRODUCED (${nFull} full syncs, ${nDrops} buffer-limit disconnection${nDrops === 1 ? '' : 's'})`;
      result.loop.why = `${syncedWithSmallLimit ? 'the loop ended by itself: ' : 'stopped watching after '}${loopEnd}; peak replica output buffer ${formatBytes(live.omemPeak)} against soft ${formatBytes(params.limit.soft)} / hard ${formatBytes(params.limit.hard)}`;
    } else {
      result.loop.verdict = `LOOP NOT REPRODUCED (${nFull} full sync${nFull === 1 ? '' : 's'}, ${nDrops} buffer-limit disconnection${nDrops === 1 ? '' : 's'})`;
      result.loop.why = syncedWithSmallLimit
        ? `${nDrops >= 1 ? 'the loop ended by itself (the writes slowed down or ended), ' : ''}the full sync completed with the small limit: the replica's output buffer peaked at ${formatBytes(live.omemPeak)} (soft ${formatBytes(params.limit.soft)} for ${params.limit.softSeconds} s, hard ${formatBytes(params.limit.hard)})`
        : `${loopEnd}; peak replica output buffer ${formatBytes(live.omemPeak)}`;
      if (nDrops >= 1 && nFull < 2) result.loop.why += `; INFO stats sync_full did not count a second full sync (${nFull})`;
    }
    emit({ source: 'lab', kind: 'verdict-loop', text: result.loop.verdict, why: result.loop.why });

    // ------------------------------------------------------------------------------- fix
    if (result.loop.reproduced && syncedWithSmallLimit) {
      result.fix.verdict = 'FIX NOT TESTED';
      result.fix.why = 'a full sync completed with the small limit before the fix could be applied (the writes had slowed down or ended)';
      emit({ source: 'lab', kind: 'verdict-fix', text: result.fix.verdict, why: result.fix.why });
    } else if (result.loop.reproduced) {
      setPhase('fix', 'the course\'s fix: a larger replica output buffer limit');
      const tFix = Date.now();
      figures.writtenBeforeFix = live.written;
      await mc.call('CONFIG', 'SET', 'client-output-buffer-limit', limitText(params.fix));
      limitNow = params.fix;
      live.limit = limitNow;
      live.omemPeak = live.omem;
      result.fix.applied = true;
      const writesRunning = writesEnd === undefined;
      emit({
        source: 'lab',
        kind: 'fix',
        text: `CONFIG SET client-output-buffer-limit '${limitText(params.fix)}'`,
        why: `hard ${formatBytes(params.fix.hard)}, soft ${formatBytes(params.fix.soft)} for ${params.fix.softSeconds} s` + (writesRunning ? ' (the writes are still running)' : ' (the writes had already ended)'),
      });
      let failure: string | undefined;
      let finishedAt: number | undefined;
      for (;;) {
        checkAbort();
        const late = seenAfter('buffer-limit', tFix, 'master');
        if (late.length > 0) {
          failure = `the replica was dropped again after the fix (omem ${formatBytes(late[0].ev.omem ?? 0)} vs soft ${formatBytes(params.fix.soft)} / hard ${formatBytes(params.fix.hard)})`;
          break;
        }
        const fin = goodSyncsAfter(tFix);
        if (fin.length > 0) {
          finishedAt = fin[0].at;
          break;
        }
        if (writesErr && !writesAbort.signal.aborted) {
          failure = `the writes failed: ${writesErr}`;
          break;
        }
        await sleep(100);
      }
      figures.peakOmemAfterFix = live.omemPeak;
      if (finishedAt !== undefined) {
        // The full sync that succeeded started with the last snapshot for the replica before it.
        const starts = seen.filter((s) => s.kind === 'bgsave-for-sync' && s.source === 'master' && s.at <= finishedAt!);
        const start = starts.length ? starts[starts.length - 1].at : tFix;
        result.fix.syncSec = (finishedAt - start) / 1000;
        figures.fixSyncSec = result.fix.syncSec;
        figures.fixSyncSinceFixSec = (finishedAt - tFix) / 1000;
        // Verify: writes done, offsets equal, same data.
        failure = await verifyCaughtUp(tFix, 'after the fix');
      } else if (!failure) failure = 'the sync did not complete';
      let needed = '';
      if (finishedAt !== undefined) {
        const starts = seen.filter((s) => s.kind === 'bgsave-for-sync' && s.source === 'master' && s.at <= finishedAt!);
        const syncStart = starts.length ? starts[starts.length - 1].at : tFix;
        const old = params.limit;
        let peak = 0;
        let over = 0;
        let run: number | undefined;
        for (const s of samples) {
          if (s.at < syncStart) continue;
          const o = s.omem ?? 0;
          peak = Math.max(peak, o);
          if (old.soft > 0 && o >= old.soft) {
            run ??= s.at;
            over = Math.max(over, (s.at - run) / 1000);
          } else run = undefined;
        }
        figures.fixSyncPeakOmem = peak;
        figures.fixSyncOverOldSoftSec = over;
        if (old.hard > 0 && peak >= old.hard) needed = `; with the small limit this sync would have been dropped as well (its buffer reached ${formatBytes(peak)} >= hard ${formatBytes(old.hard)})`;
        else if (old.soft > 0 && over > old.softSeconds)
          needed = `; with the small limit this sync would have been dropped as well (its buffer stayed above the soft ${formatBytes(old.soft)} for ${over.toFixed(1)} s > ${old.softSeconds} s)`;
        else needed = `; note: this sync's buffer (peak ${formatBytes(peak)}) stayed within the small limit, so it did not need the fix`;
      }
      if (!failure) {
        result.fix.works = true;
        result.fix.verdict = `FIX WORKS (sync completed in ${result.fix.syncSec!.toFixed(1)} seconds)`;
        result.fix.why =
          `the full sync finished ${figures.fixSyncSinceFixSec!.toFixed(1)} s after the fix; the buffer peaked at ${formatBytes(figures.peakOmemAfterFix ?? 0)} ` +
          `against the new soft ${formatBytes(params.fix.soft)} / hard ${formatBytes(params.fix.hard)}` +
          needed +
          (writesRunning ? '' : ' (the writes had ended before the fix)');
      } else {
        result.fix.verdict = 'FIX FAILED';
        result.fix.why = failure;
      }
      emit({ source: 'lab', kind: 'verdict-fix', text: result.fix.verdict, why: result.fix.why });
    }
    figures.caseSec = (Date.now() - t0) / 1000;
    result.ok = result.loop.reproduced && result.fix.works;
  } catch (e) {
    result.error = errText(e);
    emit({ source: 'lab', kind: 'error', text: result.error });
  } finally {
    setPhase('done', result.ok ? 'the case behaved as expected' : 'the case did not behave as expected');
    opts.signal?.removeEventListener('abort', onAbort);
    sampling = false;
    await samplerDone;
    if (writesP && writesEnd === undefined) {
      writesAbort.abort();
      await writesP.catch(() => undefined);
    }
    result.linkStats = link?.stats();
    await link?.close().catch(() => undefined);
    for (const c of conns) c.disconnect();
    result.masterLog = mLog?.text() ?? master?.output() ?? '';
    result.replicaLog = rLog?.text() ?? replica?.output() ?? '';
    if (!opts.keep) {
      await master?.stop('SIGKILL');
      await replica?.stop('SIGKILL');
      rmSync(dataRoot, { recursive: true, force: true });
    }
    figures.totalSec = (Date.now() - startedAt) / 1000;
  }
  return result;
}
