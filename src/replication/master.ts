/**
 * Master side: serving SYNC/PSYNC to replicas (spec: replication.md §2.4, §4, §5, §7).
 *
 *   PSYNC id off ──accepted──────────────────────────────────────────────▶ ONLINE (+CONTINUE, backlog)
 *        │ refused / SYNC
 *        ▼
 *   WAIT_BGSAVE_START ──snapshot starts (or attach to one)──▶ WAIT_BGSAVE_END ──disk──▶ SEND_BULK ──▶ ONLINE
 *     '\n' every second   +FULLRESYNC <id> <off>              writes retained        $len + file
 *                                                             └──socket: $EOF:mark + RDB + mark ──▶ ONLINE
 *                                                                                    (stream after the first ACK)
 *
 *   PSYNC refused + capa rdb-channel-repl (repl-rdb-channel yes, diskless): WAIT_RDB_CHANNEL
 *   ──its rdb channel's snapshot cut──▶ SEND_BULK_AND_STREAM ──snapshot delivered──▶ ONLINE
 *   (rdb-channel-master.ts; the rdb channel itself goes WAIT_BGSAVE_START → WAIT_BGSAVE_END, fed nothing)
 *
 *   PSYNC refused + capa dual-channel (Valkey 8, dual-channel-master.ts): +DUALCHANNELSYNC; the
 *   rdb channel's SYNC gets $ENDOFF + RDB, the main channel PSYNCs from there ──▶ BG_TRANSFER
 *   ──first ACK──▶ ONLINE
 *
 * From WAIT_BGSAVE_END on, every write is retained for the replica in the shared buffer
 * (buffer.ts) and counted against client-output-buffer-limit replica exactly as 7.0 counts it;
 * over the limit the replica is dropped and, when it comes back, needs a new full sync — the
 * loop of CASE2. The snapshot is the fork-less one (persistence/snapshot.ts): a disk target is
 * Persistence's BGSAVE, a socket target streams the same snapshot to every waiting replica.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { CommandSpec } from '../commands/registry.js';
import { E, is, parseInt64 } from '../commands/util.js';
import type { SavePoint } from '../config/config.js';
import type { Snapshot } from '../persistence/snapshot.js';
import type { BufferReader, Block } from './buffer.js';
import type { ReplicationCore, ReplicaHandle } from './core.js';
import { SyncForecast } from './forecast.js';
import { RdbChannelMaster, type RdbChannelFields } from './rdb-channel-master.js';
import { DualChannelMaster, type DualChannelFields } from './dual-channel-master.js';

export const enum ReplState {
  WaitBgsaveStart,
  WaitBgsaveEnd,
  SendBulk,
  Online,
  /** rdb channel (rdb-channel-master.ts): main channel told +RDBCHANNELSYNC, nothing fed yet. */
  WaitRdbChannel,
  /** rdb channel: main channel streaming from the snapshot's cut while the RDB travels. */
  SendBulkAndStream,
  /** dual channel (Valkey): main channel resynced from the $ENDOFF offset, replica still loading. */
  BgTransfer,
}

const STATE_NAMES = ['wait_bgsave', 'wait_bgsave', 'send_bulk', 'online', 'wait_bgsave', 'send_bulk_and_stream', 'bg_transfer'];
/** Bytes read from dump.rdb per write while sending a disk payload. */
const BULK_CHUNK = 64 * 1024;
/** A diskless transfer waits for sockets holding more than this. */
const SOCKET_HIGH_WATER = 1024 * 1024;
/** Stream bytes fed since the last write to the replicas that make the master write them at once. */
const EARLY_PUMP_BYTES = 64 * 1024;

/** One replica served by this instance. */
export class ReplicaConn implements BufferReader, ReplicaHandle, RdbChannelFields, DualChannelFields {
  state = ReplState.WaitBgsaveStart;
  refBlock: Block | null = null;
  refPos = 0;
  listeningPort = 0;
  announcedIp = '';
  capaEof = false;
  capaPsync2 = false;
  /** Came with the old SYNC: no +FULLRESYNC, no ACKs, never timed out for missing ACKs. */
  prePsync = false;
  ackOffset = 0;
  /** ms of the last REPLCONF ACK or newline. */
  ackTime = Date.now();
  /** The offset its snapshot was taken at (+FULLRESYNC <id> <off>). */
  initOffset = -1;
  /** Diskless: the stream starts only after the replica's first ACK. */
  waitingFirstAck = false;
  /** ms of the last write of the diskless payload (full sync timeout). */
  lastTransferIo = Date.now();
  private waitingDrain = false;
  capaRdbChannel = false;
  rdbChannel = false;
  mainChannel: ReplicaConn | null = null;
  rdbChannelConn: ReplicaConn | null = null;
  rdbDelivered = false;
  capaDualChannel = false;
  dualRdbChannel = false;
  waitingPsync = false;
  boundRdb: ReplicaConn | null = null;

  constructor(
    readonly master: MasterSide,
    readonly client: Client,
  ) {}

  canFeed(): boolean {
    // A Valkey rdb channel holds (never sends) the stream from its cut until its main channel resyncs.
    if (this.waitingPsync) return true;
    return this.state !== ReplState.WaitBgsaveStart && this.state !== ReplState.WaitRdbChannel && !this.rdbChannel;
  }

  onNewBlock(): void {
    this.master.server.checkOutputLimits(this.client, false);
  }

  close(): void {
    this.client.close();
  }

  /** replicationGetSlaveName: "<ip>:<port>" as announced. */
  get name(): string {
    let ip = this.announcedIp;
    if (ip === '') {
      const addr = this.client.addr;
      ip = addr.slice(0, addr.lastIndexOf(':'));
      if (ip.startsWith('[')) ip = ip.slice(1, -1);
    }
    if (ip === '') return `client id #${this.client.id}`;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return this.listeningPort !== 0 ? `${host}:${this.listeningPort}` : `${host}:<unknown-replica-port>`;
  }

  get ip(): string {
    if (this.announcedIp !== '') return this.announcedIp;
    const addr = this.client.addr;
    return addr.slice(0, addr.lastIndexOf(':'));
  }

  /**
   * Writes the retained stream to the socket while the kernel accepts it (`all`: everything,
   * regardless of backpressure — at shutdown).
   */
  pump(all = false): void {
    const sock = this.client.socket;
    const streaming =
      (this.state === ReplState.Online && !this.rdbChannel) || this.state === ReplState.SendBulkAndStream || this.state === ReplState.BgTransfer;
    if (!streaming || this.waitingFirstAck || this.client.isClosed || sock === null || (this.waitingDrain && !all)) return;
    const backlog = this.master.core.backlog;
    if (backlog === null) return;
    const stats = this.master.server.stats;
    for (;;) {
      const chunk = backlog.peek(this);
      if (chunk === null) break;
      const ok = sock.write(chunk);
      backlog.advance(this, chunk.length);
      stats.netReplOutputBytes += chunk.length;
      stats.netOutputBytes += chunk.length;
      if (!ok && !all) {
        this.waitingDrain = true;
        sock.once('drain', () => {
          this.waitingDrain = false;
          this.pump();
        });
        break;
      }
    }
  }

  /** Raw bytes outside the stream (+FULLRESYNC, newlines, payload). */
  writeRaw(data: string | Buffer, written?: () => void): boolean {
    const sock = this.client.socket;
    if (sock === null || this.client.isClosed) {
      written?.(); // nothing holds the data
      return true;
    }
    this.client.flush();
    return written ? sock.write(data, written) : sock.write(data);
  }
}

interface SocketTransfer {
  replicas: Set<ReplicaConn>;
  mark: string;
}

export class MasterSide {
  readonly byClient = new Map<Client, ReplicaConn>();
  /** Replicas waiting for WAIT: clients blocked in WAIT. */
  private readonly waiters = new Set<{ client: Client; target: number; numreplicas: number; timer: NodeJS.Timeout | null }>();
  private getackScheduled = false;
  private writesScheduled = false;
  private socketTransfer: SocketTransfer | null = null;
  /** ONLINE replicas whose last ACK is recent enough (min-replicas-max-lag). */
  goodReplicas = 0;
  private cronLoops = 0;
  private lastCron = 0;
  /** Predicts, during each full sync, whether the output buffer limit will drop the replica. */
  readonly forecast: SyncForecast;
  private readonly rdbch = new RdbChannelMaster(this);
  private readonly dualch = new DualChannelMaster(this);

  constructor(
    readonly server: Server,
    readonly core: ReplicationCore,
  ) {
    core.onFeed = () => this.scheduleWrites();
    this.forecast = new SyncForecast(this);
    server.replicationBuffers = {
      memoryOf: (c) => {
        const rc = this.byClient.get(c);
        return rc && core.backlog ? core.backlog.memoryOf(rc) : 0;
      },
      blocksOf: (c) => {
        const rc = this.byClient.get(c);
        return rc && core.backlog ? core.backlog.blocksOf(rc) : 0;
      },
    };
    server.replicationMemory = () => {
      const mem = core.backlog?.mem ?? 0;
      const size = server.config.num('repl-backlog-size');
      // As Redis counts it: with replicas attached, what exceeds the backlog size is theirs;
      // without, all of the buffer is the backlog's (it may not be trimmed down yet).
      const replicasShare = this.byClient.size > 0 && mem > size;
      const index = core.backlog ? core.backlog.indexMemory() : 0;
      return { backlog: (replicasShare ? size : mem) + index, buffers: mem, replicasExtra: replicasShare ? mem - size : 0 };
    };
    server.replicaNewline = (c) => {
      const rc = this.byClient.get(c);
      if (rc) rc.ackTime = Date.now();
    };
    server.persistence.onBgsaveDone.push((ok, target) => this.onBgsaveDone(ok, target));
    server.cronTasks.push((now) => this.cron(now));
    server.hooks.writeGuards.push(() => this.minReplicasGuard());
    server.hooks.infoSections.set('replication', () => this.info());
    server.debugSubcommands.set('change-repl-id', {
      usage: 'CHANGE-REPL-ID',
      help: 'Change the replication IDs of the instance. Dangerous: should be used only for testing the replication subsystem.',
      handler: (c) => {
        server.log.notice('Changing replication IDs after receiving DEBUG change-repl-id');
        core.changeReplicationId();
        core.clearReplicationId2();
        c.w.ok();
      },
    });
    server.replicasBeforeShutdown = (now) => this.waitReplicasBeforeShutdown(now);
    server.replicasAtShutdown = { report: () => this.reportReplicasAtShutdown(), flush: () => this.flushReplicasAtShutdown() };
  }

  /** Connections that became replicas (SYNC/PSYNC), not those that only sent REPLCONF. */
  private replicaList(): ReplicaConn[] {
    return [...this.byClient.values()].filter((r) => r.client.isReplica && !r.rdbChannel);
  }

  private replicasIn(state: ReplState): ReplicaConn[] {
    return this.replicaList().filter((r) => r.state === state);
  }

  private replicasInSync(): boolean {
    return this.replicaList().every((r) => r.ackOffset === this.core.masterReplOffset);
  }

  /**
   * 7.0's shutdown: with lagging replicas, pause writes, ask for ACKs and wait up to
   * shutdown-timeout seconds for them to catch up. False when SHUTDOWN ABORT cancelled it.
   */
  private waitReplicasBeforeShutdown(now: boolean): Promise<boolean> {
    const s = this.server;
    const timeout = s.config.num('shutdown-timeout');
    if (now || timeout === 0 || this.replicaList().length === 0 || this.replicasInSync()) return Promise.resolve(true);
    if (s.pause.until === 0) this.core.propagateNoSelect(['REPLCONF', 'GETACK', '*']);
    const pauseBefore = { ...s.pause };
    s.pause = { until: Number.MAX_SAFE_INTEGER, writesOnly: true };
    s.log.notice('Waiting for replicas before shutting down.');
    const deadline = Date.now() + timeout * 1000;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (this.replicasInSync() || Date.now() >= deadline) finish(true);
      }, 10);
      const finish = (ok: boolean) => {
        clearInterval(timer);
        s.shutdownPending = null;
        if (!ok) {
          // SHUTDOWN ABORT: writes resume.
          s.pause = pauseBefore;
          if (pauseBefore.until === 0) s.unpause();
        }
        resolve(ok);
      };
      s.shutdownPending = { cancel: () => finish(false) };
    });
  }

  /** The lines 7.0 prints about lagging replicas at shutdown; then their pending stream is sent. */
  private reportReplicasAtShutdown(): void {
    const s = this.server;
    const replicas = this.replicaList();
    let lagging = 0;
    const now = Date.now();
    for (const rc of replicas) {
      if (rc.ackOffset === this.core.masterReplOffset) continue;
      lagging++;
      const lag = rc.state === ReplState.Online ? Math.floor((now - rc.ackTime) / 1000) : 0;
      s.log.warning(
        `Lagging replica ${rc.name} reported offset ${this.core.masterReplOffset - rc.ackOffset} behind master, lag=${lag}, state=${STATE_NAMES[rc.state]}.`,
      );
    }
    if (replicas.length > 0) s.log.notice(`${replicas.length - lagging} of ${replicas.length} replicas are in sync when shutting down.`);
  }

  private flushReplicasAtShutdown(): void {
    const replicas = this.replicaList();
    // Like flushSlavesOutputBuffers: hand every replica its whole pending stream, then close
    // gracefully so the kernel still delivers it after we exit.
    this.closingForShutdown = true;
    for (const rc of replicas) {
      rc.pump(true);
      rc.client.closeAfterReply = true;
      rc.client.flush();
    }
  }

  /** Set at shutdown: replicas are closed on purpose, not "lost". */
  private closingForShutdown = false;

  // ---------------------------------------------------------------- stream output

  /**
   * Coalesces socket writes to online replicas: once per event-loop turn, like beforeSleep —
   * but no more than EARLY_PUMP_BYTES of stream wait for the end of the turn. Redis reads at
   * most 16 KB from a client per event-loop iteration, so its per-iteration growth is small;
   * Node reads up to 32 × 64 KB from one socket in one poll phase, so a pipelined burst used
   * to leave ~2 MB in every replica's buffer (CLIENT LIST omem, the output-buffer limits)
   * until the turn ended, even with the replica's socket idle.
   */
  private scheduleWrites(): void {
    const unsent = this.core.masterReplOffset - this.pumpedOffset;
    if ((unsent >= EARLY_PUMP_BYTES || unsent < 0) && !this.replicasWaitForFsync()) this.pumpAll();
    if (this.writesScheduled) return;
    this.writesScheduled = true;
    setImmediate(() => {
      this.writesScheduled = false;
      this.pumpAll();
    });
  }

  /**
   * Under appendfsync always, replicas get a write only after the AOF's fsync of it (Redis
   * writes to replicas in beforeSleep after flushing the AOF): the end-of-turn write, which
   * comes after the AOF's, is kept.
   */
  private replicasWaitForFsync(): boolean {
    const cfg = this.server.config;
    return cfg.bool('appendonly') && cfg.str('appendfsync') === 'always';
  }

  /** master_repl_offset at the last pumpAll(). */
  private pumpedOffset = 0;

  private pumpAll(): void {
    this.pumpedOffset = this.core.masterReplOffset;
    for (const rc of this.byClient.values()) rc.pump();
  }

  // ---------------------------------------------------------------- SYNC / PSYNC

  private syncCommand(c: Client, argv: string[]): void {
    if (c.isReplica) return;
    const s = this.server;
    const isPsync = is(argv[0], 'PSYNC');
    if (isPsync && argv.length > 3 && is(argv[3], 'FAILOVER')) {
      // Our master hands over to us: promote ourselves, then serve its PSYNC as a master.
      s.log.warning(`Failover request received for replid ${argv[1]}.`);
      if (s.masterHost === null) return c.error("ERR PSYNC FAILOVER can't be sent to a master.");
      if (argv[1].toLowerCase() !== this.core.replid) return c.error('ERR PSYNC FAILOVER replid must match my replid.');
      this.core.control?.unsetMaster();
      s.log.notice(`MASTER MODE enabled (failover request from '${c.info()}')`);
    }
    if (this.core.failoverState !== 'no-failover') return c.error("NOMASTERLINK Can't SYNC while failing over");
    if (s.masterHost !== null && !(this.core.link?.connected ?? false)) {
      return c.error("NOMASTERLINK Can't SYNC while not connected with my master");
    }
    if (c.w.len > 0 || (c.socket?.writableLength ?? 0) > 0) {
      return c.error('ERR SYNC and PSYNC are invalid with pending output');
    }
    const rc = this.byClient.get(c) ?? new ReplicaConn(this, c);
    this.byClient.set(c, rc);
    s.log.notice(`Replica ${rc.name} asks for synchronization`);
    if (isPsync) {
      const off = parseInt64(argv[2]);
      if (off === null) {
        s.log.warning(`Replica ${rc.name} asks for synchronization but with a wrong offset`);
        this.byClient.delete(c);
        return c.error(E.NOT_INTEGER);
      }
      if (rc.rdbChannel) {
        s.log.notice(`Full resync requested by replica ${rc.name} (rdb-channel)`);
      } else {
        if (this.tryPartialResync(rc, argv[1], off)) {
          s.stats.syncPartialOk++;
          return;
        }
        if (argv[1] !== '?') s.stats.syncPartialErr++;
        rc.boundRdb = null;
      }
    } else {
      rc.prePsync = true;
    }
    if (isPsync && !rc.rdbChannel && this.dualch.offer(rc)) return;
    if (!rc.rdbChannel && this.rdbch.offer(rc, isPsync)) {
      // Redis 8: no snapshot for this connection; it waits for its rdb channel (not a sync_full).
      this.makeReplica(rc);
      rc.state = ReplState.WaitRdbChannel;
      this.createBacklogIfNeeded();
      this.rdbch.announce(rc);
      return;
    }
    s.stats.syncFull++;
    this.makeReplica(rc);
    rc.state = ReplState.WaitBgsaveStart;
    this.createBacklogIfNeeded();
    this.serveFullSync(rc);
  }

  private createBacklogIfNeeded(): void {
    const s = this.server;
    if (this.core.replicas.size === 1 && this.core.backlog === null) {
      this.core.changeReplicationId();
      this.core.clearReplicationId2();
      this.core.createBacklog();
      s.log.notice(`Replication backlog created, my new replication IDs are '${this.core.replid}' and '${this.core.replid2}'`);
    }
  }

  // For rdb-channel-master.ts (const enum values do not cross modules).
  get waitRdbChannelState(): ReplState {
    return ReplState.WaitRdbChannel;
  }

  get sendBulkAndStreamState(): ReplState {
    return ReplState.SendBulkAndStream;
  }

  /** A main channel at its rdb channel's snapshot cut: fed (and sent) from the next write on. */
  startStreaming(main: ReplicaConn): void {
    main.state = ReplState.SendBulkAndStream;
    main.ackTime = Date.now();
  }

  goOnline(main: ReplicaConn): void {
    this.putOnline(main);
  }

  private makeReplica(rc: ReplicaConn): void {
    const c = rc.client;
    if (c.isReplica) return;
    c.isReplica = true;
    this.core.replicas.add(rc);
    if (this.server.config.bool('repl-disable-tcp-nodelay')) c.socket?.setNoDelay(false);
    c.onClose.push(() => this.onReplicaClosed(rc));
  }

  /** masterTryPartialResynchronization: true when accepted and the backlog is on its way. */
  private tryPartialResync(rc: ReplicaConn, id: string, off: number): boolean {
    const core = this.core;
    const s = this.server;
    if (id !== core.replid && !(id === core.replid2 && off <= core.secondReplidOffset)) {
      if (id === '?') {
        s.log.notice(`Full resync requested by replica ${rc.name}`);
      } else if (id !== core.replid2) {
        s.log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${id}', my replication IDs are '${core.replid}' and '${core.replid2}')`,
        );
      } else {
        s.log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${off}, but I can reply up to ${core.secondReplidOffset}`);
      }
      return false;
    }
    const b = core.backlog;
    if (b === null || off < b.firstByteOffset || off > b.firstByteOffset + b.histlen) {
      s.log.notice(`Unable to partial resync with replica ${rc.name} for lack of backlog (Replica request was: ${off}).`);
      if (off > core.masterReplOffset) {
        s.log.warning(`Warning: replica ${rc.name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    this.makeReplica(rc);
    // A dual-channel main channel streams while its replica loads; online at its first ACK.
    rc.state = rc.boundRdb !== null ? ReplState.BgTransfer : ReplState.Online;
    rc.ackTime = Date.now();
    rc.writeRaw(rc.capaPsync2 ? `+CONTINUE ${core.replid}\r\n` : '+CONTINUE\r\n');
    b.attachAt(rc, off);
    this.dualch.resynced(rc);
    s.log.notice(
      `Partial resynchronization request from ${rc.name} accepted. Sending ${core.masterReplOffset - off + 1} bytes of backlog starting from offset ${off}.`,
    );
    this.refreshGoodReplicas();
    rc.pump();
    return true;
  }

  /** §4.3: attach to the running snapshot, wait for the next one, or start one. */
  private serveFullSync(rc: ReplicaConn): void {
    const s = this.server;
    const p = s.persistence;
    const target = p.runningTarget;
    if (target === 'disk') {
      let other: ReplicaConn | null = null;
      // An rdb channel's main channel must stream from its own snapshot's cut.
      if (p.runningForReplication && !rc.rdbChannel) {
        for (const r of this.byClient.values()) {
          if (r !== rc && r.client.isReplica && !r.rdbChannel && r.state === ReplState.WaitBgsaveEnd) {
            other = r;
            break;
          }
        }
      }
      if (other !== null) {
        // Share its retained stream: it holds everything written since the snapshot's cut.
        rc.state = ReplState.WaitBgsaveEnd;
        rc.initOffset = other.initOffset;
        if (other.refBlock !== null) {
          rc.refBlock = other.refBlock;
          rc.refPos = other.refPos;
          rc.refBlock.refcount++;
        }
        this.sendFullResync(rc, other.initOffset);
        s.log.notice('Waiting for end of BGSAVE for SYNC');
      } else {
        s.log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
      }
      return;
    }
    if (target === 'socket') {
      s.log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
      return;
    }
    if (s.config.bool('repl-diskless-sync') && rc.capaEof && s.config.num('repl-diskless-sync-delay') > 0) {
      s.log.notice('Delay next BGSAVE for diskless SYNC');
      return;
    }
    this.startBgsaveForReplication(rc.capaEof);
  }

  private sendFullResync(rc: ReplicaConn, offset: number): void {
    rc.initOffset = offset;
    if (!rc.prePsync) rc.writeRaw(`+FULLRESYNC ${this.core.replid} ${offset}\r\n`);
    if (rc.dualRdbChannel) this.dualch.snapshotCut(rc, offset);
    else if (rc.rdbChannel) this.rdbch.snapshotCut(rc);
  }

  /** startBgsaveForReplication: one snapshot for every replica waiting to start. */
  private startBgsaveForReplication(mincapaEof: boolean): void {
    const s = this.server;
    const socketTarget = s.config.bool('repl-diskless-sync') && mincapaEof;
    const waiting = [...this.byClient.values()].filter((r) => r.client.isReplica && r.state === ReplState.WaitBgsaveStart);
    const rdbChannels = waiting.some((r) => r.rdbChannel) ? ' (rdb-channel)' : '';
    s.log.notice(`Starting BGSAVE for SYNC with target: ${socketTarget ? 'replicas sockets' : 'disk'}${rdbChannels}`);
    if (socketTarget) {
      this.startSocketTransfer(waiting);
      return;
    }
    const err = s.persistence.startBgsave({ forReplication: true });
    if (err !== null) {
      s.log.warning('BGSAVE for replication failed');
      for (const rc of waiting) this.failSync(rc);
      return;
    }
    // The snapshot's cut is now: everything written from here on is retained for them.
    this.core.selectedDb = -1;
    for (const rc of waiting) {
      rc.state = ReplState.WaitBgsaveEnd;
      this.sendFullResync(rc, this.core.masterReplOffset);
    }
  }

  private failSync(rc: ReplicaConn): void {
    rc.client.error('ERR BGSAVE failed, replication can\'t continue');
    rc.client.closeAfterReply = true;
    rc.client.flush();
  }

  private startSocketTransfer(waiting: ReplicaConn[]): void {
    const s = this.server;
    const mark = randomBytes(20).toString('hex');
    const transfer: SocketTransfer = { replicas: new Set(), mark };
    let snap: Snapshot | null = null;
    this.core.selectedDb = -1;
    for (const rc of waiting) {
      rc.state = ReplState.WaitBgsaveEnd;
      rc.lastTransferIo = Date.now();
      this.sendFullResync(rc, this.core.masterReplOffset);
      rc.writeRaw(`$EOF:${mark}\r\n`);
      transfer.replicas.add(rc);
    }
    const write = (chunk: Buffer) => {
      // The chunk's memory goes back to the snapshot once every socket has taken it.
      let holders = 1;
      const release = () => {
        if (--holders === 0) snap?.recycle(chunk);
      };
      for (const rc of transfer.replicas) {
        if (rc.client.isClosed) continue;
        holders++;
        rc.writeRaw(chunk, release);
        rc.lastTransferIo = Date.now();
        s.stats.netReplOutputBytes += chunk.length;
        s.stats.netOutputBytes += chunk.length;
      }
      release();
    };
    const congested = (): Promise<void> | null => {
      for (const rc of transfer.replicas) {
        const sock = rc.client.socket;
        if (sock && !rc.client.isClosed && sock.writableLength > SOCKET_HIGH_WATER) {
          return new Promise((resolve) => {
            const done = () => {
              sock.off('drain', done);
              sock.off('close', done);
              resolve();
            };
            sock.on('drain', done);
            sock.on('close', done);
          });
        }
      }
      return null;
    };
    const finish = () => {
      this.socketTransfer = null;
      write(Buffer.from(mark, 'latin1'));
      const alive = [...transfer.replicas].filter((r) => !r.client.isClosed);
      s.log.warning(`Diskless rdb transfer, done reading from pipe, ${alive.length} replicas still up.`);
      s.log.notice('Background RDB transfer terminated with success');
      for (const rc of alive) {
        s.log.notice(`Streamed RDB transfer with replica ${rc.name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
        rc.waitingFirstAck = true;
        this.putOnline(rc);
      }
    };
    snap = s.persistence.startSocketBgsave(write, congested, finish);
    if (snap === null) {
      s.log.warning('BGSAVE for replication failed');
      for (const rc of waiting) this.failSync(rc);
      return;
    }
    this.socketTransfer = transfer;
    s.log.notice(`Background RDB transfer started by pid ${process.pid}`);
  }

  private putOnline(rc: ReplicaConn): void {
    if (rc.dualRdbChannel) {
      rc.state = ReplState.Online;
      this.server.log.notice(`RDB transfer completed, rdb only replica (${rc.name}) should be disconnected asap`);
      this.dualch.delivered(rc);
      return;
    }
    if (rc.rdbChannel) {
      rc.state = ReplState.Online;
      this.server.log.notice(`Streamed RDB transfer with replica ${rc.name} succeeded (rdb channel)`);
      this.rdbch.delivered(rc);
      return;
    }
    rc.state = ReplState.Online;
    rc.ackTime = Date.now();
    this.server.log.notice(`Synchronization with replica ${rc.name} succeeded`);
    this.refreshGoodReplicas();
    rc.pump();
  }

  /** A background save ended: serve the replicas that waited for it, then start the next one. */
  private onBgsaveDone(ok: boolean, target: 'disk' | 'socket'): void {
    const s = this.server;
    if (target === 'disk') {
      for (const rc of [...this.byClient.values()]) {
        if (!rc.client.isReplica || rc.state !== ReplState.WaitBgsaveEnd) continue;
        if (!ok) {
          s.log.warning('SYNC failed. BGSAVE child returned an error');
          rc.close();
          continue;
        }
        this.sendBulk(rc);
      }
    }
    this.startPendingSync();
  }

  /** SEND_BULK: `$<size>\r\n` and dump.rdb, with socket backpressure; then ONLINE. */
  private sendBulk(rc: ReplicaConn): void {
    const s = this.server;
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(s.persistence.path, 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      s.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
      rc.close();
      return;
    }
    rc.state = ReplState.SendBulk;
    rc.writeRaw(`$${size}\r\n`);
    this.forecast.onBulk(rc, size);
    let pos = 0;
    const sock = rc.client.socket!;
    const next = (): void => {
      if (rc.client.isClosed) {
        fs.close(fd, () => {});
        return;
      }
      if (pos >= size) {
        fs.close(fd, () => {});
        this.putOnline(rc);
        return;
      }
      const buf = Buffer.allocUnsafe(Math.min(BULK_CHUNK, size - pos));
      fs.read(fd, buf, 0, buf.length, pos, (err, n) => {
        if (rc.client.isClosed) {
          fs.close(fd, () => {});
          return;
        }
        if (err || n === 0) {
          s.log.warning(`Read error sending DB to replica: ${err ? err.message : 'unexpected end of file'}`);
          fs.close(fd, () => {});
          rc.close();
          return;
        }
        pos += n;
        s.stats.netReplOutputBytes += n;
        s.stats.netOutputBytes += n;
        if (sock.write(n === buf.length ? buf : buf.subarray(0, n))) setImmediate(next);
        else sock.once('drain', next);
      });
    };
    next();
  }

  /** replicationStartPendingFork: start the deferred snapshot when its time has come. */
  private startPendingSync(): void {
    const s = this.server;
    if (s.persistence.inProgress) return;
    const waiting = [...this.byClient.values()].filter((r) => r.client.isReplica && r.state === ReplState.WaitBgsaveStart);
    if (waiting.length === 0) return;
    let mincapaEof = true;
    let maxIdle = 0;
    const now = Date.now();
    for (const rc of waiting) {
      mincapaEof &&= rc.capaEof;
      maxIdle = Math.max(maxIdle, Math.floor((now - rc.client.lastInteraction) / 1000));
    }
    const maxReplicas = s.config.num('repl-diskless-sync-max-replicas');
    if (
      !s.config.bool('repl-diskless-sync') ||
      (maxReplicas > 0 && waiting.length >= maxReplicas) ||
      maxIdle >= s.config.num('repl-diskless-sync-delay')
    ) {
      this.startBgsaveForReplication(mincapaEof);
    }
  }

  private onReplicaClosed(rc: ReplicaConn): void {
    const s = this.server;
    this.byClient.delete(rc.client);
    this.core.replicas.delete(rc);
    // A waiting dual-channel rdb channel keeps its place in the stream for a while (not a reader any more).
    if (!(rc.dualRdbChannel && this.dualch.closed(rc))) this.core.backlog?.release(rc);
    if (!this.closingForShutdown) s.log.warning(`Connection with replica ${rc.rdbChannel ? '(rdbchannel) ' : ''}${rc.name} lost.`);
    this.rdbch.closed(rc);
    if (this.core.replicas.size === 0) this.core.noReplicasSince = Math.floor(Date.now() / 1000);
    this.refreshGoodReplicas();
    const t = this.socketTransfer;
    if (t !== null && t.replicas.delete(rc) && t.replicas.size === 0) {
      s.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
      this.socketTransfer = null;
      s.persistence.abort();
      s.log.warning('Background transfer terminated by signal 10');
      setImmediate(() => this.startPendingSync());
      return;
    }
    // 7.0 kills a disk snapshot nobody needs any more when no save points are configured.
    if (
      rc.state === ReplState.WaitBgsaveEnd &&
      s.persistence.runningTarget === 'disk' &&
      s.persistence.runningForReplication &&
      s.config.get<SavePoint[]>('save').length === 0 &&
      ![...this.byClient.values()].some((r) => r.client.isReplica && r.state === ReplState.WaitBgsaveEnd)
    ) {
      s.persistence.abort();
      s.log.warning('Background saving terminated by signal 10');
      setImmediate(() => this.startPendingSync());
    }
  }

  // ---------------------------------------------------------------- REPLCONF

  private replconf(c: Client, argv: string[]): void {
    if (argv.length % 2 === 0) return c.error(E.SYNTAX);
    for (let i = 1; i < argv.length; i += 2) {
      const opt = argv[i].toLowerCase();
      const val = argv[i + 1];
      if (opt === 'listening-port') {
        const n = parseInt64(val);
        if (n === null) return c.error(E.NOT_INTEGER);
        this.conn(c).listeningPort = n;
      } else if (opt === 'ip-address') {
        if (val.length >= 256) return c.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
        this.conn(c).announcedIp = val;
      } else if (opt === 'capa') {
        if (is(val, 'EOF')) this.conn(c).capaEof = true;
        else if (is(val, 'PSYNC2')) this.conn(c).capaPsync2 = true;
        else if (is(val, 'RDB-CHANNEL-REPL')) this.conn(c).capaRdbChannel = true;
        else if (is(val, 'DUAL-CHANNEL')) this.conn(c).capaDualChannel = true;
      } else if (opt === 'ack') {
        const rc = this.byClient.get(c);
        if (!rc || !c.isReplica) return;
        const off = parseInt64(val);
        if (off === null) return;
        if (off > rc.ackOffset) rc.ackOffset = off;
        rc.ackTime = Date.now();
        if (this.failover !== null) setImmediate(() => this.updateFailover());
        if (rc.waitingFirstAck) {
          rc.waitingFirstAck = false;
          rc.pump();
        }
        if (rc.state === ReplState.BgTransfer) this.putOnline(rc);
        this.checkWaiters();
        return;
      } else if (opt === 'getack') {
        if (c.isMaster) this.core.link?.sendAck();
        return;
      } else if (opt === 'rdb-only') {
        if (val !== '0' && val !== '1') return c.error('ERR value is out of range, value must between 0 and 1');
        // Accepted: reddish always sends the full payload and stream.
      } else if (opt === 'rdb-channel') {
        if (val !== '0' && val !== '1') return c.error('ERR value is out of range, value must between 0 and 1');
        // With main-ch-client-id (Redis 8) bind() makes it an rdb channel; without, it is Valkey's.
        if (val === '1' && !argv.some((a, j) => j % 2 === 1 && a.toLowerCase() === 'main-ch-client-id')) {
          const rc = this.conn(c);
          rc.rdbChannel = true;
          rc.dualRdbChannel = true;
          c.isRdbChannel = true;
        }
      } else if (opt === 'set-rdb-client-id') {
        const err = this.dualch.bind(this.conn(c), val);
        if (err !== null) return c.error(err);
      } else if (opt === 'version') {
        // Valkey replicas say which version they run; nothing depends on it here.
      } else if (opt === 'main-ch-client-id') {
        const err = this.rdbch.bind(this.conn(c), val);
        if (err !== null) return c.error(err);
      } else if (opt === 'rdb-filter-only') {
        // Accepted and ignored: reddish has no functions to filter.
      } else {
        return c.error(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
      }
    }
    c.w.ok();
  }

  /** The replica state of a connection that has not sent SYNC/PSYNC yet. */
  private conn(c: Client): ReplicaConn {
    let rc = this.byClient.get(c);
    if (!rc) {
      rc = new ReplicaConn(this, c);
      this.byClient.set(c, rc);
      c.onClose.push(() => {
        if (!c.isReplica) this.byClient.delete(c);
      });
    }
    return rc;
  }

  // ---------------------------------------------------------------- FAILOVER

  private failover: { host: string | null; port: number; endTime: number; force: boolean; pauseBefore: { until: number; writesOnly: boolean } } | null = null;

  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (7.0's coordinated failover). */
  private failoverCommand(c: Client, argv: string[]): void {
    const s = this.server;
    if (argv.length === 2 && is(argv[1], 'ABORT')) {
      if (this.failover === null) return c.error('ERR No failover in progress.');
      this.abortFailover('Failover manually aborted');
      return void c.w.ok();
    }
    let timeout = 0;
    let force = false;
    let host: string | null = null;
    let port = 0;
    for (let j = 1; j < argv.length; j++) {
      if (is(argv[j], 'TIMEOUT') && j + 1 < argv.length && timeout === 0) {
        const t = parseInt64(argv[j + 1]);
        if (t === null) return c.error(E.NOT_INTEGER);
        if (t <= 0) return c.error('ERR FAILOVER timeout must be greater than 0');
        timeout = t;
        j++;
      } else if (is(argv[j], 'TO') && j + 2 < argv.length && host === null) {
        const p = parseInt64(argv[j + 2]);
        if (p === null) return c.error(E.NOT_INTEGER);
        host = argv[j + 1];
        port = p;
        j += 2;
      } else if (is(argv[j], 'FORCE') && !force) {
        force = true;
      } else {
        return c.error(E.SYNTAX);
      }
    }
    if (this.failover !== null) return c.error('ERR FAILOVER already in progress.');
    if (s.masterHost !== null) return c.error('ERR FAILOVER is not valid when server is a replica.');
    if (this.replicaList().length === 0) return c.error('ERR FAILOVER requires connected replicas.');
    if (force && (timeout === 0 || host === null)) return c.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
    if (host !== null) {
      const target = this.findReplica(host, port);
      if (target === null) return c.error('ERR FAILOVER target HOST and PORT is not a replica.');
      if (target.state !== ReplState.Online) return c.error('ERR FAILOVER target replica is not online.');
      s.log.notice(`FAILOVER requested to ${host}:${port}.`);
    } else {
      s.log.notice('FAILOVER requested to any replica.');
    }
    this.failover = { host, port, endTime: timeout > 0 ? Date.now() + timeout : 0, force, pauseBefore: { ...s.pause } };
    this.core.failoverState = 'waiting-for-sync';
    // Writes wait while the replicas catch up (Redis pauses them the same way).
    s.pause = { until: Number.MAX_SAFE_INTEGER, writesOnly: true };
    c.w.ok();
  }

  private findReplica(host: string, port: number): ReplicaConn | null {
    for (const rc of this.replicaList()) if (rc.ip === host && rc.listeningPort === port) return rc;
    return null;
  }

  /** updateFailoverStatus: hand over as soon as the target (or any replica) has everything. */
  private updateFailover(): void {
    const f = this.failover;
    if (f === null || this.core.failoverState !== 'waiting-for-sync') return;
    const s = this.server;
    if (f.endTime !== 0 && f.endTime <= Date.now()) {
      if (f.force) {
        s.log.notice(`FAILOVER to ${f.host}:${f.port} time out exceeded, failing over.`);
        this.handOver(f.host!, f.port);
      } else {
        this.abortFailover('Replica never caught up before timeout');
      }
      return;
    }
    let target: ReplicaConn | null = null;
    if (f.host !== null) target = this.findReplica(f.host, f.port);
    else {
      for (const rc of this.replicaList()) {
        if (rc.ackOffset === this.core.masterReplOffset) {
          target = rc;
          f.host = rc.ip;
          f.port = rc.listeningPort;
          break;
        }
      }
    }
    if (target !== null && target.ackOffset === this.core.masterReplOffset) {
      s.log.notice(`Failover target ${f.host}:${f.port} is synced, failing over.`);
      this.handOver(f.host!, f.port);
    }
  }

  private handOver(host: string, port: number): void {
    this.core.failoverState = 'failover-in-progress';
    this.core.onFailoverPsync = (accepted) => {
      this.core.onFailoverPsync = null;
      if (accepted) this.clearFailover();
      else this.abortFailover('Failover target rejected psync request');
    };
    this.core.control?.setMaster(host, port);
  }

  private abortFailover(why: string): void {
    const f = this.failover;
    if (f === null) return;
    const s = this.server;
    if (f.host !== null) s.log.notice(`FAILOVER to ${f.host}:${f.port} aborted: ${why}`);
    else s.log.notice(`FAILOVER to any replica aborted: ${why}`);
    const inProgress = this.core.failoverState === 'failover-in-progress';
    this.clearFailover();
    if (inProgress) this.core.control?.unsetMaster();
  }

  private clearFailover(): void {
    const f = this.failover;
    if (f === null) return;
    const s = this.server;
    this.failover = null;
    this.core.failoverState = 'no-failover';
    this.core.onFailoverPsync = null;
    s.pause = f.pauseBefore;
    if (f.pauseBefore.until === 0) s.unpause();
  }

  // ---------------------------------------------------------------- WAIT

  private waitCommand(c: Client, argv: string[]): void {
    const s = this.server;
    if (s.masterHost !== null) {
      return c.error(
        'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
      );
    }
    const numreplicas = parseInt64(argv[1]);
    if (numreplicas === null) return c.error(E.NOT_INTEGER);
    const timeout = parseInt64(argv[2]);
    if (timeout === null) return c.error('ERR timeout is not an integer or out of range');
    if (timeout < 0) return c.error('ERR timeout is negative');
    const target = c.woff;
    const acked = this.replicasAcked(target);
    if (acked >= numreplicas || c.inMulti || s.inExec) return void c.w.int(acked);
    c.blocked = true;
    const waiter = { client: c, target, numreplicas, timer: null as NodeJS.Timeout | null };
    if (timeout > 0) waiter.timer = setTimeout(() => this.unblockWaiter(waiter), timeout);
    this.waiters.add(waiter);
    c.onClose.push(() => {
      if (waiter.timer) clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
    });
    this.scheduleGetack();
  }

  private replicasAcked(offset: number): number {
    let n = 0;
    for (const rc of this.byClient.values()) if (rc.client.isReplica && !rc.rdbChannel && rc.state === ReplState.Online && rc.ackOffset >= offset) n++;
    return n;
  }

  private unblockWaiter(w: { client: Client; target: number; numreplicas: number; timer: NodeJS.Timeout | null }): void {
    if (!this.waiters.delete(w)) return;
    if (w.timer) clearTimeout(w.timer);
    const c = w.client;
    c.blocked = false;
    c.w.int(this.replicasAcked(w.target));
    c.flushSoon();
    c.resume();
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) if (this.replicasAcked(w.target) >= w.numreplicas) this.unblockWaiter(w);
  }

  /** One REPLCONF GETACK * for all WAIT callers of this event-loop turn. */
  private scheduleGetack(): void {
    if (this.getackScheduled) return;
    this.getackScheduled = true;
    setImmediate(() => {
      this.getackScheduled = false;
      if (this.waiters.size === 0 || this.server.pause.until !== 0) return;
      this.core.propagateNoSelect(['REPLCONF', 'GETACK', '*']);
    });
  }

  // ---------------------------------------------------------------- cron, limits, min-replicas

  private cron(now: number): void {
    // Deferred snapshots are checked at every server cron tick, like serverCron does.
    this.startPendingSync();
    this.updateFailover();
    if (now - this.lastCron < 1000) return;
    this.lastCron = now;
    this.cronLoops++;
    const s = this.server;
    const core = this.core;
    const timeoutMs = s.config.num('repl-timeout') * 1000;
    // PING the replicas every repl-ping-replica-period (counted in the offset).
    const period = s.config.num('repl-ping-replica-period');
    if (s.masterHost === null && core.replicas.size > 0 && this.cronLoops % period === 0) {
      core.propagateNoSelect(['ping']);
    }
    for (const rc of [...this.byClient.values()]) {
      if (!rc.client.isReplica) continue;
      if (rc.rdbChannel && rc.state === ReplState.Online) continue; // delivered; the replica closes it
      if (rc.state === ReplState.WaitRdbChannel && now - rc.lastTransferIo > timeoutMs) {
        s.log.warning(`Disconnecting replica ${rc.name}: its rdb channel did not come`);
        rc.close();
        continue;
      }
      const presync = rc.state === ReplState.WaitBgsaveStart || (rc.state === ReplState.WaitBgsaveEnd && s.persistence.runningTarget !== 'socket');
      if (presync) rc.writeRaw('\n');
      if (rc.state === ReplState.Online && !rc.prePsync && now - rc.ackTime > timeoutMs) {
        s.log.warning(`Disconnecting timedout replica (streaming sync): ${rc.name}`);
        rc.close();
        continue;
      }
      if (rc.state === ReplState.WaitBgsaveEnd && s.persistence.runningTarget === 'socket' && now - rc.lastTransferIo > timeoutMs) {
        s.log.warning(`Disconnecting timedout replica (full sync): ${rc.name}`);
        rc.close();
      }
    }
    // Free the backlog after repl-backlog-ttl without replicas (a master only).
    const ttl = s.config.num('repl-backlog-ttl');
    const nowSec = Math.floor(now / 1000);
    if (s.masterHost === null && core.replicas.size === 0 && ttl > 0 && core.backlog !== null && nowSec - core.noReplicasSince > ttl) {
      core.changeReplicationId();
      core.clearReplicationId2();
      core.freeBacklog();
      s.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.refreshGoodReplicas();
  }

  refreshGoodReplicas(): void {
    const maxLag = this.server.config.num('min-replicas-max-lag') * 1000;
    const now = Date.now();
    let good = 0;
    for (const rc of this.byClient.values()) {
      if (rc.client.isReplica && !rc.rdbChannel && rc.state === ReplState.Online && now - rc.ackTime <= maxLag) good++;
    }
    this.goodReplicas = good;
  }

  private minReplicasGuard(): string | null {
    const s = this.server;
    if (s.masterHost !== null) return null;
    const min = s.config.num('min-replicas-to-write');
    if (min === 0 || s.config.num('min-replicas-max-lag') === 0) return null;
    return this.goodReplicas < min ? 'NOREPLICAS Not enough good replicas to write.' : null;
  }

  // ---------------------------------------------------------------- INFO / ROLE

  private replicaLines(): string[] {
    const lines: string[] = [];
    const s = this.server;
    const replicas = this.replicaList();
    lines.push(`connected_slaves:${replicas.length}`);
    if (s.config.num('min-replicas-to-write') !== 0 && s.config.num('min-replicas-max-lag') !== 0) {
      lines.push(`min_slaves_good_slaves:${this.goodReplicas}`);
    }
    const now = Date.now();
    replicas.forEach((rc, i) => {
      const lag = rc.state === ReplState.Online ? Math.floor((now - rc.ackTime) / 1000) : 0;
      lines.push(`slave${i}:ip=${rc.ip},port=${rc.listeningPort},state=${STATE_NAMES[rc.state]},offset=${rc.ackOffset},lag=${lag}`);
    });
    lines.push(...this.forecast.infoLines(replicas));
    return lines;
  }

  private info(): string[] {
    const core = this.core;
    const s = this.server;
    const lines: string[] = [];
    if (s.masterHost === null || core.link === null) lines.push('role:master');
    else lines.push('role:slave', ...core.link.infoLines());
    lines.push(...this.replicaLines());
    const b = core.backlog;
    lines.push(
      `master_failover_state:${core.failoverState}`,
      `master_replid:${core.replid}`,
      `master_replid2:${core.replid2}`,
      `master_repl_offset:${core.masterReplOffset}`,
      `second_repl_offset:${core.secondReplidOffset}`,
      `repl_backlog_active:${b ? 1 : 0}`,
      `repl_backlog_size:${s.config.num('repl-backlog-size')}`,
      `repl_backlog_first_byte_offset:${b ? b.firstByteOffset : 0}`,
      `repl_backlog_histlen:${b ? b.histlen : 0}`,
    );
    return lines;
  }

  private role(c: Client): void {
    const core = this.core;
    const link = core.link;
    if (this.server.masterHost !== null && link !== null) {
      c.w.array(5);
      c.w.bulk('slave');
      c.w.bulk(link.masterHostname);
      c.w.int(link.masterPortNumber);
      c.w.bulk(link.roleState());
      c.w.int(link.roleOffset());
      return;
    }
    const online = this.replicasIn(ReplState.Online);
    c.w.array(3);
    c.w.bulk('master');
    c.w.int(core.masterReplOffset);
    c.w.array(online.length);
    for (const rc of online) {
      c.w.array(3);
      c.w.bulk(rc.ip);
      c.w.bulk(String(rc.listeningPort));
      c.w.bulk(String(rc.ackOffset));
    }
  }

  commands(): CommandSpec[] {
    const g = { group: 'server', since: '2.8.0' };
    return [
      {
        ...g,
        name: 'psync',
        arity: -3,
        flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
        summary: 'An internal command used in replication.',
        handler: (c, argv) => this.syncCommand(c, argv),
      },
      {
        ...g,
        name: 'sync',
        arity: 1,
        since: '1.0.0',
        flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
        summary: 'An internal command used in replication.',
        handler: (c, argv) => this.syncCommand(c, argv),
      },
      {
        ...g,
        name: 'replconf',
        arity: -1,
        since: '3.0.0',
        flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
        summary: 'An internal command for configuring the replication stream.',
        handler: (c, argv) => this.replconf(c, argv),
      },
      {
        ...g,
        group: 'generic',
        name: 'wait',
        arity: 3,
        since: '3.0.0',
        flags: ['noscript'],
        summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
        tips: ['request_policy:all_shards', 'response_policy:agg_min'],
        acl: ['-keyspace', 'connection'],
        handler: (c, argv) => this.waitCommand(c, argv),
      },
      {
        ...g,
        name: 'failover',
        arity: -1,
        since: '6.2.0',
        flags: ['admin', 'noscript', 'stale'],
        summary: 'Starts a coordinated failover from a server to one of its replicas.',
        handler: (c, argv) => this.failoverCommand(c, argv),
      },
      {
        ...g,
        name: 'role',
        arity: 1,
        flags: ['noscript', 'loading', 'stale', 'fast'],
        summary: 'Returns the replication role.',
        acl: ['admin', 'dangerous'],
        handler: (c) => this.role(c),
      },
    ];
  }
}

