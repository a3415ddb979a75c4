/** SLOWLOG and LATENCY monitor data, with Redis's entry shapes and limits. */
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

  maybeAdd(event: string, ms: number, thresholdMs: number): void {
    if (thresholdMs <= 0 || ms < thresholdMs) return;
    this.add(event, Math.round(ms));
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
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }
}
