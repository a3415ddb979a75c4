/**
 * Watching a Redis server from the outside, for the lab: INFO and CLIENT LIST parsing, and a
 * line-by-line reader of a server's log (Redis's `pid:role dd Mon yyyy HH:MM:SS.mmm <level> msg`
 * format) that turns the lines the replication case cares about into typed events.
 *
 * Only what any Redis 7.0 prints is used, so the same code watches reddish and redis-server.
 */
import type { Readable } from 'node:stream';

/** `INFO` text → { field: value } (all sections merged; `# Section` lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A numeric INFO field, or `undefined` when absent / not a number. */
export function infoNum(info: Record<string, string>, field: string): number | undefined {
  const v = info[field];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** `slave0:ip=127.0.0.1,port=7201,state=online,offset=5,lag=0` → { ip, port, state, ... }. */
export function parseReplicaLine(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of v.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** `CLIENT LIST` text → one record per client (`id=.. addr=.. omem=..`). */
export function parseClientList(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    out.push(parseClientInfo(line));
  }
  return out;
}

/** One client-info string (as in CLIENT LIST and in the buffer-limit log lines). */
export function parseClientInfo(s: string): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const tok of s.split(' ')) {
    const i = tok.indexOf('=');
    if (i > 0) rec[tok.slice(0, i)] = tok.slice(i + 1);
  }
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Log lines

export interface LogLine {
  /** ms on this process's clock (Date.now()) when the line was read. */
  at: number;
  /** The line as the server printed it. */
  text: string;
  pid?: number;
  /** M master, S replica, C child, X sentinel. */
  role?: string;
  /** The server's own timestamp, `dd Mon yyyy HH:MM:SS.mmm`. */
  stamp?: string;
  /** `.` debug, `-` verbose, `*` notice, `#` warning. */
  level?: string;
  msg: string;
}

const LOG_RE = /^(\d+):([MSCX]) (\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) ([.\-*#]) (.*)$/;

export function parseLogLine(text: string, at = Date.now()): LogLine {
  const m = LOG_RE.exec(text);
  if (!m) return { at, text, msg: text };
  return { at, text, pid: Number(m[1]), role: m[2], stamp: m[3], level: m[4], msg: m[5] };
}

/**
 * Splits a stream into lines as they arrive and calls `onLine` for each (with the time it was
 * read). Keeps every line in `lines` for the report.
 */
export class LogReader {
  readonly lines: LogLine[] = [];
  private partial = '';
  private readonly listeners: ((l: LogLine) => void)[] = [];

  constructor(streams: (Readable | null | undefined)[]) {
    for (const s of streams) s?.on('data', (d: Buffer) => this.push(d.toString('latin1')));
  }

  onLine(fn: (l: LogLine) => void): void {
    this.listeners.push(fn);
  }

  /** Feeds text (also usable directly, e.g. in tests). */
  push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const at = Date.now();
    for (const p of parts) {
      const line = parseLogLine(p.replace(/\r$/, ''), at);
      this.lines.push(line);
      for (const fn of this.listeners) fn(line);
    }
  }

  /** Everything read so far, as text. */
  text(): string {
    return this.lines.map((l) => l.text).join('\n') + (this.lines.length ? '\n' : '') + this.partial;
  }
}

// ---------------------------------------------------------------------------------------------
// Replication events in the logs

export type ReplEventKind =
  | 'sync-request' // master: Replica X asks for synchronization
  | 'psync-refused' // master: Partial resynchronization not accepted ...
  | 'full-resync-requested' // master: Full resync requested by replica
  | 'bgsave-for-sync' // master: Starting BGSAVE for SYNC with target: ...
  | 'cannot-attach' // master: Can't attach the replica to the current BGSAVE ...
  | 'bgsave-started' // master: Background saving started / Background RDB transfer started
  | 'bgsave-done' // master: Background saving terminated with success / RDB transfer terminated
  | 'bgsave-failed'
  | 'buffer-limit' // master: Client ... (scheduled to be) closed for overcoming of output buffer limits.
  | 'replica-lost' // master: Connection with replica ... lost.
  | 'replica-synced' // master: Synchronization with replica ... succeeded
  | 'replica-timeout' // master: Disconnecting timedout replica
  | 'replicaof' // replica: REPLICAOF h:p enabled / MASTER MODE enabled
  | 'connecting' // replica: Connecting / Reconnecting to MASTER
  | 'full-resync' // replica: Full resync from master: id:offset
  | 'partial-resync' // replica: Successful partial resynchronization
  | 'receiving' // replica: MASTER <-> REPLICA sync: receiving N bytes / streamed RDB
  | 'loading' // replica: MASTER <-> REPLICA sync: Loading DB in memory
  | 'sync-finished' // replica: MASTER <-> REPLICA sync: Finished with success
  | 'io-error' // replica: I/O error ... / Connection with master lost / timeouts
  | 'master-lost';

export interface ReplEvent {
  kind: ReplEventKind;
  line: LogLine;
  /** For buffer-limit: the client's omem/oll from the line, and which path logged it. */
  omem?: number;
  oll?: number;
  async?: boolean;
  /** For receiving: the payload size (undefined for an EOF-marked stream). */
  bytes?: number;
  /** For bgsave-for-sync: disk | replicas sockets. */
  target?: string;
}

/** Classifies one log line; `undefined` for lines that do not matter to replication. */
export function classifyLine(line: LogLine): ReplEvent | undefined {
  const m = line.msg;
  let r: RegExpExecArray | null;
  if (/ asks for synchronization$/.test(m) && m.startsWith('Replica ')) return { kind: 'sync-request', line };
  if (m.startsWith('Partial resynchronization not accepted') || m.startsWith('Unable to partial resync')) return { kind: 'psync-refused', line };
  if (m.startsWith('Full resync requested by replica')) return { kind: 'full-resync-requested', line };
  if ((r = /^Starting BGSAVE for SYNC with target: (.*)$/.exec(m))) return { kind: 'bgsave-for-sync', line, target: r[1] };
  if (m.startsWith("Can't attach the replica") || m.startsWith('Current BGSAVE has socket target')) return { kind: 'cannot-attach', line };
  if (/^Background (saving|RDB transfer) started/.test(m)) return { kind: 'bgsave-started', line };
  if (/^Background (saving|RDB transfer) terminated with success/.test(m)) return { kind: 'bgsave-done', line };
  if (/^Background (saving error|transfer error|saving terminated by signal|transfer terminated by signal)/.test(m)) return { kind: 'bgsave-failed', line };
  if ((r = /^Client (.*) (scheduled to be closed ASAP|closed) for overcoming of output buffer limits\.$/.exec(m))) {
    const ci = parseClientInfo(r[1]);
    return { kind: 'buffer-limit', line, omem: Number(ci.omem), oll: Number(ci.oll), async: r[2] !== 'closed' };
  }
  if (/^Connection with replica .* lost\.$/.test(m)) return { kind: 'replica-lost', line };
  if (/^Synchronization with replica .* succeeded$/.test(m)) return { kind: 'replica-synced', line };
  if (m.startsWith('Disconnecting timedout replica')) return { kind: 'replica-timeout', line };
  if (/^REPLICAOF .* enabled/.test(m) || m.startsWith('MASTER MODE enabled')) return { kind: 'replicaof', line };
  if (/^(Connecting|Reconnecting) to MASTER/.test(m)) return { kind: 'connecting', line };
  if (m.startsWith('Full resync from master')) return { kind: 'full-resync', line };
  if (m.startsWith('Successful partial resynchronization')) return { kind: 'partial-resync', line };
  if ((r = /^MASTER <-> REPLICA sync: receiving (\d+) bytes from master/.exec(m))) return { kind: 'receiving', line, bytes: Number(r[1]) };
  if (m.startsWith('MASTER <-> REPLICA sync: receiving streamed RDB')) return { kind: 'receiving', line };
  if (m.startsWith('MASTER <-> REPLICA sync: Loading DB in memory')) return { kind: 'loading', line };
  if (m.startsWith('MASTER <-> REPLICA sync: Finished with success')) return { kind: 'sync-finished', line };
  if (
    m.startsWith('I/O error') ||
    m.startsWith('Timeout receiving bulk data') ||
    m.startsWith('MASTER timeout') ||
    m.startsWith('MASTER aborted replication') ||
    m.startsWith('Error condition on socket for SYNC')
  )
    return { kind: 'io-error', line };
  if (m.startsWith('Connection with master lost')) return { kind: 'master-lost', line };
  return undefined;
}
