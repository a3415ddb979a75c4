/** Server-wide counters reported by INFO stats (reset by CONFIG RESETSTAT where Redis resets them). */
export class Stats {
  startTime = Date.now();
  totalConnections = 0;
  totalCommands = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  netReplInputBytes = 0;
  netReplOutputBytes = 0;
  rejectedConnections = 0;
  syncFull = 0;
  /** Clients' reply buffers shrunk / grown by the clients cron (INFO stats). */
  replyBufferShrinks = 0;
  replyBufferExpands = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  evictedKeys = 0;
  evictedClients = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  dumpPayloadSanitizations = 0;
  totalReadsProcessed = 0;
  totalWritesProcessed = 0;
  clientQueryBufferLimitDisconnections = 0;
  clientOutputBufferLimitDisconnections = 0;
  /** Per error code ("ERR", "WRONGTYPE"): INFO errorstats. */
  errors = new Map<string, number>();

  /** Counts an error reply by its code ("ERR", "WRONGTYPE") for INFO errorstats. */
  countError(msg: string): void {
    let sp = msg.indexOf(' ');
    if (sp < 0) sp = msg.length;
    const code = msg.slice(0, sp);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
  /** Samples of instantaneous ops/sec and network rates (Redis's 16-sample ring). */
  private samples = {
    ops: new RingRate(),
    netIn: new RingRate(),
    netOut: new RingRate(),
    replIn: new RingRate(),
    replOut: new RingRate(),
  };

  sample(now: number): void {
    this.samples.ops.add(now, this.totalCommands);
    this.samples.netIn.add(now, this.netInputBytes);
    this.samples.netOut.add(now, this.netOutputBytes);
    this.samples.replIn.add(now, this.netReplInputBytes);
    this.samples.replOut.add(now, this.netReplOutputBytes);
  }

  instantaneousOps(): number {
    return Math.round(this.samples.ops.rate());
  }
  instantaneousInputKbps(): number {
    return this.samples.netIn.rate() / 1024;
  }
  instantaneousOutputKbps(): number {
    return this.samples.netOut.rate() / 1024;
  }
  instantaneousReplInputKbps(): number {
    return this.samples.replIn.rate() / 1024;
  }
  instantaneousReplOutputKbps(): number {
    return this.samples.replOut.rate() / 1024;
  }

  reset(): void {
    const fresh = new Stats();
    fresh.startTime = this.startTime;
    Object.assign(this, fresh);
  }
}

/** Average per-second rate over the last 16 samples taken ~every 100 ms. */
class RingRate {
  private readonly values = new Float64Array(16);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  add(now: number, value: number): void {
    if (this.lastTime !== 0) {
      const dt = now - this.lastTime;
      const rate = dt > 0 ? ((value - this.lastValue) * 1000) / dt : 0;
      this.values[this.idx] = rate;
      this.idx = (this.idx + 1) & 15;
    }
    this.lastTime = now;
    this.lastValue = value;
  }

  rate(): number {
    let s = 0;
    for (const v of this.values) s += v;
    return s / 16;
  }
}
