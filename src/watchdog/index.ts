/**
 * watchdog-period: Redis's software watchdog in a Node process. Redis arms SIGALRM from its
 * cron and, when the main thread does not get back within the period, logs
 * "--- WATCHDOG TIMER EXPIRED ---" with a stack trace. Here a small thread watches a
 * heartbeat the server thread stamps from a timer; when the stamp is older than the period it
 * writes the same banner with what the server was running (command, client, for how long) —
 * a JavaScript stack cannot be read from another thread while this one is busy.
 *
 *   off ──CONFIG SET watchdog-period N──▶ on (heartbeat every N/4 ms, thread checking)
 *    ▲                                     │ stamp older than N: banner, once per stall
 *    └────────── watchdog-period 0 ────────┘
 *
 * The command being run is written into shared memory before each call (only while on).
 */
import { Worker } from 'node:worker_threads';
import type { Client } from '../net/client.js';
import { newShared, viewsOf } from './layout.js';

/** What the watchdog needs of the server. */
export interface WatchdogHost {
  config: { num(name: string): number; str(name: string): string; appliers: ((names: ReadonlySet<string>) => void)[] };
  exec: { onStart: ((c: Client, name: string) => void) | null };
  closeTasks: (() => void | Promise<void>)[];
}

export class Watchdog {
  private readonly shared = newShared();
  private readonly views = viewsOf(this.shared);
  private worker: Worker | null = null;
  private beat: NodeJS.Timeout | null = null;
  private period = 0;

  constructor(private readonly host: WatchdogHost) {
    host.config.appliers.push((names) => {
      if (names.has('watchdog-period')) this.apply();
    });
    host.closeTasks.push(() => this.stop());
    this.apply();
  }

  private apply(): void {
    const period = this.host.config.num('watchdog-period');
    if (period === this.period) return;
    this.stop();
    this.period = period;
    if (period > 0) this.start(period);
  }

  private start(period: number): void {
    const times = this.views.times;
    times[0] = Date.now();
    this.beat = setInterval(() => (times[0] = Date.now()), Math.max(5, Math.floor(period / 4)));
    this.beat.unref();
    this.host.exec.onStart = (c, name) => this.running(c, name);
    const logfile = this.host.config.str('logfile');
    this.worker = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
      workerData: { shared: this.shared, period, logfile, pid: process.pid },
    });
    this.worker.unref();
  }

  private stop(): void {
    if (this.beat !== null) clearInterval(this.beat);
    this.beat = null;
    this.host.exec.onStart = null;
    void this.worker?.terminate();
    this.worker = null;
    this.period = 0;
  }

  /** Before each command: what the banner will name if this one stalls the server. */
  private running(c: Client, name: string): void {
    const { text, textLen, times } = this.views;
    const line = `'${name}' from client ${c.addr}`;
    const n = Math.min(line.length, text.length);
    for (let i = 0; i < n; i++) text[i] = line.charCodeAt(i) & 0xff;
    textLen[0] = n;
    times[1] = Date.now();
  }
}

export function installWatchdog(host: WatchdogHost): Watchdog {
  return new Watchdog(host);
}
