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
 */
import type net from 'node:net';
import type { Server } from '../server.js';
import type { OutputBufferLimits } from '../config/defs.js';

export const enum MainChState {
  AccumulateBuf,
  StreamingBuf,
  CloseAsap,
}

/** Bytes applied per replay slice (Redis 8's loading-process-events-interval-bytes). */
const REPLAY_SLICE = 512 * 1024;

export class RdbChannelSync {
  state = MainChState.AccumulateBuf;
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

  constructor(
    private readonly server: Server,
    readonly mainSock: net.Socket,
    readonly clientId: string,
    /** The main channel failed before the replay: abort the whole sync. */
    private readonly onAbort: (why: string) => void,
  ) {
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

  private add(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    if (this.size > this.peak) this.peak = this.size;
    if (this.state === MainChState.StreamingBuf) {
      this.credit -= b.length;
      if (this.credit <= 0) this.pause();
      return;
    }
    const limit = this.limit();
    if (limit > 0 && this.size >= limit) {
      if (!this.limitLogged) {
        this.limitLogged = true;
        this.server.log.warning(
          `Replication buffer limit has been reached (${limit} bytes), stopped buffering replication stream. Further accumulation may occur on master side.`,
        );
      }
      this.pause();
    }
  }

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
    this.add(d);
  };

  private readonly onError = (e: Error): void => {
    if (this.mainError === null) this.mainError = e.message;
  };

  private readonly onClose = (): void => {
    if (this.stopped) return;
    const why = this.mainError ?? 'connection lost';
    this.server.log.warning(`Main channel error while reading from master: ${why}`);
    if (this.state === MainChState.StreamingBuf) {
      // What arrived is still applied; then the link is freed and cached (PSYNC from there).
      this.state = MainChState.CloseAsap;
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
  replay(apply: (chunk: Buffer) => boolean, done: (closeAsap: boolean) => void): void {
    const s = this.server;
    if (this.state === MainChState.AccumulateBuf) this.state = MainChState.StreamingBuf;
    s.log.notice(`MASTER <-> REPLICA sync: Starting to stream replication buffer into the db (${this.size} bytes).`);
    const step = (): void => {
      if (this.stopped) return;
      let n = 0;
      while (this.chunks.length > 0 && n < REPLAY_SLICE) {
        const chunk = this.chunks.shift()!;
        this.size -= chunk.length;
        n += chunk.length;
        this.replayed += chunk.length;
        if (!apply(chunk)) {
          s.log.warning('Master client was freed while streaming accumulated replication data to db.');
          this.stop();
          return;
        }
      }
      if (this.chunks.length === 0) {
        s.log.notice(`MASTER <-> REPLICA sync: Successfully streamed replication buffer into the db (${this.replayed} bytes in total)`);
        const closeAsap = this.state === MainChState.CloseAsap;
        const wasPaused = this.paused;
        this.stop();
        if (wasPaused && !closeAsap) this.mainSock.resume();
        done(closeAsap);
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
