/**
 * Replica side of Redis 8's rdb-channel replication: the main channel's "replica full sync
 * buffer" (spec: rdb-channel.md §2.3, §2.4, §2.6). replica.ts runs the rdb channel itself.
 *
 *   ACCUMULATE_BUF ──RDB loaded──▶ STREAMING_BUF ──buffer empty──▶ (main channel is the live link)
 *        │ limit reached: stop reading (the master holds the rest)     │ main channel read error:
 *        │ main channel error: abort, full sync again                  ▼ CLOSE_ASAP, replay, then PSYNC
 *
 * From +RDBCHANNELSYNC on, everything the master sends on the main channel is the stream from
 * the snapshot's offset + 1; it is kept here in arrival order until the RDB is loaded, then
 * applied in slices (the event loop runs between them) while reading on at most half the
 * replay's pace, so the replay ends even under a steady write load.
 *
 * Valkey 8's dual channel (`dual`): the main channel first answers our `REPLCONF set-rdb-client-id`
 * and `PSYNC <replid> <$ENDOFF offset + 1>` (sent once the rdb channel's $ENDOFF arrived); the
 * buffering starts after its `+CONTINUE`. Anything else aborts the sync.
 *
 * Beyond Redis 8 (replica-full-sync-buffer-spill yes): past the limit the stream goes on to a
 * file in `dir` instead of being left on the master, so the master keeps streaming and its
 * output buffer stays small. Order is kept: memory part first, then the file; while the file
 * holds unreplayed bytes everything new is appended to it. A failing disk falls back to
 * Redis 8's behaviour (stop reading).
 */
import type net from 'node:net';
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { OutputBufferLimits } from '../config/defs.js';

export const enum MainChState {
  AccumulateBuf,
  StreamingBuf,
  CloseAsap,
}

/** Bytes applied per replay slice (Redis 8's loading-process-events-interval-bytes). */
const REPLAY_SLICE = 512 * 1024;
/** A slice also ends after this long: slow commands (SORT … STORE, SUNIONSTORE of big sets)
 *  must not keep the event loop, and so clients and the main channel's state, waiting. */
const REPLAY_SLICE_MS = 50;

export class RdbChannelSync {
  state = MainChState.AccumulateBuf;
  /** Dual channel: replies still expected on the main channel (2, 1), or -1 once streaming; 0 before they were asked. */
  private preamble: number;
  private pre: Buffer = Buffer.alloc(0);
  /** A replay asked for before +CONTINUE arrived (the RDB loaded first). */
  private pendingReplay: (() => void) | null = null;

  private readonly chunks: Buffer[] = [];
  size = 0;
  peak = 0;
  /** Bytes applied by the replay so far. */
  replayed = 0;
  private limitLogged = false;
  private paused = false;
  /** Replay: bytes we may still read before the next slice (half of what a slice consumed). */
  private credit = 0;
  private stopped = false;
  private mainError: string | null = null;
  /** The whole RDB arrived and is being loaded from disk: a main-channel loss no longer aborts. */
  diskLoading = false;
  /** Bytes held in memory (size − bytes in the spill file). */
  memBytes = 0;
  /** Spill file (null when not spilling). */
  private spillPath: string | null = null;
  private spillFd = -1;
  private spillWrite = 0;
  private spillRead = 0;
  /** Bytes written to spill files during this sync. */
  spilledTotal = 0;
  private spillFailed = false;

  constructor(
    private readonly server: Server,
    readonly mainSock: net.Socket,
    readonly clientId: string,
    /** The main channel failed before the replay: abort the whole sync. */
    private readonly onAbort: (why: string) => void,
    /** Valkey's dialect: replies to set-rdb-client-id and PSYNC come before the stream. */
    readonly dual = false,
  ) {
    this.preamble = dual ? 0 : -1;
    mainSock.on('data', this.onData);
    mainSock.on('error', this.onError);
    mainSock.on('close', this.onClose);
  }

  /** replica-full-sync-buffer-limit, or the replica class's hard output-buffer limit when 0. */
  private limit(): number {
    const s = this.server;
    const l = s.config.num('replica-full-sync-buffer-limit');
    if (l > 0) return l;
    return s.config.get<OutputBufferLimits>('client-output-buffer-limit').replica.hard;
  }

  /** Bytes that came with the +RDBCHANNELSYNC reply (none expected). */
  push(b: Buffer): void {
    if (b.length > 0) this.add(b);
  }

  /** Bytes in the spill file not replayed yet. */
  get spilled(): number {
    return this.spillWrite - this.spillRead;
  }

  private add(b: Buffer): void {
    const limit = this.limit();
    const spill = !this.spillFailed && (this.spillFd >= 0 || (limit > 0 && this.memBytes + b.length > limit && this.canSpill()));
    if (spill && this.spillAppend(b)) {
      this.size += b.length;
    } else {
      this.chunks.push(b);
      this.size += b.length;
      this.memBytes += b.length;
    }
    if (this.size > this.peak) this.peak = this.size;
    if (this.state === MainChState.StreamingBuf) {
      this.credit -= b.length;
      if (this.credit <= 0) this.pause();
      return;
    }
    // At the limit exactly, with spilling possible, the next bytes go to the file: keep reading.
    if (limit > 0 && this.memBytes >= limit && (this.spillFd < 0 || this.spillFailed) && !this.canSpill()) {
      if (!this.limitLogged) {
        this.limitLogged = true;
        this.server.log.warning(
          `Replication buffer limit has been reached (${limit} bytes), stopped buffering replication stream. Further accumulation may occur on master side.`,
        );
      }
      this.pause();
    }
  }

  private canSpill(): boolean {
    return !this.spillFailed && this.server.config.bool('replica-full-sync-buffer-spill');
  }

  /** Appends to the spill file (opened on first use); false when the disk failed. */
  private spillAppend(b: Buffer): boolean {
    const s = this.server;
    try {
      if (this.spillFd < 0) {
        this.spillPath = join(s.config.str('dir'), `temp-fullsync-buffer-${process.pid}-${Date.now()}.bin`);
        this.spillFd = fs.openSync(this.spillPath, 'w+', 0o600);
        this.spillWrite = 0;
        this.spillRead = 0;
        this.memBeforeSpill = this.memBytes;
        s.log.notice(`Replica full sync buffer reached ${this.limit()} bytes in memory: spilling the replication stream to ${this.spillPath}`);
      }
      let off = 0;
      while (off < b.length) off += fs.writeSync(this.spillFd, b, off, b.length - off, this.spillWrite + off);
      this.spillWrite += b.length;
      this.spilledTotal += b.length;
      return true;
    } catch (e) {
      this.spillFailed = true;
      s.log.warning(`Can't spill the replica full sync buffer to disk (${(e as Error).message}): keeping it in memory up to the limit.`);
      // What was written stays valid and replays first; the rest goes to memory after it.
      if (this.spillFd >= 0 && this.spillWrite === this.spillRead) this.closeSpill();
      return false;
    }
  }

  private closeSpill(): void {
    if (this.spillFd >= 0) {
      try {
        fs.closeSync(this.spillFd);
      } catch {
        // already closed
      }
    }
    this.spillFd = -1;
    if (this.spillPath !== null) fs.rmSync(this.spillPath, { force: true });
    this.spillPath = null;
    this.spillWrite = 0;
    this.spillRead = 0;
  }

  /** Next replay piece: memory first, then the spill file. Null when empty. */
  private takeNext(): Buffer | null {
    if (this.chunks.length > 0 && (this.spillFd < 0 || this.memBeforeSpill > 0)) {
      const c = this.chunks.shift()!;
      this.memBytes -= c.length;
      if (this.memBeforeSpill > 0) this.memBeforeSpill -= c.length;
      this.size -= c.length;
      return c;
    }
    if (this.spillFd >= 0 && this.spillRead < this.spillWrite) {
      const n = Math.min(64 * 1024, this.spillWrite - this.spillRead);
      const buf = Buffer.allocUnsafe(n);
      const got = fs.readSync(this.spillFd, buf, 0, n, this.spillRead);
      if (got <= 0) throw new Error('short read from the spill file');
      this.spillRead += got;
      this.size -= got;
      if (this.spillRead === this.spillWrite) this.closeSpill(); // new data go to memory again
      return got === n ? buf : buf.subarray(0, got);
    }
    if (this.chunks.length > 0) {
      const c = this.chunks.shift()!;
      this.memBytes -= c.length;
      this.size -= c.length;
      return c;
    }
    return null;
  }

  /** Memory bytes queued before the spill file started (they replay first). */
  private memBeforeSpill = 0;

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.mainSock.pause();
  }

  private resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.mainSock.resume();
  }

  private readonly onData = (d: Buffer): void => {
    if (this.stopped) return;
    this.server.stats.netReplInputBytes += d.length;
    if (this.preamble >= 0) {
      this.readPreamble(d);
      return;
    }
    this.add(d);
  };

  /** The PSYNC sent once the master accepted set-rdb-client-id (Valkey waits for that reply). */
  private psync: Buffer | null = null;

  /** Dual channel: names the rdb channel on the main one, then resyncs from its $ENDOFF. */
  requestResync(identify: Buffer, psync: Buffer): void {
    this.preamble = 2;
    this.psync = psync;
    this.mainSock.write(identify);
  }

  private readPreamble(d: Buffer): void {
    const s = this.server;
    this.pre = this.pre.length === 0 ? d : Buffer.concat([this.pre, d]);
    while (this.preamble > 0) {
      const nl = this.pre.indexOf(10);
      if (nl < 0) return;
      const line = this.pre.latin1Slice(0, nl > 0 && this.pre[nl - 1] === 13 ? nl - 1 : nl);
      this.pre = this.pre.subarray(nl + 1);
      if (line === '') continue; // keepalive newline
      if (this.preamble === 2) {
        if (line[0] === '-') return this.abortDual(`Primary does not understand REPLCONF identify: ${line}`);
        this.preamble = 1;
        this.mainSock.write(this.psync!);
        continue;
      }
      if (!line.startsWith('+CONTINUE')) return this.abortDual(`Aborting dual channel sync. Main channel psync result ${line}`);
      s.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization, RDB load in background.');
      this.preamble = -1;
      const rest = this.pre;
      this.pre = Buffer.alloc(0);
      if (rest.length > 0) this.add(rest);
      const replay = this.pendingReplay;
      this.pendingReplay = null;
      replay?.();
    }
  }

  private abortDual(why: string): void {
    this.server.log.warning(why);
    this.stop();
    this.onAbort(why);
  }

  private readonly onError = (e: Error): void => {
    if (this.mainError === null) this.mainError = e.message;
  };

  private readonly onClose = (): void => {
    if (this.stopped) return;
    const why = this.mainError ?? 'connection lost';
    this.server.log.warning(`Main channel error while reading from master: ${why}`);
    if (this.state === MainChState.StreamingBuf || this.diskLoading || this.pendingReplay !== null) {
      // What arrived is still applied (after the load); then the link is freed and cached,
      // and the replica continues with a PSYNC from there (Redis 8 does the same).
      this.state = MainChState.CloseAsap;
      // Dual channel, loaded while the main channel's PSYNC was unanswered: no +CONTINUE will
      // come now, so the replay (of nothing) must not wait for it — it would leave the link
      // "connected" to a closed socket until repl-timeout.
      const replay = this.pendingReplay;
      this.pendingReplay = null;
      replay?.();
      return;
    }
    if (this.state === MainChState.AccumulateBuf) {
      this.stop();
      this.onAbort(why);
    }
  };

  /** Detaches from the main socket (which the caller destroys or takes over). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.mainSock.off('data', this.onData);
    this.mainSock.off('error', this.onError);
    this.mainSock.off('close', this.onClose);
    this.chunks.length = 0;
    this.size = 0;
    this.memBytes = 0;
    this.closeSpill();
  }

  /** Abandons the sync: the main channel is closed too. */
  abort(): void {
    this.stop();
    this.mainSock.destroy();
  }

  /**
   * After the RDB loaded: applies the buffer in slices with `apply`, which returns false when
   * the master link went away. `done(closeAsap)` runs once the buffer is empty (the caller then
   * makes the main socket the live link, or frees it if it failed meanwhile).
   */
  replay(apply: (chunk: Buffer) => boolean, done: (closeAsap: boolean, failed: boolean) => void): void {
    const s = this.server;
    if (this.preamble >= 0 && this.state !== MainChState.CloseAsap) {
      // Loaded before the main channel's PSYNC was accepted: replay once it is.
      this.pendingReplay = () => this.replay(apply, done);
      return;
    }
    // (Main channel lost before its +CONTINUE: nothing was buffered; the caller PSYNCs.)
    this.preamble = -1;
    if (this.state === MainChState.AccumulateBuf) this.state = MainChState.StreamingBuf;
    s.log.notice(`MASTER <-> REPLICA sync: Starting to stream replication buffer into the db (${this.size} bytes).`);
    const step = (): void => {
      if (this.stopped) return;
      let n = 0;
      const t0 = performance.now();
      while (this.size > 0 && n < REPLAY_SLICE && performance.now() - t0 < REPLAY_SLICE_MS) {
        let chunk: Buffer | null;
        try {
          chunk = this.takeNext();
        } catch (e) {
          s.log.warning(`Can't read the spilled replication stream back: ${(e as Error).message}`);
          this.stop();
          done(false, true);
          return;
        }
        if (chunk === null) break;
        n += chunk.length;
        this.replayed += chunk.length;
        if (!apply(chunk)) {
          s.log.warning('Master client was freed while streaming accumulated replication data to db.');
          this.stop();
          return;
        }
      }
      if (this.size === 0) {
        s.log.notice(`MASTER <-> REPLICA sync: Successfully streamed replication buffer into the db (${this.replayed} bytes in total)`);
        const closeAsap = this.state === MainChState.CloseAsap;
        const wasPaused = this.paused;
        this.stop();
        if (wasPaused && !closeAsap) this.mainSock.resume();
        done(closeAsap, false);
        return;
      }
      // Read on, at most half as much as this slice consumed.
      this.credit = Math.floor(n / 2);
      if (this.state === MainChState.StreamingBuf) this.resume();
      setImmediate(step);
    };
    setImmediate(step);
  }
}
