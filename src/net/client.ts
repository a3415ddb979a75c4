/**
 * One connected client: its query parser, reply buffer, selected database and connection state.
 *
 * Reading: every complete command in a received chunk is executed in one loop and the replies
 * are written with one socket write. When the kernel stops accepting data (write() returns
 * false) the client stops reading until 'drain', so a slow reader holds at most one batch of
 * replies. Clients fed by others (pub/sub, MONITOR, replicas) cannot be throttled that way; what
 * they have queued is accounted and checked against client-output-buffer-limit.
 *
 *   connected ──data──▶ parse ──▶ execute ──▶ reply buffer ──flush──▶ socket
 *        ▲                │ paused (CLIENT PAUSE / blocked / write backpressure)
 *        └──── resume ◀───┘
 */
import type { Socket } from 'node:net';
import { RequestParser, ProtocolError } from '../protocol/request-parser.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import type { Database } from '../store/database.js';
import type { Server } from '../server.js';
import { LogLevel } from '../log/logger.js';
import type { Command } from '../commands/registry.js';
import { catRepr } from '../util/repr.js';
import { PROPAGATE_ALL } from '../exec/hooks.js';

export const enum ClientClass {
  Normal = 0,
  Replica = 1,
  PubSub = 2,
}

export const enum ReplyMode {
  On = 0,
  Off = 1,
  Skip = 2,
}

/** Marks a socket whose reads go to Client.onRead instead of 'data' events. */
export const READS_SHARED = Symbol('reddish.readsShared');

/** Size of Redis's static per-client reply buffer; what exceeds it is the reply list (oll/omem). */
const STATIC_REPLY = 16 * 1024;

/** DEBUG REPLYBUFFER: the peak reset period (ms, -1 never) and whether the cron resizes at all. */
export const replyBufferTuning = { peakResetMs: 5000, resizing: true };

export class Client {
  readonly id: number;
  readonly parser: RequestParser;
  readonly w = new ReplyWriter();
  db: Database;
  name = '';
  authenticated: boolean;
  /** The ACL user the client runs as; null is the default user (the master link runs as no user). */
  aclUser: { readonly name: string } | null = null;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  /** Full name of the last command run ("client|list"). */
  lastCommand = 'NULL';
  /** Current command while it executes. */
  cmd: Command | null = null;
  addr = '';
  laddr = '';
  fd = -1;
  unixSocket = false;

  // Flags (Redis letters in CLIENT LIST).
  isReplica = false; // S
  /** Redis 8's rdb channel of a replica (snapshot only). */
  isRdbChannel = false; // C
  isMaster = false; // M
  isMonitor = false; // O
  inMulti = false; // x
  blocked = false; // b
  dirtyCas = false; // d
  closeAfterReply = false; // c
  closeAsap = false; // A
  noEvict = false; // e
  readonlyFlag = false; // r
  /** The client scripts' commands run as (MONITOR shows them as "lua"). */
  luaClient = false;
  /** Set while CLIENT PAUSE holds this client's commands. */
  pausedByServer = false;
  replyMode = ReplyMode.On;
  /** Pub/sub channel and pattern counts (filled by the pub/sub module). */
  subscriptions = 0;
  patternSubscriptions = 0;
  /** Shard channel count (SSUBSCRIBE); like the others it puts the client in Pub/Sub mode. */
  shardSubscriptions = 0;
  /** Client-side caching letters for CLIENT LIST (t, R, B) and redirect id (-1 when off). */
  trackingFlags = '';
  trackingRedirect = -1;
  /** Commands queued by MULTI (filled by the transactions module). */
  multiQueue: string[][] | null = null;
  /** Time the soft output limit was first exceeded (ms), 0 when below it. */
  softLimitSince = 0;
  /** Bytes handed to the socket that it has not yet sent, as of the last check. */
  private closed = false;
  private readingPaused = false;
  private processing = false;
  /** Called once when the client goes away (modules release what the client held). */
  readonly onClose: (() => void)[] = [];

  constructor(
    readonly server: Server,
    readonly socket: Socket | null,
    id: number,
  ) {
    this.id = id;
    this.db = server.keyspace.dbs[0];
    this.authenticated = !server.requiresAuth();
    this.parser = new RequestParser({
      maxBulkLen: server.config.num('proto-max-bulk-len'),
      authRequired: !this.authenticated,
    });
    if (socket) {
      this.fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
      if (socket.remoteAddress !== undefined) {
        this.addr = formatAddr(socket.remoteAddress, socket.remotePort!);
        this.laddr = formatAddr(socket.localAddress!, socket.localPort!);
      } else {
        this.unixSocket = true;
        this.addr = `${server.config.str('unixsocket')}:0`;
        this.laddr = this.addr;
      }
      socket.setNoDelay(true);
      // Sockets accepted by the server read into one shared buffer (see Server.accept) and
      // call onRead; others (tests, embedded use) deliver 'data' events.
      if (!(socket as unknown as { [READS_SHARED]?: boolean })[READS_SHARED]) socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('drain', () => this.onDrain());
      socket.on('end', () => {
        // The peer closed its side: Redis logs this at verbose with the client's info line.
        if (!this.closed && server.log.level <= LogLevel.Verbose) server.log.verbose(`Client closed connection ${this.info()}`);
        this.close();
      });
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Redis's CLIENT_PUBSUB: subscribed to any channel, pattern or shard channel. */
  get inPubSub(): boolean {
    return this.subscriptions + this.patternSubscriptions + this.shardSubscriptions > 0;
  }

  get resp(): 2 | 3 {
    return this.w.resp;
  }

  /** Redis's client class for output limits. MONITOR counts as normal; pubsub by subscriptions. */
  get outputClass(): ClientClass {
    if (this.isReplica && !this.isMonitor) return ClientClass.Replica;
    if (this.inPubSub) return ClientClass.PubSub;
    return ClientClass.Normal;
  }

  /** Data read into the server's shared read buffer: processed now, nothing kept referencing it. */
  onRead(chunk: Buffer): void {
    this.onData(chunk);
    this.parser.detach(chunk.buffer);
  }

  /** Input read outside the event loop (a busy script's server reads its clients synchronously). */
  feedSync(chunk: Buffer): void {
    this.onData(chunk);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastInteraction = Date.now();
    this.server.stats.netInputBytes += chunk.length;
    this.parser.feed(chunk);
    if (!this.isMaster && this.parser.pending() > this.server.hot.queryBufferLimit) {
      this.server.log.warning(
        `Closing client that reached max query buffer length: ${this.info()} (qbuf initial bytes: ${this.qbufSample()})`,
      );
      this.server.stats.clientQueryBufferLimitDisconnections++;
      this.close();
      return;
    }
    this.processInput();
  }

  private qbufSample(): string {
    return catRepr(this.parser.peek(64));
  }

  /** Runs every complete command waiting in the query buffer, then writes the replies. */
  processInput(): void {
    if (this.processing || this.closed) return;
    this.processing = true;
    try {
      while (!this.closed && !this.closeAfterReply && !this.blocked && !this.pausedByServer && !this.readingPaused) {
        let argv: string[] | null;
        try {
          argv = this.parser.next();
        } catch (e) {
          if (e instanceof ProtocolError) {
            this.protocolError(e);
            break;
          }
          throw e;
        }
        if (argv === null) break;
        if (argv.length === 0) {
          if (this.isReplica && this.parser.lastWasInline) this.server.replicaNewline?.(this);
          continue;
        }
        this.server.exec.execute(this, argv);
      }
    } finally {
      this.processing = false;
    }
    this.flush();
  }

  private protocolError(e: ProtocolError): void {
    this.error('ERR ' + e.message);
    const log = this.server.log;
    const level = this.isMaster ? LogLevel.Warning : LogLevel.Verbose;
    if (level >= log.level) log.log(level, `Protocol error (${e.reason}) from client: ${this.info()}. ${this.parser.errorSample()}`);
    this.closeAfterReply = true;
  }

  /** Bytes queued for this client: unflushed replies plus what the socket still holds. */
  pendingOutput(): number {
    return this.w.len + (this.socket ? this.socket.writableLength : 0);
  }

  /**
   * Redis's reply buffer size (rbs) and its peak use since the last reset (rbp): the buffer
   * starts at 16 KB and the clients cron shrinks it to what the client really uses (1 KB at
   * least) or grows it back, as 7.0 does; CLIENT LIST and the log lines show both.
   */
  replyBufSize = STATIC_REPLY;
  /** Starts at the full size (like Redis), so a new client keeps its buffer for a while. */
  replyBufPeak = STATIC_REPLY;
  private replyPeakResetAt = Date.now();

  /** clientsCronResizeOutputBuffer: shrink to the peak (≥ 1 KB) or double when it was full. */
  resizeReplyBuffer(now: number): void {
    if (!replyBufferTuning.resizing) return;
    const size = this.replyBufSize;
    const shrinkTo = size / 2;
    if (shrinkTo >= 1024 && this.replyBufPeak < shrinkTo) {
      this.replyBufSize = Math.max(1024, this.replyBufPeak + 1);
      this.server.stats.replyBufferShrinks++;
    } else if (size * 2 < STATIC_REPLY * 2 && this.replyBufPeak === size) {
      this.replyBufSize = size * 2;
      this.server.stats.replyBufferExpands++;
    }
    if (replyBufferTuning.peakResetMs >= 0 && now - this.replyPeakResetAt >= replyBufferTuning.peakResetMs) {
      this.replyBufPeak = 0;
      this.replyPeakResetAt = now;
    }
  }

  /** Writes buffered replies to the socket (one write per batch). */
  flush(): void {
    if (this.server.outputGate !== null && this.socket && !this.closed && this.server.outputGate(this)) return;
    if (this.w.len > 0 && this.socket && !this.closed) {
      const used = this.w.len < this.replyBufSize ? this.w.len : this.replyBufSize;
      if (used > this.replyBufPeak) this.replyBufPeak = used;
      const out = this.w.take();
      this.server.stats.netOutputBytes += out.length;
      const ok = this.socket.write(out);
      if (!ok && this.outputClass === ClientClass.Normal && !this.isMonitor) {
        // Backpressure: stop reading (and so producing replies) until the kernel drains.
        this.readingPaused = true;
        this.socket.pause();
      }
      if (this.socket.writableLength > 0) this.server.checkOutputLimits(this);
    } else if (this.w.len > 0 && !this.socket) {
      this.w.take();
    }
    if (this.closeAfterReply && !this.closed && this.socket) {
      this.closed = true;
      // Like Redis's close(): once the reply is out the descriptor is gone, so a peer that keeps
      // writing gets a reset instead of a half-open socket that swallows its data.
      const sock = this.socket;
      sock.end(() => sock.destroy());
      this.finishClose();
    }
  }

  /** Appends replies produced outside this client's own command loop (pub/sub, MONITOR). */
  flushSoon(): void {
    if (this.processing || this.closed) return;
    this.server.scheduleFlush(this);
  }

  private onDrain(): void {
    if (this.readingPaused) {
      this.readingPaused = false;
      this.socket!.resume();
      this.processInput();
    }
  }

  /** Resumes command processing after a pause, block or transaction wake-up. */
  resume(): void {
    if (this.closed) return;
    setImmediate(() => this.processInput());
  }

  /** Closes the connection now (CLIENT KILL, errors, limits). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) this.socket.destroy();
    this.finishClose();
  }

  private finishClose(): void {
    for (const fn of this.onClose) fn();
    this.server.removeClient(this);
  }

  /** Redis's client info string (CLIENT LIST / CLIENT INFO / log lines), 7.0 field set. */
  info(): string {
    const now = Date.now();
    const pending = this.pendingOutput();
    const obl = this.outputClass === ClientClass.Replica ? 0 : Math.min(pending, STATIC_REPLY);
    const omem = this.outputClass === ClientClass.Replica ? this.server.replicaOutputMemory(this) : pending - obl;
    const oll = this.outputClass === ClientClass.Replica ? this.server.replicaOutputBlocks(this) : Math.ceil(omem / STATIC_REPLY);
    const qbuf = this.parser.pending();
    const qbufFree = Math.max(0, this.parser.capacity() - qbuf);
    const multi = this.inMulti ? (this.multiQueue?.length ?? 0) : -1;
    const events = this.closed ? '' : pending > 0 ? 'rw' : 'r';
    const totMem = qbuf + qbufFree + omem + this.replyBufSize + 1024;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} name=${this.name} ` +
      `age=${Math.floor((now - this.createdAt) / 1000)} idle=${Math.floor((now - this.lastInteraction) / 1000)} ` +
      `flags=${this.flagString()} db=${this.db.id} sub=${this.subscriptions} psub=${this.patternSubscriptions} ssub=${this.shardSubscriptions} ` +
      `multi=${multi} qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=0 multi-mem=0 rbs=${this.replyBufSize} rbp=${this.replyBufPeak} ` +
      `obl=${obl} oll=${oll} omem=${omem} tot-mem=${totMem} events=${events} cmd=${this.lastCommand} ` +
      `user=${this.isMaster ? '(superuser)' : (this.aclUser?.name ?? 'default')} redir=${this.trackingRedirect} resp=${this.resp}`
    );
  }

  flagString(): string {
    let f = '';
    if (this.isReplica) f += 'S';
    if (this.isRdbChannel) f += 'C';
    if (this.isMonitor) f += 'O';
    if (this.isMaster) f += 'M';
    if (this.inPubSub) f += 'P';
    if (this.inMulti) f += 'x';
    if (this.blocked) f += 'b';
    f += this.trackingFlags;
    if (this.dirtyCas) f += 'd';
    if (this.closeAfterReply) f += 'c';
    if (this.closeAsap) f += 'A';
    if (this.unixSocket) f += 'U';
    if (this.readonlyFlag) f += 'r';
    if (this.noEvict) f += 'e';
    return f === '' ? 'N' : f;
  }

  /** Replies an error, counting it in INFO errorstats. */
  error(msg: string): void {
    this.w.error(msg);
    this.server.stats.totalErrorReplies++;
    this.server.stats.countError(msg);
    this.errored = true;
  }

  /** Set when the running command replied with an error (failed_calls). */
  errored = false;
  /** A command that was refused while queuing MULTI: EXEC then fails with EXECABORT. */
  multiError = false;
  /** Command held by CLIENT PAUSE, run when the pause ends. */
  heldCommand: string[] | null = null;
  /** What to propagate instead of argv (SET EX → SET PXAT ...), set by the command. */
  propagateArgv: string[] | null = null;
  /** Set by commands that queued their own propagation with server.alsoPropagate (SPOP → SREM). */
  preventPropagation = false;
  /** The command propagates even if it changed nothing (Redis's forceCommandPropagation). */
  forcePropagation = false;
  /** Where this client's writes propagate: the AOF and/or replicas (the script client's redis.set_repl). */
  propagateTarget = PROPAGATE_ALL;
  /** master_repl_offset right after this client's last command that propagated (WAIT's target). */
  woff = 0;
}

export function formatAddr(ip: string, port: number): string {
  if (ip.startsWith('::ffff:')) ip = ip.slice(7);
  return `${ip}:${port}`;
}
