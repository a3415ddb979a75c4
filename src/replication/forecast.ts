/**
 * The sync forecast: during every full sync (snapshot start → replica loaded), the master
 * predicts with the doctor's model (forecast-model.ts) whether `client-output-buffer-limit
 * replica` will drop the replica before the sync ends, from what it measures itself over a
 * sliding window: the stream written into the replica's buffer, the RDB bytes left, and the
 * speed the replica's socket actually takes bytes at (the file for a disk sync, the stream of
 * the snapshot for a diskless one). It logs one WARNING per sync as soon as the forecast says
 * "fail", with the figures and a CONFIG SET that lets the sync finish, and shows the forecast
 * in INFO replication as `sync_forecast_replicaN:` lines (a prefix neither redis-cli, sentinel
 * nor client libraries parse as a replica).
 */
import { forecastLive, liveRecommendation, formatBytes, type LiveForecast, type LiveInput } from './forecast-model.js';
import type { MasterSide, ReplicaConn } from './master.js';
import type { OutputBufferLimits } from '../config/defs.js';

/** The write rate is measured over this much time. */
const WINDOW_MS = 2000;
/**
 * The link speed over this much: what the kernel takes from a socket comes in bursts (socket
 * buffers of several MB on loopback), so the window is longer.
 */
const LINK_WINDOW_MS = 5000;
/** The first bytes of a transfer fill socket buffers, not the link: left out of the link speed. */
const BURST_MS = 500;
/** A window must span this much before its rates are trusted. */
const MIN_SPAN_MS = 1000;
const EVERY_MS = 250;
/** Consecutive "fail" forecasts before the warning (one noisy sample never warns). */
const FAIL_STREAK = 2;

type Phase = 'snapshot' | 'transfer' | 'loading' | 'done';

interface Sample {
  t: number;
  offset: number;
  sent: number;
  /** Bytes were waiting for the socket (it is the link that limits, not the data). */
  backpressure: boolean;
}

interface Track {
  rc: ReplicaConn;
  phase: Phase;
  diskless: boolean;
  startedAt: number;
  samples: Sample[];
  /** Transfer start (ms) and socket bytes sent by then. */
  transferAt: number;
  sentAtTransfer: number;
  /** Exact RDB size once known (disk: the file). */
  rdbSize: number;
  rdbEstimate: number;
  linkRate: number;
  onlineAt: number;
  lastEval: number;
  failStreak: number;
  warned: boolean;
  input?: LiveInput;
  result?: LiveForecast;
}

const r1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : -1);
const fmtS = (s: number) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : 'never');

export class SyncForecast {
  private readonly tracks = new Map<ReplicaConn, Track>();
  /** Link speed measured in a replica's last transfer (by name): its next sync starts with it. */
  private readonly lastLink = new Map<string, number>();

  constructor(private readonly master: MasterSide) {
    master.server.cronTasks.push((now) => this.tick(now));
  }

  /** Bytes the kernel took from the replica's socket (what the link carried or holds in flight). */
  private sent(rc: ReplicaConn): number {
    const sock = rc.client.socket;
    return sock ? sock.bytesWritten - sock.writableLength : 0;
  }

  /** SEND_BULK starts: the disk payload is `size` bytes. */
  onBulk(rc: ReplicaConn, size: number): void {
    const tr = this.track(rc, Date.now());
    tr.phase = 'transfer';
    tr.rdbSize = size;
    tr.transferAt = Date.now();
    tr.sentAtTransfer = this.sent(rc);
  }

  private track(rc: ReplicaConn, now: number): Track {
    let tr = this.tracks.get(rc);
    if (tr === undefined) {
      const diskless = this.master.server.persistence.runningTarget === 'socket';
      tr = {
        rc,
        phase: diskless ? 'transfer' : 'snapshot',
        diskless,
        startedAt: now,
        samples: [],
        transferAt: diskless ? now : 0,
        sentAtTransfer: this.sent(rc),
        rdbSize: 0,
        rdbEstimate: 0,
        linkRate: this.lastLink.get(rc.name) ?? 0,
        onlineAt: 0,
        lastEval: 0,
        failStreak: 0,
        warned: false,
      };
      this.tracks.set(rc, tr);
    }
    return tr;
  }

  private tick(now: number): void {
    for (const [rc, tr] of this.tracks) {
      if (rc.client.isClosed || !this.master.byClient.has(rc.client)) this.tracks.delete(rc);
    }
    for (const rc of this.master.byClient.values()) {
      // An rdb channel carries only the snapshot: the writes stream on its main channel at once
      // and pile up on the replica, so no output buffer here grows with them.
      if (!rc.client.isReplica || rc.client.isClosed || rc.rdbChannel) continue;
      const st = rc.state as number;
      // WaitBgsaveEnd = 1, SendBulk = 2, Online = 3 (const enum in master.ts)
      if (st === 1 || st === 2) {
        this.track(rc, now);
      } else if (st === 3) {
        const tr = this.tracks.get(rc);
        if (tr === undefined || tr.phase === 'done') continue;
        if (tr.phase !== 'loading') {
          tr.phase = 'loading';
          tr.onlineAt = now;
        }
        // The replica acknowledges once it has loaded the snapshot (prePsync ones never do).
        if (rc.prePsync || rc.ackTime > tr.onlineAt) {
          tr.phase = 'done';
          if (tr.result) tr.result = { ...tr.result, verdict: 'ok', failure: undefined, etaSeconds: 0, limitInSeconds: Infinity };
          continue;
        }
      }
    }
    for (const tr of this.tracks.values()) {
      if (tr.phase === 'done' || now - tr.lastEval < EVERY_MS) continue;
      tr.lastEval = now;
      this.evaluate(tr, now);
    }
  }

  private evaluate(tr: Track, now: number): void {
    const s = this.master.server;
    const rc = tr.rc;
    const sent = this.sent(rc);
    const sock = rc.client.socket;
    const omemNow = s.replicaOutputMemory(rc.client);
    const backpressure = (sock !== null && sock.writableLength > 0) || (tr.phase === 'loading' && omemNow > 2 * 20504);
    tr.samples.push({ t: now, offset: this.master.core.masterReplOffset, sent, backpressure });
    while (tr.samples.length > 2 && now - tr.samples[1].t >= LINK_WINDOW_MS) tr.samples.shift();
    const first = tr.samples.find((x) => now - x.t <= WINDOW_MS) ?? tr.samples[0];
    const span = now - first.t;
    if (span < MIN_SPAN_MS) return;
    const writeRate = ((this.master.core.masterReplOffset - first.offset) * 1000) / span;
    // Link speed: over the latest run of samples where the socket was the bottleneck, past the
    // transfer's first burst into socket buffers.
    if (tr.transferAt > 0 && backpressure) {
      let i = tr.samples.length - 1;
      while (i > 0 && tr.samples[i - 1].backpressure && tr.samples[i - 1].t >= tr.transferAt + BURST_MS) i--;
      const from = tr.samples[i];
      if (now - from.t >= MIN_SPAN_MS) {
        tr.linkRate = ((sent - from.sent) * 1000) / (now - from.t);
        if (tr.linkRate > 0) this.lastLink.set(rc.name, tr.linkRate);
      }
    }
    // RDB size and snapshot time left: exact for a disk payload, else from the snapshot's progress.
    let saveLeft = 0;
    const snap = s.persistence.runningSnapshot;
    if (tr.rdbSize === 0 && snap !== null && snap.keysWritten > 0) {
      const done = snap.keysWritten / Math.max(1, snap.keysTotal);
      tr.rdbEstimate = snap.bytesWritten / Math.min(1, done);
      saveLeft = ((now - snap.startedAt) / 1000) * ((1 - Math.min(1, done)) / done);
    } else if (tr.rdbSize === 0 && tr.diskless && snap === null) {
      tr.rdbEstimate = sent - tr.sentAtTransfer;
    }
    const size = tr.rdbSize || tr.rdbEstimate;
    let bytesLeft = size;
    if (tr.transferAt > 0) {
      const elapsed = (now - tr.transferAt) / 1000;
      // What the replica still has to receive: the bytes not sent yet, or (when the link ran at
      // its speed from the start) the bytes the link cannot have carried yet — the difference is
      // what sits in socket buffers. The larger is the honest one.
      bytesLeft = Math.max(0, size - (sent - tr.sentAtTransfer), tr.linkRate > 0 ? size - tr.linkRate * elapsed : 0);
    }
    const conf = s.config.get<OutputBufferLimits>('client-output-buffer-limit').replica;
    const c = rc.client;
    const input: LiveInput = {
      omem: omemNow,
      writeRate,
      bytesLeft,
      rdbBytes: size,
      linkRate: tr.linkRate,
      saveSecondsLeft: tr.diskless ? 0 : saveLeft,
      diskless: tr.diskless,
      limit: { hard: conf.hard, soft: conf.soft, softSeconds: conf.softSeconds },
      backlogSize: s.config.num('repl-backlog-size'),
      hardFloorFromBacklog: true,
      aboveSoftFor: c.softLimitSince === 0 ? 0 : Math.max(0, Date.now() / 1000 - c.softLimitSince),
    };
    const f = forecastLive(input);
    tr.input = input;
    tr.result = f;
    tr.failStreak = f.verdict === 'fail' ? tr.failStreak + 1 : 0;
    if (tr.failStreak >= FAIL_STREAK && !tr.warned && !c.closeAsap) {
      tr.warned = true;
      s.log.warning(this.warningText(tr, input, f));
    }
  }

  private warningText(tr: Track, m: LiveInput, f: LiveForecast): string {
    const rate = (n: number) => `${formatBytes(n)}/s`;
    const head =
      `Sync forecast for replica ${tr.rc.name}: this full sync will fail (${f.failure}). ` +
      `Output buffer ${formatBytes(m.omem)} now, growing ${rate(f.growthRate)} (writes ${rate(m.writeRate)}); ` +
      `${formatBytes(m.bytesLeft)} of RDB left at ${m.linkRate > 0 ? rate(m.linkRate) : 'an unmeasured link speed'}` +
      (m.saveSecondsLeft > 0 ? ` after ${fmtS(m.saveSecondsLeft)} of snapshot` : '') +
      ` + ${fmtS(f.loadSeconds)} of load: the limit drops it in ${fmtS(f.limitInSeconds)}, the sync needs ${fmtS(f.etaSeconds)}` +
      ` (limit replica ${m.limit.hard} ${m.limit.soft} ${m.limit.softSeconds}, predicted peak ${formatBytes(f.peakOmem)}).`;
    if (f.failure === 'link slower than the write stream') {
      return `${head} No buffer limit lets it catch up: the link is slower than the writes; a limit for one attempt: CONFIG SET client-output-buffer-limit "${liveRecommendation(m, f).value}"`;
    }
    return `${head} CONFIG SET client-output-buffer-limit "${liveRecommendation(m, f).value}" would let it finish.`;
  }

  /** `sync_forecast_replicaN:` lines, N as in the `slaveN:` lines. */
  infoLines(replicas: ReplicaConn[]): string[] {
    const lines: string[] = [];
    replicas.forEach((rc, i) => {
      const tr = this.tracks.get(rc);
      if (tr === undefined) return;
      const f = tr.result;
      const m = tr.input;
      const verdict = tr.phase === 'done' ? 'ok' : f ? f.verdict : 'unknown';
      const live = tr.phase !== 'done';
      const fields = [
        `state=${tr.phase}`,
        `verdict=${verdict}`,
        `eta_sec=${tr.phase === 'done' || !f ? 0 : r1(f.etaSeconds)}`,
        `limit_in_sec=${tr.phase === 'done' || !f ? -1 : r1(f.limitInSeconds)}`,
        `omem=${m && live ? m.omem : 0}`,
        `write_rate=${m && live ? Math.round(m.writeRate) : 0}`,
        `bytes_left=${m && live ? Math.round(m.bytesLeft) : 0}`,
        `link_rate=${Math.round(tr.linkRate)}`,
        `sent=${this.sent(rc) - tr.sentAtTransfer}`,
        `warned=${tr.warned ? 1 : 0}`,
      ];
      if (verdict === 'fail' && m && f) fields.push(`suggest=${liveRecommendation(m, f).value.replace(/ /g, '_')}`);
      lines.push(`sync_forecast_replica${i}:${fields.join(',')}`);
    });
    return lines;
  }
}
