/**
 * `reddish doctor`: samples a master (redis-server or reddish) over the network and tells
 * whether a full resync of each replica can finish under the current
 * `client-output-buffer-limit replica` and `repl-backlog-size`, with the arithmetic.
 *
 * The model (Redis 7.0, §4-5 of the replication spec):
 *
 *   T (full sync) = BGSAVE time + RDB size / link throughput + load time          (disk target)
 *                 = max(BGSAVE time, RDB size / link throughput) + load time      (diskless)
 *   stream buffered for the replica = write rate × T        (from the fork to the end of the load)
 *   omem ≈ that × 20504 / 20440 + one block                  (7.0 counts 20504 per 16 KB block)
 *   hard limit fires  ⇔ hard ≠ 0 and omem ≥ max(hard, repl-backlog-size)   (7.0 raises it)
 *   soft limit fires  ⇔ soft ≠ 0 and omem stays ≥ soft for more than soft-seconds
 *                       (time above soft while it grows + while the online replica drains it
 *                        at link − write rate)
 *   partial resync after an outage of D seconds needs repl-backlog-size ≥ write rate × D.
 *
 * Everything here only talks to servers with ordinary commands (INFO, CLIENT LIST, CONFIG GET,
 * DBSIZE, RANDOMKEY, DUMP), and optionally reads the master's log file.
 */
import { Redis } from 'ioredis';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { formatBytes } from './units.js';
import { parseInfo, parseClientList, parseReplicaLine } from './watch.js';

// The model lives in src/replication/forecast-model.ts: the master's live sync forecast uses it too.
import { MB, KB, BLOCK_OMEM, BLOCK_DATA, ASSUMED_SAVE_RATE, ASSUMED_LOAD_RATE, DEFAULT_MARGIN, confSize, roundUpMB, omemFor, effectiveHard, predictSync, minLinkRate, maxWriteRate, recommend, type BufferLimit, type ModelInput, type Prediction, type Recommendation } from '../replication/forecast-model.js';
export { MB, KB, BLOCK_OMEM, BLOCK_DATA, ASSUMED_SAVE_RATE, ASSUMED_LOAD_RATE, DEFAULT_MARGIN, confSize, roundUpMB, omemFor, effectiveHard, predictSync, minLinkRate, maxWriteRate, recommend };
export type { BufferLimit, ModelInput, Prediction, Recommendation };

/** Exit codes of `reddish doctor`. */
export const EXIT_OK = 0;
export const EXIT_UNREACHABLE = 1;
export const EXIT_USAGE = 2;
export const EXIT_FAIL = 3;
export const EXIT_UNKNOWN = 4;

export class DoctorError extends Error {
  override name = 'DoctorError';
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers

export type InfoMap = Record<string, string>;
export type ClientEntry = Record<string, string>;

// INFO / CLIENT LIST parsing is shared with `lab case2` (watch.ts).
export { parseInfo, parseClientList };
/** `a=1,b=x` → {a:'1', b:'x'} (INFO slaveN and dbN values). */
export const parseCommaFields = parseReplicaLine;

/** The replica class of `CONFIG GET client-output-buffer-limit` (`normal 0 0 0 slave 268435456 67108864 60 pubsub ...`). */
export function parseReplicaLimit(v: string): BufferLimit | undefined {
  const t = v.trim().split(/\s+/);
  for (let i = 0; i + 3 < t.length; i += 4) {
    const cls = t[i].toLowerCase();
    if (cls === 'slave' || cls === 'replica') return { hard: Number(t[i + 1]), soft: Number(t[i + 2]), softSeconds: Number(t[i + 3]) };
  }
  return undefined;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}


const fmtB = (n: number) => formatBytes(n);
const fmtMB = (n: number) => (n >= MB ? `${(n / MB).toFixed(2)} MB` : formatBytes(n));
const fmtRate = (n: number) => `${formatBytes(n)}/s`;
const fmtS = (s: number) => (s === Infinity ? '∞ s' : s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(s >= 10 ? 1 : 2)} s`);

export interface ReplicaInfo {
  /** INFO slaveN: `ip:port` (the replica's listening port). */
  name: string;
  ip: string;
  port: number;
  state: string;
  offset: number;
  lag: number;
}

export interface ReplicaSide {
  linkStatus?: string;
  syncInProgress: boolean;
  totalBytes?: number;
  readBytes?: number;
  loading?: boolean;
  replid?: string;
  /** The stream a second-channel sync keeps on the replica (Redis 8 replica_full_sync_buffer_*, Valkey 8 replicas_repl_buffer_*). */
  channelBuffer?: number;
  channelBufferPeak?: number;
  /** reddish: bytes of it spilled to disk (replica_full_sync_buffer_spilled_total). */
  channelSpilled?: number;
}

export interface Sample {
  t: number;
  info: InfoMap;
  replicas: ReplicaInfo[];
  clients: ClientEntry[];
  replicaSide: Record<string, ReplicaSide>;
}

export interface DoctorOptions {
  host?: string;
  port?: number;
  password?: string;
  username?: string;
  durationMs?: number;
  intervalMs?: number;
  /** Link throughput to assume when none was measured, bytes/s. */
  linkRate?: number;
  /** The master's log file, read for exact causes. */
  logfile?: string;
  /** Outage (s) a partial resync should survive; default repl-timeout. */
  outageSeconds?: number;
  margin?: number;
  /** Do not contact the replicas. */
  noReplicas?: boolean;
  connectTimeoutMs?: number;
  onSample?: (s: Sample, i: number) => void;
  signal?: AbortSignal;
}

export interface ReplicaReport {
  name: string;
  state: string;
  offset: number;
  lag: number;
  omem?: number;
  oll?: number;
  reachable: boolean;
  linkStatus?: string;
  syncReadBytes?: number;
  syncTotalBytes?: number;
  linkRate?: number;
  linkRateSource?: string;
  prediction?: Prediction;
  minLinkRate?: number;
  maxWriteRate?: number;
}

export interface DoctorEvent {
  /** ms since epoch */
  at: number;
  kind: 'dropped' | 'full-sync' | 'partial-sync' | 'sync-done' | 'log';
  replica?: string;
  cause?: string;
  psync?: string;
  /** For drops: the replica's state then (wait_bgsave, send_bulk, online). */
  state?: string;
  detail: string;
  source: 'sample' | 'log';
}

export interface DoctorReport {
  target: { host: string; port: number; server: 'redis' | 'reddish'; version: string; role: string };
  sampling: { durationMs: number; intervalMs: number; samples: number };
  config: {
    limit: BufferLimit;
    hardEffective: number;
    backlogSize: number;
    disklessSync: boolean;
    disklessDelay: number;
    replTimeout: number;
    maxmemory: number;
    totalSystemMemory: number;
  };
  writeRate: { bytesPerSec: number; peakBytesPerSec: number; source: string; note?: string };
  snapshot: { rdbBytes: number; rdbSource: string; saveSeconds: number; saveSource: string; loadSeconds: number; loadSource: string; keys: number; socketBuffer: number; socketBufferSource: string };
  replicas: ReplicaReport[];
  /** Prediction for a new replica at --link-rate (when given). */
  hypothetical?: ReplicaReport;
  counters: { syncFull: number; syncPartialOk: number; syncPartialErr: number };
  events: DoctorEvent[];
  loop: boolean;
  recommendation: Recommendation;
  verdict: 'ok' | 'fail' | 'unknown';
  summary: string;
  exitCode: number;
  notes: string[];
}

function connect(host: string, port: number, o: DoctorOptions, timeoutMs: number): Redis {
  const r = new Redis({
    host,
    port,
    password: o.password,
    username: o.username,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectionName: 'reddish-doctor',
  });
  r.on('error', (e: Error) => {
    lastErrors.set(r, e);
  });
  return r;
}

const lastErrors = new WeakMap<Redis, Error>();

async function tryCall(r: Redis, ...args: (string | number)[]): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1).map(String));
  } catch {
    return undefined;
  }
}

function replicasFromInfo(info: InfoMap): ReplicaInfo[] {
  const out: ReplicaInfo[] = [];
  for (let i = 0; ; i++) {
    const v = info[`slave${i}`];
    if (v === undefined) break;
    const f = parseCommaFields(v);
    out.push({ name: `${f.ip}:${f.port}`, ip: f.ip ?? '', port: Number(f.port ?? 0), state: f.state ?? '?', offset: Number(f.offset ?? 0), lag: Number(f.lag ?? 0) });
  }
  return out;
}

class ReplicaProbe {
  conn: Redis | undefined;
  failedAt = 0;
  reachable = false;
  constructor(
    readonly name: string,
    readonly ip: string,
    readonly port: number,
    readonly o: DoctorOptions,
  ) {}
  async sample(): Promise<ReplicaSide | undefined> {
    if (!this.conn) {
      if (this.failedAt && Date.now() - this.failedAt < 5000) return undefined;
      if (!this.port) return undefined;
      const c = connect(this.ip, this.port, this.o, 1000);
      try {
        await c.connect();
        this.conn = c;
      } catch {
        c.disconnect();
        this.failedAt = Date.now();
        return undefined;
      }
    }
    try {
      const text = (await this.conn.call('INFO', 'replication')) as string;
      const text2 = (await tryCall(this.conn, 'INFO', 'persistence')) as string | undefined;
      const i = parseInfo(text + '\n' + (text2 ?? ''));
      if (i.role !== 'slave') return undefined;
      this.reachable = true;
      return {
        linkStatus: i.master_link_status,
        syncInProgress: i.master_sync_in_progress === '1',
        totalBytes: num(i.master_sync_total_bytes),
        readBytes: num(i.master_sync_read_bytes),
        loading: i.loading === '1',
        replid: i.master_replid,
        channelBuffer: num(i.replica_full_sync_buffer_size) ?? num(i.replicas_repl_buffer_size),
        channelBufferPeak: num(i.replica_full_sync_buffer_peak) ?? num(i.replicas_repl_buffer_peak),
        channelSpilled: num(i.replica_full_sync_buffer_spilled_total),
      };
    } catch {
      this.conn.disconnect();
      this.conn = undefined;
      this.failedAt = Date.now();
      return undefined;
    }
  }
  close(): void {
    this.conn?.disconnect();
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/** Reads what was appended to `path` after byte `from`. */
function readLogFrom(path: string, from: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = size < from ? 0 : from;
    const len = Math.min(size - start, 64 * MB);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len > start ? size - len : start);
    return buf.toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function logSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Estimates the RDB size by DUMPing random keys of each database. */
async function estimateRdb(r: Redis, info: InfoMap, notes: string[]): Promise<{ bytes: number; source: string; keys: number }> {
  let keys = 0;
  const dbs: { db: number; keys: number; expires: number }[] = [];
  for (const [k, v] of Object.entries(info)) {
    const m = /^db(\d+)$/.exec(k);
    if (!m) continue;
    const f = parseCommaFields(v);
    const n = Number(f.keys ?? 0);
    if (n > 0) dbs.push({ db: Number(m[1]), keys: n, expires: Number(f.expires ?? 0) });
    keys += n;
  }
  if (keys === 0) return { bytes: 100, source: 'empty dataset', keys };
  const budget = 200;
  let total = 150; // header + aux fields + EOF + checksum
  let sampled = 0;
  try {
    for (const d of dbs) {
      const n = Math.max(10, Math.min(d.keys, Math.round((budget * d.keys) / keys)));
      await r.call('SELECT', String(d.db));
      let bytes = 0;
      let got = 0;
      for (let i = 0; i < n; i++) {
        const key = (await r.callBuffer('RANDOMKEY')) as Buffer | null;
        if (!key) break;
        const dump = (await r.callBuffer('DUMP', key)) as Buffer | null;
        if (!dump) continue;
        const kl = key.length;
        const lenEnc = kl < 64 ? 1 : kl < 16384 ? 2 : 5;
        bytes += dump.length - 10 + lenEnc + kl;
        got++;
      }
      if (got === 0) continue;
      sampled += got;
      total += (bytes / got) * d.keys + d.expires * 9 + 12;
    }
    await r.call('SELECT', '0');
  } catch (e) {
    const used = num(info.used_memory_dataset) ?? num(info.used_memory) ?? 0;
    notes.push(`DUMP sampling failed (${(e as Error).message}); RDB size assumed to be half of used_memory_dataset`);
    return { bytes: used / 2, source: 'assumed: used_memory_dataset / 2', keys };
  }
  return { bytes: total, source: `estimated: ${keys} keys × average DUMP size of ${sampled} random keys`, keys };
}

/** Samples the master for `durationMs` and builds the report. */
export async function runDoctor(o: DoctorOptions = {}): Promise<DoctorReport> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 6379;
  const durationMs = o.durationMs ?? 10000;
  const intervalMs = o.intervalMs ?? 500;
  const master = connect(host, port, o, o.connectTimeoutMs ?? 3000);
  try {
    await master.connect();
    // ioredis only says "Connection is closed": the socket error says why
    await master.call('PING');
  } catch (e) {
    master.disconnect();
    const why = lastErrors.get(master)?.message ?? (e as Error).message;
    throw new DoctorError(`cannot connect to ${host}:${port}: ${why}`);
  }
  const probes = new Map<string, ReplicaProbe>();
  try {
    let logFrom = 0;
    if (o.logfile) {
      try {
        logFrom = logSize(o.logfile);
      } catch (e) {
        throw new DoctorError(`cannot read the log file ${o.logfile}: ${(e as Error).message}`);
      }
    }
    const cfg = await readConfig(master);
    const samples: Sample[] = [];
    const t0 = Date.now();
    for (let i = 0; ; i++) {
      const t = Date.now();
      let info: InfoMap;
      let clients: ClientEntry[];
      try {
        info = parseInfo((await master.call('INFO')) as string);
        const cl = (await tryCall(master, 'CLIENT', 'LIST', 'TYPE', 'replica')) as string | undefined;
        clients = cl !== undefined ? parseClientList(cl) : parseClientList(((await tryCall(master, 'CLIENT', 'LIST')) as string | undefined) ?? '').filter((c) => (c.flags ?? '').includes('S'));
      } catch (e) {
        const closed = master.status !== 'ready';
        throw new DoctorError(closed ? `lost the connection to ${host}:${port}: ${lastErrors.get(master)?.message ?? (e as Error).message}` : `${host}:${port} refused INFO: ${(e as Error).message}`);
      }
      const replicas = replicasFromInfo(info);
      const replicaSide: Record<string, ReplicaSide> = {};
      if (!o.noReplicas) {
        await Promise.all(
          replicas.map(async (rp) => {
            let p = probes.get(rp.name);
            if (!p) probes.set(rp.name, (p = new ReplicaProbe(rp.name, rp.ip, rp.port, o)));
            const s = await p.sample();
            if (s) replicaSide[rp.name] = s;
          }),
        );
      }
      const s: Sample = { t: (t + Date.now()) / 2, info, replicas, clients, replicaSide };
      samples.push(s);
      o.onSample?.(s, i);
      if (o.signal?.aborted) break;
      const next = t0 + (i + 1) * intervalMs;
      if (next > t0 + durationMs) break;
      await sleep(Math.max(0, next - Date.now()), o.signal);
    }
    const last = samples[samples.length - 1].info;
    const notes: string[] = [];
    const needRdbEstimate = !samples.some((s) => Object.values(s.replicaSide).some((r) => (r.totalBytes ?? 0) > 0));
    const rdbEstimate = needRdbEstimate ? await estimateRdb(master, last, notes) : undefined;
    let logText: string | undefined;
    if (o.logfile) {
      try {
        logText = readLogFrom(o.logfile, logFrom);
      } catch (e) {
        notes.push(`could not read ${o.logfile}: ${(e as Error).message}`);
      }
    }
    return analyze({ host, port, durationMs, intervalMs, samples, cfg, rdbEstimate, logText, options: o, notes, probes });
  } finally {
    master.disconnect();
    for (const p of probes.values()) p.close();
  }
}

export interface MasterConfig {
  limit?: BufferLimit;
  backlogSize?: number;
  disklessSync?: boolean;
  disklessDelay?: number;
  replTimeout?: number;
  maxmemory?: number;
  /** repl-rdb-channel (Redis 8, reddish); undefined where the server has no such config. */
  rdbChannel?: boolean;
  /** dual-channel-replication-enabled (Valkey 8, reddish); undefined where absent. */
  dualChannel?: boolean;
}

async function readConfig(r: Redis): Promise<MasterConfig> {
  const get = async (name: string): Promise<string | undefined> => {
    const v = (await tryCall(r, 'CONFIG', 'GET', name)) as string[] | undefined;
    if (!Array.isArray(v)) return undefined;
    for (let i = 0; i + 1 < v.length; i += 2) if (String(v[i]).toLowerCase() === name) return String(v[i + 1]);
    return undefined;
  };
  const limitText = await get('client-output-buffer-limit');
  const yes = (v: string | undefined) => (v === undefined ? undefined : v === 'yes');
  return {
    limit: limitText !== undefined ? parseReplicaLimit(limitText) : undefined,
    backlogSize: num(await get('repl-backlog-size')),
    disklessSync: yes(await get('repl-diskless-sync')),
    disklessDelay: num(await get('repl-diskless-sync-delay')),
    replTimeout: num(await get('repl-timeout')),
    maxmemory: num(await get('maxmemory')),
    rdbChannel: yes(await get('repl-rdb-channel')),
    dualChannel: yes(await get('dual-channel-replication-enabled')),
  };
}

/** Replicas that kept the stream on their side during a second-channel full sync, and how much. */
export function replicaBufferNotes(samples: Sample[]): string[] {
  const peak = new Map<string, { peak: number; spilled: number }>();
  for (const s of samples) {
    for (const [name, side] of Object.entries(s.replicaSide)) {
      const p = Math.max(side.channelBufferPeak ?? 0, side.channelBuffer ?? 0);
      const cur = peak.get(name) ?? { peak: 0, spilled: 0 };
      peak.set(name, { peak: Math.max(cur.peak, p), spilled: Math.max(cur.spilled, side.channelSpilled ?? 0) });
    }
  }
  const out: string[] = [];
  for (const [name, f] of peak) {
    if (f.peak <= 0) continue;
    out.push(
      `replica ${name} kept the stream on its side during a second-channel full sync: peak ${fmtB(f.peak)} (INFO replica_full_sync_buffer_peak)` +
        (f.spilled > 0 ? `, ${fmtB(f.spilled)} of it spilled to disk` : '') +
        ': the master\'s output buffer did not have to hold it',
    );
  }
  return out;
}

/**
 * What the doctor says about the second replication channel when a classic full sync is
 * predicted to fail: turn it on where the server has it, or name the servers that do.
 */
function channelNote(cfg: MasterConfig, disklessSync: boolean): string {
  const why = 'the snapshot then travels on a connection of its own and the writes made meanwhile stream to the replica at once instead of piling up in this output buffer';
  const on: string[] = [];
  const off: string[] = [];
  if (cfg.rdbChannel !== undefined) (cfg.rdbChannel ? on : off).push('repl-rdb-channel');
  if (cfg.dualChannel !== undefined) (cfg.dualChannel ? on : off).push('dual-channel-replication-enabled');
  if (on.length === 0 && off.length === 0) {
    return `this server has no second replication channel (Redis 7.x): Redis 8 (repl-rdb-channel), Valkey 8 (dual-channel-replication-enabled) and reddish send the snapshot on its own connection, so a full sync no longer depends on this limit`;
  }
  const diskless = disklessSync ? '' : ' (it needs repl-diskless-sync yes on the master)';
  if (on.length > 0) {
    return `${on.join(' and ')} is on${diskless}: replicas that speak it avoid this buffer (${why}); the prediction above is for those that do not`;
  }
  return `this server can sync replicas over a second channel: CONFIG SET ${off[0]} yes on the master and its replicas${diskless}; ${why}`;
}

// ---------------------------------------------------------------------------------------------
// Analysis

export interface AnalyzeInput {
  host: string;
  port: number;
  durationMs: number;
  intervalMs: number;
  samples: Sample[];
  cfg: MasterConfig;
  rdbEstimate?: { bytes: number; source: string; keys: number };
  logText?: string;
  options: DoctorOptions;
  notes: string[];
  probes?: Map<string, ReplicaProbe>;
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) return true;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a > major || (a === major && b >= minor);
}

function ipOf(addr: string | undefined): string {
  if (!addr) return '';
  const i = addr.lastIndexOf(':');
  return (i > 0 ? addr.slice(0, i) : addr).replace(/^\[|\]$/g, '');
}

/** Builds the report from the samples (pure apart from the inputs). */
export function analyze(x: AnalyzeInput): DoctorReport {
  const { samples, cfg, notes } = x;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const L = last.info;
  const version = L.redis_version ?? '?';
  const server: 'redis' | 'reddish' = L.reddish_version !== undefined ? 'reddish' : 'redis';
  const role = L.role ?? '?';
  const floor = versionAtLeast(version, 7, 0);
  const limit: BufferLimit = cfg.limit ?? { hard: 256 * MB, soft: 64 * MB, softSeconds: 60 };
  if (!cfg.limit) notes.push('CONFIG GET client-output-buffer-limit failed: assuming the default replica 256mb 64mb 60');
  const backlogSize = cfg.backlogSize ?? num(L.repl_backlog_size) ?? MB;
  const disklessSync = cfg.disklessSync ?? false;
  const replTimeout = cfg.replTimeout ?? 60;
  const hardEff = effectiveHard(limit, backlogSize, floor);
  if (role !== 'master') notes.push(`${x.host}:${x.port} is a ${role}; doctor is meant for the master (it still reports its own sub-replicas)`);
  // reddish masters forecast each full sync themselves (INFO sync_forecast_replicaN, N as in slaveN).
  for (const [k, v] of Object.entries(L)) {
    const fm = /^sync_forecast_replica(\d+)$/.exec(k);
    if (!fm) continue;
    const f = parseCommaFields(v);
    const who = L[`slave${fm[1]}`] ? parseCommaFields(L[`slave${fm[1]}`]) : undefined;
    const name = who ? `${who.ip}:${who.port}` : `replica ${fm[1]}`;
    const limitIn = Number(f.limit_in_sec);
    notes.push(
      `the master's own sync forecast for ${name}: ${f.state}, verdict ${f.verdict}` +
        (f.state !== 'done' ? `, sync ends in ${f.eta_sec} s${limitIn >= 0 ? `, limit in ${limitIn} s` : ''}` : '') +
        (f.suggest ? `, suggests client-output-buffer-limit '${f.suggest.replace(/_/g, ' ')}'` : ''),
    );
  }

  // --- write rate
  const dt = (last.t - first.t) / 1000;
  let writeRate = 0;
  let peakRate = 0;
  let writeSource = 'none (a single sample)';
  let writeNote: string | undefined;
  if (samples.length >= 2 && dt > 0) {
    const offA = num(first.info.master_repl_offset) ?? 0;
    const offB = num(L.master_repl_offset) ?? 0;
    const backlogActive = first.info.repl_backlog_active === '1' && L.repl_backlog_active === '1';
    const series = (key: string) => {
      let peak = 0;
      for (let i = 1; i < samples.length; i++) {
        const d = (num(samples[i].info[key]) ?? 0) - (num(samples[i - 1].info[key]) ?? 0);
        const s = (samples[i].t - samples[i - 1].t) / 1000;
        if (s > 0 && d / s > peak) peak = d / s;
      }
      return peak;
    };
    if (backlogActive || offB > offA) {
      writeRate = Math.max(0, (offB - offA) / dt);
      peakRate = series('master_repl_offset');
      writeSource = `master_repl_offset +${fmtB(offB - offA)} in ${fmtS(dt)}`;
    } else {
      const inA = num(first.info.total_net_input_bytes) ?? 0;
      const inB = num(L.total_net_input_bytes) ?? 0;
      // our own INFO (14 bytes) and CLIENT LIST TYPE replica (49 bytes) per sample
      const own = 63 * (samples.length - 1);
      writeRate = Math.max(0, (inB - inA - own) / dt);
      peakRate = series('total_net_input_bytes');
      writeSource = `total_net_input_bytes +${fmtB(inB - inA)} in ${fmtS(dt)}`;
      writeNote = 'no replication backlog yet (master_repl_offset does not move): the rate is all bytes clients sent, reads included — an upper bound of the write stream';
    }
  }

  // --- replicas: per-replica link throughput from the replica side, then from the master side
  const names = new Set<string>();
  for (const s of samples) for (const r of s.replicas) names.add(r.name);
  const lastReplicas = new Map(last.replicas.map((r) => [r.name, r]));
  const replicaRates = new Map<string, { rate: number; source: string }>();
  for (const name of names) {
    let bytes = 0;
    let secs = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1].replicaSide[name];
      const b = samples[i].replicaSide[name];
      if (!a || !b || !a.syncInProgress || !b.syncInProgress) continue;
      const ra = a.readBytes ?? 0;
      const rb = b.readBytes ?? 0;
      if (ra > 0 && rb > ra && (a.totalBytes ?? 0) === (b.totalBytes ?? 0)) {
        bytes += rb - ra;
        secs += (samples[i].t - samples[i - 1].t) / 1000;
      }
    }
    if (secs > 0 && bytes > 0) replicaRates.set(name, { rate: bytes / secs, source: `replica's master_sync_read_bytes +${fmtB(bytes)} in ${fmtS(secs)}` });
  }
  // master side: total_net_repl_output_bytes while replicas are in send_bulk (or a diskless
  // transfer). The first second of a transfer is left out: the socket buffers fill at once
  // (several MB on a fast local link), which says nothing about the link.
  {
    const acc = new Map<string, { bytes: number; secs: number }>();
    const since = new Map<string, number>();
    const isTransferring = (s: Sample, r: ReplicaInfo) => r.state === 'send_bulk' || (disklessSync && r.state === 'wait_bgsave' && s.info.rdb_bgsave_in_progress === '1');
    for (const r of samples[0].replicas) if (isTransferring(samples[0], r)) since.set(r.name, samples[0].t);
    for (let i = 1; i < samples.length; i++) {
      const A = samples[i - 1];
      const B = samples[i];
      for (const r of B.replicas) {
        if (!isTransferring(B, r)) since.delete(r.name);
        else if (!since.has(r.name)) since.set(r.name, B.t);
      }
      const inA = new Map(A.replicas.map((r) => [r.name, r]));
      const transferring = B.replicas.filter((r) => {
        const ra = inA.get(r.name);
        return ra !== undefined && isTransferring(A, ra) && isTransferring(B, r) && A.t - (since.get(r.name) ?? A.t) >= 1000;
      });
      if (transferring.length === 0) continue;
      const s = (B.t - A.t) / 1000;
      const online = B.replicas.filter((r) => r.state === 'online' && inA.get(r.name)?.state === 'online').length;
      // (intervals where the counter did not move count too: a server may write in big chunks)
      const d = Math.max(0, (num(B.info.total_net_repl_output_bytes) ?? 0) - (num(A.info.total_net_repl_output_bytes) ?? 0) - writeRate * s * online);
      if (s <= 0) continue;
      for (const r of transferring) {
        const e = acc.get(r.name) ?? { bytes: 0, secs: 0 };
        e.bytes += d / transferring.length;
        e.secs += s;
        acc.set(r.name, e);
      }
    }
    for (const [name, e] of acc) {
      if (replicaRates.has(name) || e.secs < 1) continue;
      replicaRates.set(name, { rate: e.bytes / e.secs, source: `master's total_net_repl_output_bytes during the transfer, ${fmtB(e.bytes)} in ${fmtS(e.secs)}` });
    }
  }

  // --- snapshot
  let rdbBytes: number;
  let rdbSource: string;
  const announced = samples.flatMap((s) => Object.entries(s.replicaSide)).filter(([, r]) => (r.totalBytes ?? 0) > 0);
  let keys = 0;
  for (const [k, v] of Object.entries(L)) if (/^db\d+$/.test(k)) keys += Number(parseCommaFields(v).keys ?? 0);
  if (announced.length > 0) {
    const [name, r] = announced[announced.length - 1];
    rdbBytes = r.totalBytes!;
    rdbSource = `announced to replica ${name} (master_sync_total_bytes)`;
  } else if (x.rdbEstimate) {
    rdbBytes = x.rdbEstimate.bytes;
    rdbSource = x.rdbEstimate.source;
  } else {
    rdbBytes = 0;
    rdbSource = 'unknown';
  }
  let saveSeconds: number | undefined;
  let saveSource = '';
  {
    // a BGSAVE seen starting and ending during the sampling
    let start: number | undefined;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1].info.rdb_bgsave_in_progress === '1';
      const b = samples[i].info.rdb_bgsave_in_progress === '1';
      if (!a && b) start = (samples[i - 1].t + samples[i].t) / 2;
      if (a && !b && start !== undefined) {
        const d = ((samples[i - 1].t + samples[i].t) / 2 - start) / 1000;
        saveSeconds = Math.max(saveSeconds ?? 0, d);
        saveSource = `observed during the sampling (±${fmtS(x.intervalMs / 1000)})`;
        start = undefined;
      }
    }
    const lastTime = num(L.rdb_last_bgsave_time_sec) ?? -1;
    const cur = num(L.rdb_current_bgsave_time_sec) ?? -1;
    if (saveSeconds === undefined && lastTime >= 0) {
      saveSeconds = lastTime;
      saveSource = 'rdb_last_bgsave_time_sec (whole seconds)';
    }
    if (cur > (saveSeconds ?? -1)) {
      saveSeconds = cur;
      saveSource = 'rdb_current_bgsave_time_sec (a BGSAVE still running: at least this)';
    }
    if (disklessSync) {
      // a diskless child writes into the replicas' sockets: it lives as long as the transfer,
      // so its duration says nothing about how fast the snapshot itself could be produced
      saveSeconds = undefined;
    }
    if (saveSeconds === undefined) {
      saveSeconds = rdbBytes / ASSUMED_SAVE_RATE;
      saveSource = `assumed: ${fmtB(rdbBytes)} at ${fmtRate(ASSUMED_SAVE_RATE)}${disklessSync ? ' (diskless: the BGSAVE child lives as long as the transfer, its duration is not the snapshot time)' : ''}`;
    }
  }
  // socket buffering: the master put a replica online (last RDB byte written) while the
  // replica still had bytes to read
  let socketBuffer = 0;
  let socketBufferSource = 'not measured (assumed 0: the safe side)';
  for (const s of samples) {
    for (const r of s.replicas) {
      const side = s.replicaSide[r.name];
      if (r.state !== 'online' || !side?.syncInProgress || !(side.totalBytes! > 0)) continue;
      const k = side.totalBytes! - (side.readBytes ?? 0);
      if (k > socketBuffer) {
        socketBuffer = k;
        socketBufferSource = `measured: the master had sent the whole RDB while ${r.name} still had ${fmtB(k)} to read`;
      }
    }
  }
  const loadSeconds = rdbBytes / ASSUMED_LOAD_RATE;
  const loadSource = `assumed: ${fmtB(rdbBytes)} at ${fmtRate(ASSUMED_LOAD_RATE)}`;

  // --- predictions
  const base: Omit<ModelInput, 'linkRate'> = {
    writeRate,
    rdbBytes,
    saveSeconds,
    loadSeconds,
    diskless: disklessSync,
    limit,
    backlogSize,
    hardFloorFromBacklog: floor,
    socketBuffer,
  };
  const lastClients = new Map<string, ClientEntry>();
  const ipCount = new Map<string, number>();
  for (const r of last.replicas) ipCount.set(r.ip, (ipCount.get(r.ip) ?? 0) + 1);
  for (const c of last.clients) {
    const ip = ipOf(c.addr);
    const r = last.replicas.find((rr) => rr.ip === ip);
    if (r && ipCount.get(ip) === 1) lastClients.set(r.name, c);
  }
  const reports: ReplicaReport[] = [];
  const lastSeen = (name: string): Sample | undefined => {
    for (let i = samples.length - 1; i >= 0; i--) if (samples[i].replicas.some((r) => r.name === name)) return samples[i];
    return undefined;
  };
  for (const name of names) {
    const seen = lastSeen(name);
    const attached = lastReplicas.has(name);
    const info = lastReplicas.get(name) ?? seen?.replicas.find((r) => r.name === name);
    let side = last.replicaSide[name];
    for (let i = samples.length - 1; i >= 0 && !side; i--) side = samples[i].replicaSide[name];
    const measured = replicaRates.get(name);
    const rate = measured?.rate ?? x.options.linkRate;
    const c = lastClients.get(name);
    const rep: ReplicaReport = {
      name,
      state: attached ? info!.state : `not attached at the last sample (was ${info?.state ?? '?'})`,
      offset: info?.offset ?? 0,
      lag: info?.lag ?? 0,
      omem: c ? num(c.omem) : undefined,
      oll: c ? num(c.oll) : undefined,
      reachable: x.probes?.get(name)?.reachable ?? side !== undefined,
      linkStatus: side?.linkStatus,
      syncReadBytes: side?.readBytes,
      syncTotalBytes: side?.totalBytes,
      linkRate: rate,
      linkRateSource: measured ? measured.source : rate !== undefined ? 'assumed (--link-rate)' : undefined,
    };
    if (rate !== undefined && rate > 0) {
      rep.prediction = predictSync({ ...base, linkRate: rate });
      rep.maxWriteRate = maxWriteRate({ ...base, linkRate: rate });
    }
    rep.minLinkRate = minLinkRate(base);
    reports.push(rep);
  }
  let hypothetical: ReplicaReport | undefined;
  if (x.options.linkRate !== undefined && (reports.length === 0 || reports.some((r) => r.linkRateSource !== 'assumed (--link-rate)'))) {
    const rate = x.options.linkRate;
    hypothetical = {
      name: 'a new replica',
      state: 'hypothetical',
      offset: 0,
      lag: 0,
      reachable: false,
      linkRate: rate,
      linkRateSource: 'assumed (--link-rate)',
      prediction: predictSync({ ...base, linkRate: rate }),
      minLinkRate: minLinkRate(base),
      maxWriteRate: maxWriteRate({ ...base, linkRate: rate }),
    };
  }

  // --- events
  const events: DoctorEvent[] = [];
  const counter = (k: string) => (num(L[k]) ?? 0) - (num(first.info[k]) ?? 0);
  const counters = { syncFull: counter('sync_full'), syncPartialOk: counter('sync_partial_ok'), syncPartialErr: counter('sync_partial_err') };
  detectEvents(x, samples, { limit, hardEff, writeRate, replTimeout }, events);
  if (x.logText !== undefined) logEvents(x.logText, hardEff, limit, events);
  events.sort((a, b) => a.at - b.at);
  const drops = events.filter((e) => e.kind === 'dropped' && /limit/.test(e.cause ?? ''));
  const loop = counters.syncFull >= 2 || drops.length > 0;

  // --- verdict
  const preds = [...reports, ...(hypothetical ? [hypothetical] : [])].filter((r) => r.prediction);
  const worst = preds.slice().sort((a, b) => b.prediction!.peakOmem - a.prediction!.peakOmem)[0];
  const failing = preds.filter((r) => !r.prediction!.ok);
  const outage = x.options.outageSeconds ?? replTimeout;
  const rec = recommend({ prediction: (failing[0] ?? worst)?.prediction, writeRate, limit, backlogSize, outageSeconds: outage, margin: x.options.margin, hardFloorFromBacklog: floor });
  let verdict: DoctorReport['verdict'];
  let summary: string;
  if (failing.length > 0) {
    verdict = 'fail';
    summary = failing.map((r) => `a full sync of ${r.name} cannot finish: ${r.prediction!.failure} (after ${fmtS(r.prediction!.failure === 'soft limit' ? r.prediction!.softAt ?? 0 : r.prediction!.hardAt ?? 0)}; the sync needs ${fmtS(r.prediction!.syncSeconds)})`).join('; ');
  } else if (drops.length > 0) {
    verdict = 'fail';
    summary = `replicas were dropped for output buffer limits during the sampling (${drops.length}×)`;
  } else if (preds.length > 0 || writeRate === 0 || minLinkRate(base) <= 10 * KB) {
    verdict = 'ok';
    summary =
      preds.length > 0
        ? `full syncs finish under the current limits (worst: ${worst!.name}, peak omem ${fmtB(worst!.prediction!.peakOmem)} vs hard ${hardEff ? fmtB(hardEff) : 'none'})`
        : writeRate === 0
          ? 'no writes during the sampling: a full sync buffers nothing'
          : `so few writes that any link faster than ${fmtRate(minLinkRate(base))} finishes a full sync`;
  } else {
    verdict = 'unknown';
    const m = minLinkRate(base);
    summary = `no link throughput measured (no replica was transferring an RDB): pass --link-rate; a full sync would need at least ${m === Infinity ? '∞ (impossible at any speed)' : fmtRate(m)}`;
  }
  const exitCode = verdict === 'ok' ? EXIT_OK : verdict === 'fail' ? EXIT_FAIL : EXIT_UNKNOWN;
  if (verdict === 'fail') notes.push(channelNote(cfg, disklessSync));
  notes.push(...replicaBufferNotes(samples));
  const totalMem = num(L.total_system_memory) ?? 0;
  if (rec.limit.hard > 0 && totalMem > 0 && rec.limit.hard > totalMem / 4) {
    notes.push(`the recommended hard limit (${fmtB(rec.limit.hard)}) is more than a quarter of the machine's memory (${fmtB(totalMem)}): consider a faster link, fewer writes during the sync, or diskless sync instead`);
  }
  if (!disklessSync && preds.some((r) => !r.prediction!.ok)) {
    const alt = predictSync({ ...base, diskless: true, linkRate: (failing[0] ?? worst)!.linkRate! });
    if (alt.ok) notes.push(`with repl-diskless-sync yes the snapshot is produced while it is sent (T = ${fmtS(alt.syncSeconds)}): the sync would succeed under the current limits`);
  }
  return {
    target: { host: x.host, port: x.port, server, version, role },
    sampling: { durationMs: x.durationMs, intervalMs: x.intervalMs, samples: samples.length },
    config: { limit, hardEffective: hardEff, backlogSize, disklessSync, disklessDelay: cfg.disklessDelay ?? 0, replTimeout, maxmemory: cfg.maxmemory ?? 0, totalSystemMemory: totalMem },
    writeRate: { bytesPerSec: writeRate, peakBytesPerSec: peakRate, source: writeSource, note: writeNote },
    snapshot: { rdbBytes, rdbSource, saveSeconds, saveSource, loadSeconds, loadSource, keys, socketBuffer, socketBufferSource },
    replicas: reports,
    hypothetical,
    counters,
    events,
    loop,
    recommendation: rec,
    verdict,
    summary,
    exitCode,
    notes,
  };
}

/** Replica drops and full syncs seen in the samples, with their likely causes. */
function detectEvents(x: AnalyzeInput, samples: Sample[], k: { limit: BufferLimit; hardEff: number; writeRate: number; replTimeout: number }, events: DoctorEvent[]): void {
  const aboveSoftSince = new Map<string, number>();
  /** Replicas (by ip) seen online during the sampling, and the last drop cause per ip. */
  const wasOnline = new Set<string>();
  const lastDrop = new Map<string, DoctorEvent>();
  for (const r of samples[0].replicas) if (r.state === 'online') wasOnline.add(r.ip);
  const ipToName = (ip: string) => samples.flatMap((s) => s.replicas).find((r) => r.ip === ip)?.name ?? ip;
  for (let i = 1; i < samples.length; i++) {
    const A = samples[i - 1];
    const B = samples[i];
    const dts = (B.t - A.t) / 1000;
    for (const c of A.clients) {
      const id = c.id;
      const omem = Number(c.omem ?? 0);
      if (k.limit.soft > 0 && omem >= k.limit.soft) {
        if (!aboveSoftSince.has(id)) aboveSoftSince.set(id, A.t);
      } else aboveSoftSince.delete(id);
      if (B.clients.some((cc) => cc.id === id)) continue;
      // replica client `id` vanished between A and B
      const ip = ipOf(c.addr);
      const name = ipToName(ip);
      const projected = omem + k.writeRate * dts * (BLOCK_OMEM / BLOCK_DATA);
      const since = aboveSoftSince.get(id);
      const infoA = A.replicas.find((r) => r.ip === ip);
      let cause: string;
      let detail: string;
      if (k.hardEff > 0 && projected >= k.hardEff * 0.9) {
        cause = 'hard limit';
        detail = `omem ${fmtB(omem)} at the last sample + ${fmtRate(k.writeRate)} × ${fmtS(dts)} ≈ ${fmtB(projected)} ≥ 90% of the hard limit ${fmtB(k.hardEff)}`;
      } else if (k.limit.soft > 0 && since !== undefined && (B.t - since) / 1000 >= k.limit.softSeconds) {
        cause = 'soft limit';
        detail = `omem ≥ soft ${fmtB(k.limit.soft)} for ${fmtS((B.t - since) / 1000)} (soft-seconds ${k.limit.softSeconds})`;
      } else if (infoA && infoA.state === 'online' && infoA.lag >= k.replTimeout - 2) {
        cause = 'timeout';
        detail = `no ACK for ${infoA.lag} s (repl-timeout ${k.replTimeout})`;
      } else {
        cause = 'connection lost';
        detail = `omem ${fmtB(omem)} at the last sample: not near a limit (network, replica restart or REPLICAOF, or a limit reached between samples)`;
      }
      const ev: DoctorEvent = { at: B.t, kind: 'dropped', replica: name, cause, state: infoA?.state, detail: `${c.addr} (id ${id}, ${infoA?.state ?? '?'}) dropped: ${detail}`, source: 'sample' };
      events.push(ev);
      lastDrop.set(ip, ev);
      aboveSoftSince.delete(id);
    }
    for (const r of B.replicas) if (r.state === 'online') wasOnline.add(r.ip);
    // syncs
    const d = (key: string) => (num(B.info[key]) ?? 0) - (num(A.info[key]) ?? 0);
    const full = d('sync_full');
    const perr = d('sync_partial_err');
    const pok = d('sync_partial_ok');
    if (pok > 0) events.push({ at: B.t, kind: 'partial-sync', detail: `${pok} partial resync(s) accepted`, cause: 'partial', source: 'sample' });
    if (full > 0) {
      // who: replicas new in B in a non-online state, or whose state restarted
      const newcomers = B.clients.filter((c) => !A.clients.some((cc) => cc.id === c.id)).map((c) => ipOf(c.addr));
      for (let j = 0; j < full; j++) {
        const ip = newcomers[j] ?? newcomers[0];
        const name = ip ? ipToName(ip) : undefined;
        let psync: string;
        if (j < perr) {
          const side = name ? B.replicaSide[name] ?? A.replicaSide[name] : undefined;
          const replid = B.info.master_replid;
          const replid2 = B.info.master_replid2;
          if (side?.replid && side.replid !== replid && side.replid !== replid2) psync = 'replication ID mismatch';
          else if (side?.replid) psync = 'lack of backlog (the replica\'s offset is no longer in the backlog)';
          else if (ip && wasOnline.has(ip)) psync = 'lack of backlog (likely: the replica had been online)';
          else psync = 'replication ID mismatch (likely: the replica never finished a sync with this master)';
        } else psync = 'full resync requested by the replica (PSYNC ? -1: new replica or no cached master)';
        const drop = ip ? lastDrop.get(ip) : undefined;
        const refusal = psync.startsWith('lack of backlog') ? 'backlog too small' : psync.startsWith('replication ID mismatch') ? 'ID mismatch' : 'new replica';
        // A replica dropped during its full sync (not online) has to start over: the drop is
        // the cause. One dropped while online could have resumed with a partial resync: what
        // made it a full sync is the refusal (backlog too small, ID mismatch).
        const cause = drop && drop.state !== 'online' && /limit|timeout/.test(drop.cause ?? '') ? drop.cause! : refusal;
        events.push({
          at: B.t,
          kind: 'full-sync',
          replica: name,
          cause,
          psync,
          detail: `full sync${name ? ` of ${name}` : ''}: ${drop ? `its previous connection was dropped (${drop.cause}); ` : ''}PSYNC refused: ${psync}`,
          source: 'sample',
        });
        if (ip) lastDrop.delete(ip);
      }
    }
    for (const r of B.replicas) {
      const ra = A.replicas.find((q) => q.name === r.name);
      if (r.state === 'online' && ra && ra.state !== 'online') events.push({ at: B.t, kind: 'sync-done', replica: r.name, detail: `${r.name} is online (sync finished)`, source: 'sample' });
    }
  }
}

const LOG_RE = /^(\d+):([MSCX]) (\d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}) ([.\-*#]) (.*)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function logTime(s: string): number {
  const m = /^(\d\d) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(s);
  if (!m) return 0;
  return new Date(Number(m[3]), MONTHS.indexOf(m[2]), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])).getTime();
}

/** Exact causes from the master's log lines. */
export function logEvents(text: string, hardEff: number, limit: BufferLimit, events: DoctorEvent[]): void {
  const lastDrop = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = LOG_RE.exec(line.trim());
    if (!m) continue;
    const at = logTime(m[3]);
    const msg = m[5];
    let r: RegExpExecArray | null;
    if ((r = /^Client (.*) (?:scheduled to be closed ASAP|closed) for overcoming of output buffer limits\.$/.exec(msg))) {
      const f = parseClientList(r[1])[0] ?? {};
      const omem = Number(f.omem ?? 0);
      const cause = hardEff > 0 && omem >= hardEff ? 'hard limit' : limit.soft > 0 && omem >= limit.soft ? 'soft limit' : 'output buffer limit';
      const ip = ipOf(f.addr);
      lastDrop.set(ip, cause);
      events.push({ at, kind: 'dropped', replica: f.addr, cause, detail: `log: ${f.addr} dropped for output buffer limits, omem=${omem} oll=${f.oll} (${cause}: ${cause === 'hard limit' ? `≥ ${hardEff}` : `≥ soft ${limit.soft} for > ${limit.softSeconds} s`})`, source: 'log' });
    } else if ((r = /^Disconnecting timedout replica \((?:streaming|full) sync\): (\S+)/.exec(msg))) {
      lastDrop.set(ipOf(r[1]), 'timeout');
      events.push({ at, kind: 'dropped', replica: r[1], cause: 'timeout', detail: `log: ${msg}`, source: 'log' });
    } else if ((r = /^Partial resynchronization not accepted: (Replication ID mismatch|Requested offset for second ID)/.exec(msg))) {
      events.push({ at, kind: 'log', cause: 'ID mismatch', psync: 'replication ID mismatch', detail: `log: ${msg.length > 160 ? msg.slice(0, 160) + '…' : msg}`, source: 'log' });
    } else if ((r = /^Unable to partial resync with replica (\S+) for lack of backlog/.exec(msg))) {
      const prev = lastDrop.get(ipOf(r[1]));
      events.push({ at, kind: 'log', replica: r[1], cause: prev ?? 'backlog too small', psync: 'lack of backlog', detail: `log: ${msg}`, source: 'log' });
    } else if ((r = /^Full resync requested by replica (\S+)/.exec(msg))) {
      events.push({ at, kind: 'log', replica: r[1], cause: lastDrop.get(ipOf(r[1])) ?? 'new replica', psync: 'PSYNC ? -1', detail: `log: ${msg}`, source: 'log' });
    } else if (/^Starting BGSAVE for SYNC with target|^Synchronization with replica .* succeeded|^Connection with replica .* lost|^Partial resynchronization request from .* accepted|^Can't attach the replica/.test(msg)) {
      events.push({ at, kind: 'log', detail: `log: ${msg}`, source: 'log' });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Human-readable report

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatReport(r: DoctorReport): string {
  const out: string[] = [];
  const c = r.config;
  out.push(`reddish doctor — ${r.target.host}:${r.target.port} (${r.target.server} ${r.target.version}, role ${r.target.role}), ${r.sampling.samples} samples over ${fmtS(r.sampling.durationMs / 1000)} every ${r.sampling.intervalMs} ms`);
  out.push('');
  out.push(`Write stream   ${fmtRate(r.writeRate.bytesPerSec)} (${r.writeRate.source}; peak ${fmtRate(r.writeRate.peakBytesPerSec)} over one interval)`);
  if (r.writeRate.note) out.push(`               note: ${r.writeRate.note}`);
  out.push(`Snapshot       RDB ${fmtB(r.snapshot.rdbBytes)} (${r.snapshot.rdbSource}), ${r.snapshot.keys} keys`);
  out.push(`               BGSAVE ${fmtS(r.snapshot.saveSeconds)} (${r.snapshot.saveSource}); load ${fmtS(r.snapshot.loadSeconds)} (${r.snapshot.loadSource})`);
  out.push(`               socket buffers ${fmtB(r.snapshot.socketBuffer)} (${r.snapshot.socketBufferSource})`);
  const floorNote = c.hardEffective !== c.limit.hard && c.limit.hard !== 0 ? ` → effective hard ${fmtB(c.hardEffective)} (raised to repl-backlog-size)` : '';
  out.push(`Limits         client-output-buffer-limit replica ${confSize(c.limit.hard)} ${confSize(c.limit.soft)} ${c.limit.softSeconds}${floorNote}`);
  out.push(`               repl-backlog-size ${confSize(c.backlogSize)}, repl-diskless-sync ${c.disklessSync ? 'yes' : 'no'}, repl-timeout ${c.replTimeout} s`);
  out.push(`Counters       during the sampling: sync_full +${r.counters.syncFull}, sync_partial_ok +${r.counters.syncPartialOk}, sync_partial_err +${r.counters.syncPartialErr}`);
  out.push('');
  const all = [...r.replicas, ...(r.hypothetical ? [r.hypothetical] : [])];
  if (r.replicas.length === 0) out.push('Replicas       none attached');
  else {
    out.push('Replicas');
    for (const p of r.replicas) {
      const parts = [`state=${p.state}`];
      if (p.omem !== undefined) parts.push(`omem=${fmtB(p.omem)} (oll=${p.oll})`);
      if (p.state === 'online') parts.push(`lag=${p.lag}`);
      if (p.reachable) {
        if (p.linkStatus) parts.push(`link ${p.linkStatus}`);
        if (p.syncTotalBytes !== undefined && p.syncReadBytes !== undefined && p.syncTotalBytes > 0) parts.push(`sync ${fmtB(p.syncReadBytes)} of ${fmtB(p.syncTotalBytes)}`);
      } else parts.push('not reachable');
      parts.push(p.linkRate !== undefined ? `throughput ${fmtRate(p.linkRate)} (${p.linkRateSource})` : 'throughput unknown');
      out.push(`  ${p.name}  ${parts.join('  ')}`);
    }
  }
  for (const p of all) {
    out.push('');
    if (!p.prediction) {
      out.push(`Full sync of ${p.name}: no prediction (throughput unknown); it needs a link of at least ${p.minLinkRate === Infinity ? '∞' : fmtRate(p.minLinkRate ?? 0)}`);
      continue;
    }
    const pr = p.prediction;
    out.push(`Full sync of ${p.name} at ${fmtRate(p.linkRate!)}: ${pr.ok ? 'WOULD FINISH' : `WOULD FAIL (${pr.failure})`}`);
    for (const line of pr.arithmetic) out.push(`  ${line}`);
    out.push(`  it succeeds with a link ≥ ${p.minLinkRate === Infinity ? '∞ (no link is fast enough)' : fmtRate(p.minLinkRate!)}, or writes ≤ ${fmtRate(p.maxWriteRate ?? 0)} at this link`);
  }
  if (r.events.length > 0) {
    out.push('');
    const nDrops = r.events.filter((e) => e.kind === 'dropped').length;
    out.push(`During the sampling${r.loop ? ': FULL-SYNC LOOP' : ''} (${r.counters.syncFull} full sync(s) started, ${nDrops} replica drop(s))`);
    for (const e of r.events) {
      const head = e.kind === 'full-sync' ? `full sync — cause: ${e.cause}` : e.kind === 'dropped' ? `replica dropped — ${e.cause}` : e.kind;
      out.push(`  ${clock(e.at)}  ${head}: ${e.detail}`);
    }
  }
  out.push('');
  out.push('Recommendation');
  for (const line of r.recommendation.arithmetic) out.push(`  ${line}`);
  if (r.recommendation.commands.length) for (const cmd of r.recommendation.commands) out.push(`  → ${cmd}`);
  else out.push('  → nothing to change');
  for (const n of r.notes) out.push(`Note: ${n}`);
  out.push('');
  out.push(`Verdict: ${r.verdict.toUpperCase()} — ${r.summary} (exit ${r.exitCode})`);
  return out.join('\n');
}
