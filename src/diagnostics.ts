/** SLOWLOG and LATENCY monitor data, with Redis's entry shapes and limits. */
import { readFileSync } from 'node:fs';
import type { Config } from './config/config.js';
import type { Client } from './net/client.js';

const SLOWLOG_ARGC_MAX = 32;
const SLOWLOG_STRING_MAX = 128;

export interface SlowLogEntry {
  id: number;
  time: number;
  durationUs: number;
  argv: string[];
  peer: string;
  name: string;
}

export class SlowLog {
  entries: SlowLogEntry[] = [];
  private nextId = 0;

  constructor(private readonly config: Config) {}

  /** Records a command that ran longer than slowlog-log-slower-than (the caller checks). */
  add(c: Client, argv: string[], durationUs: number): void {
    const max = this.config.num('slowlog-max-len');
    const n = Math.min(argv.length, SLOWLOG_ARGC_MAX);
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      if (i === SLOWLOG_ARGC_MAX - 1 && argv.length > SLOWLOG_ARGC_MAX) {
        args.push(`... (${argv.length - SLOWLOG_ARGC_MAX + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > SLOWLOG_STRING_MAX ? `${a.slice(0, SLOWLOG_STRING_MAX)}... (${a.length - SLOWLOG_STRING_MAX} more bytes)` : a);
    }
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      durationUs: Math.floor(durationUs),
      argv: args,
      peer: c.addr,
      name: c.name,
    });
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries = [];
  }
}

export interface LatencySample {
  time: number;
  latencyMs: number;
}

/** Per-event latency spikes above `latency-monitor-threshold` (last 160 samples each). */
export class LatencyMonitor {
  readonly events = new Map<string, { samples: LatencySample[]; max: number }>();

  /** Redis compares whole milliseconds with the threshold, and records them. */
  maybeAdd(event: string, ms: number, thresholdMs: number): void {
    ms = Math.floor(ms);
    if (thresholdMs <= 0 || ms < thresholdMs) return;
    this.add(event, ms);
  }

  add(event: string, ms: number): void {
    let e = this.events.get(event);
    if (!e) {
      e = { samples: [], max: 0 };
      this.events.set(event, e);
    }
    const now = Math.floor(Date.now() / 1000);
    const last = e.samples[e.samples.length - 1];
    if (last && last.time === now) {
      last.latencyMs = Math.max(last.latencyMs, ms);
    } else {
      e.samples.push({ time: now, latencyMs: ms });
      if (e.samples.length > 160) e.samples.shift();
    }
    if (ms > e.max) e.max = ms;
  }

  reset(names: string[]): number {
    if (names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    // Redis matches the names to reset without regard to case (unlike HISTORY and GRAPH).
    let n = 0;
    for (const name of names) {
      for (const ev of [...this.events.keys()]) {
        if (ev.toLowerCase() === name.toLowerCase()) {
          this.events.delete(ev);
          n++;
        }
      }
    }
    return n;
  }
}

// ---------------------------------------------------------------- LATENCY GRAPH

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;
/** Glyphs of one row, lowest to highest; a bar below the top row is drawn with '|'. */
const FILL_GLYPHS = '_o#';

/** The "ago" label of a sample: seconds, minutes, hours or days, whole units. */
function agoLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / 86400)}d`;
}

/**
 * Redis's filled sparkline: GRAPH_ROWS rows of three glyph levels each, a blank line, then each
 * sample's label written vertically under its column; 80 samples per block, blocks separated
 * by an empty line.
 */
function sparkline(values: number[], labels: string[]): string {
  if (values.length === 0) return '';
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const range = max - min === 0 ? 1 : max - min;
  const steps = FILL_GLYPHS.length * GRAPH_ROWS;
  const blocks: string[] = [];
  for (let start = 0; start < values.length; start += GRAPH_COLS) {
    const end = Math.min(values.length, start + GRAPH_COLS);
    const lines: string[] = [];
    const stepOf = (v: number) => Math.min(steps - 1, Math.max(0, Math.trunc(Math.trunc((v - min) * steps) / range)));
    for (let row = 0; row < GRAPH_ROWS; row++) {
      let line = '';
      for (let j = start; j < end; j++) {
        const idx = stepOf(values[j]) - (GRAPH_ROWS - row - 1) * FILL_GLYPHS.length;
        line += idx < 0 ? ' ' : idx < FILL_GLYPHS.length ? FILL_GLYPHS[idx] : '|';
      }
      lines.push(line);
    }
    lines.push(' '.repeat(end - start));
    for (let pos = 0; ; pos++) {
      let any = false;
      let line = '';
      for (let j = start; j < end; j++) {
        const l = labels[j];
        if (pos < l.length) {
          any = true;
          line += l[pos];
        } else line += ' ';
      }
      if (!any) break;
      lines.push(line);
    }
    blocks.push(lines.map((l) => l + '\n').join(''));
  }
  return blocks.join('\n');
}

/** LATENCY GRAPH's text for one event. */
export function latencyGraph(event: string, e: { samples: LatencySample[]; max: number }, nowSec = Math.floor(Date.now() / 1000)): string {
  const values = e.samples.map((s) => s.latencyMs);
  const labels = e.samples.map((s) => agoLabel(nowSec - s.time));
  const high = values.length ? Math.max(...values) : 0;
  const low = values.length ? Math.min(...values) : 0;
  return `${event} - high ${high} ms, low ${low} ms (all time high ${e.max} ms)\n${'-'.repeat(GRAPH_COLS)}\n${sparkline(values, labels)}`;
}

// ---------------------------------------------------------------- LATENCY DOCTOR

/** What the report needs to know about the server besides the events. */
export interface DoctorContext {
  thresholdMs: number;
  slowlogSlowerThanUs: number;
  hz: number;
  appendfsyncAlways: boolean;
  /** Bytes of transparent huge pages this process uses. */
  anonHugePages: number;
}

/** Bytes of AnonHugePages in this process's mappings (0 when unknown). */
export function anonHugePagesBytes(): number {
  try {
    let kb = 0;
    for (const m of readFileSync('/proc/self/smaps', 'latin1').matchAll(/^AnonHugePages:\s+(\d+) kB/gm)) kb += Number(m[1]);
    return kb * 1024;
  } catch {
    return 0;
  }
}

type Advice =
  | 'slowlogEnable'
  | 'slowlogTune'
  | 'slowlogInspect'
  | 'scheduler'
  | 'localDisk'
  | 'ssd'
  | 'writeback'
  | 'diskContention'
  | 'noAppendfsync'
  | 'relaxFsync'
  | 'writeLoad'
  | 'hz'
  | 'largeObjects'
  | 'massEviction'
  | 'thp';

/** The advices each event class calls for (Redis's table; 'fork' is never recorded here). */
const EVENT_ADVICE: Record<string, Advice[]> = {
  'fast-command': ['scheduler'],
  'aof-write-pending-fsync': ['localDisk', 'diskContention', 'ssd', 'writeback'],
  'aof-write-active-child': ['noAppendfsync', 'writeback', 'ssd'],
  'aof-write-alone': ['localDisk', 'writeback', 'ssd'],
  'aof-fsync-always': ['relaxFsync'],
  'aof-fstat': ['diskContention', 'localDisk'],
  'rdb-unlink-temp-file': ['diskContention', 'localDisk'],
  'aof-rewrite-diff-write': ['writeLoad', 'writeback', 'ssd', 'localDisk'],
  'aof-rename': ['writeLoad', 'writeback', 'ssd', 'localDisk'],
  'expire-cycle': ['hz', 'largeObjects'],
  'eviction-del': ['largeObjects'],
  'eviction-cycle': ['massEviction'],
};

/** LATENCY DOCTOR's report, worded as Redis 7.0 words it. */
export function latencyDoctor(mon: LatencyMonitor, ctx: DoctorContext, nowSec = Math.floor(Date.now() / 1000)): string {
  if (mon.events.size === 0 && ctx.thresholdMs === 0) {
    return 'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
  }
  let out = '';
  const advice = new Set<Advice>();
  let advices = 0;
  let n = 0;
  for (const [name, e] of mon.events) {
    n++;
    if (n === 1) out += 'Dave, I have observed latency spikes in this Redis instance. You don\'t mind talking about it, do you Dave?\n\n';
    const count = e.samples.length;
    let sum = 0;
    let oldest = 0;
    for (const s of e.samples) {
      sum += s.latencyMs;
      if (oldest === 0 || s.time < oldest) oldest = s.time;
    }
    const avg = count ? Math.floor(sum / count) : 0;
    let dev = 0;
    for (const s of e.samples) dev += Math.abs(avg - s.latencyMs);
    const mad = count ? Math.floor(dev / count) : 0;
    const period = count ? nowSec - oldest || 1 : 0;
    out += `${n}. ${name}: ${count} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(period / count).toFixed(2)} sec). Worst all time event ${e.max}ms.`;
    const lname = name.toLowerCase();
    if (lname === 'command') {
      if (ctx.slowlogSlowerThanUs < 0) {
        advice.add('slowlogEnable');
        advices++;
      } else if (Math.trunc(ctx.slowlogSlowerThanUs / 1000) > ctx.thresholdMs) {
        advice.add('slowlogTune');
        advices++;
      }
      advice.add('slowlogInspect');
      advice.add('largeObjects');
      advices += 2;
    }
    for (const a of EVENT_ADVICE[lname] ?? []) {
      advice.add(a);
      advices++;
    }
    out += '\n';
  }
  if (ctx.anonHugePages > 0) {
    advice.add('thp');
    advices++;
  }
  if (n === 0 && advices === 0) {
    return out + 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (n > 0 && advices === 0) {
    return out + '\nWhile there are latency events logged, I\'m not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n';
  }
  out += '\nI have a few advices for you:\n\n';
  const us = ctx.thresholdMs * 1000;
  const para: [Advice, boolean, string][] = [
    ['slowlogEnable', true, `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${us}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`],
    ['slowlogTune', true, `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${us}'.\n`],
    ['slowlogInspect', true, '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n'],
    [
      'scheduler',
      true,
      '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
        '  1) Lower the system load.\n' +
        '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
        '  3) Check if you have a "noisy neighbour" problem.\n' +
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
        '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
    ],
    ['localDisk', true, '- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n'],
    ['ssd', true, '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n'],
    ['writeback', true, '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n'],
    ['diskContention', true, '- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n'],
    ['noAppendfsync', true, "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n"],
    ['relaxFsync', ctx.appendfsyncAlways, "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"],
    ['writeLoad', true, '- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n'],
    ['hz', ctx.hz < 100, "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"],
    ['largeObjects', true, '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n'],
    ['massEviction', true, "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"],
    ['thp', true, "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n"],
  ];
  for (const [a, cond, text] of para) if (advice.has(a) && cond) out += text;
  return out;
}
