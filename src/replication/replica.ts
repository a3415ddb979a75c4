/**
 * The replica side of replication: our link to a master (spec: replication.md §1, §2.3, §2.6,
 * §6.3, §7.2, §7.4, §8.1–8.5).
 *
 *   NONE ──REPLICAOF h p──▶ CONNECT ──connect()──▶ CONNECTING ──TCP up──▶ handshake
 *     ▲                        ▲  ▲ cron (1 s)                              │ PING, AUTH, REPLCONF ×n, PSYNC
 *     │ REPLICAOF NO ONE       │  └──────── handshake error ◀──────────────┤
 *     │                        │                                           ├─ +CONTINUE ──────────┐
 *     │                        │ immediate reconnect                       ▼ +FULLRESYNC           ▼
 *     │                        ├──── payload/load failure ◀───────── TRANSFER ──loaded──▶ CONNECTED
 *     │                        └──── link lost (master cached) ◀───────────────────────────────┘
 *
 * With repl-rdb-channel (Redis 8, rdb-channel-replica.ts): a `+RDBCHANNELSYNC <id>` reply keeps
 * the main socket aside, buffering what the master streams on it, and a second connection
 * (RdbChRecvAuth → RdbChRecvReplconf → RecvPsync `PSYNC ? -1` → TRANSFER) brings the RDB; once
 * loaded the main socket becomes the link (CONNECTED) and the buffer is replayed first. Losing
 * either connection before that drops both (a clean full sync again).
 * Valkey 8's dual channel (dual-channel-replication-enabled) differs on the wire: `+DUALCHANNELSYNC`,
 * then the rdb channel sends SYNC and gets `$ENDOFF:<off> <replid> <db> <id>` before the RDB
 * (RdbChRecvEndoff), and the main channel resyncs with `PSYNC <replid> <off+1>` meanwhile.
 *
 * The master's stream is applied by a connection-less Client flagged M (replies discarded,
 * only REPLCONF ACK is written back). Offsets follow Redis: `readOff` counts bytes read,
 * `reploff` (applied) is recomputed after each complete command outside MULTI as
 * readOff − unparsed bytes, and exactly the applied bytes are appended to our own backlog
 * (core.feedProxied), so sub-replicas see the master's stream at the master's offsets.
 */
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import { formatAddr } from '../net/client.js';
import type { CommandSpec } from '../commands/registry.js';
import { is } from '../commands/util.js';
import { ProtocolError } from '../protocol/request-parser.js';
import { Database } from '../store/database.js';
import { encodeCommand, type ReplicationCore, type ReplicaLinkView } from './core.js';
import { PayloadLoader } from './replica-loader.js';
import { RdbChannelSync, MainChState } from './rdb-channel-replica.js';

const enum St {
  None,
  Connect,
  Connecting,
  RecvPing,
  RecvAuth,
  RecvPort,
  RecvIp,
  RecvCapa,
  /** rdb channel (Redis 8): AUTH and REPLCONF replies on the second connection. */
  RdbChRecvAuth,
  RdbChRecvReplconf,
  /** dual channel (Valkey 8): the `$ENDOFF:` line that precedes the RDB on the rdb channel. */
  RdbChRecvEndoff,
  RecvPsync,
  Transfer,
  Connected,
}

const EMPTY = Buffer.alloc(0);
const MARK_LEN = 40;
/** Bytes read from the temp file per loading slice (the event loop runs between slices). */
const LOAD_SLICE = 2 * 1024 * 1024;

/** A master we were linked to: enough to ask it for a partial resync. */
interface CachedMaster {
  replid: string;
  reploff: number;
  db: number;
}

/** The live link in CONNECTED state. */
interface MasterLink {
  client: Client;
  sock: net.Socket;
  replid: string;
  /** Applied offset (reploff). */
  reploff: number;
  /** Read offset (read_reploff). */
  readOff: number;
  /** Linked with SYNC (pre-PSYNC master): no ACKs. */
  prePsync: boolean;
  /** ms of the last byte from the master. */
  lastInteraction: number;
  /** Bytes read but not applied yet (readOff − reploff of them). */
  raw: Buffer[];
  rawLen: number;
}

/** A full sync in progress (TRANSFER). */
interface Transfer {
  masterReplid: string;
  initialOffset: number;
  /** -1 until the `$` line; 0 in EOF-mark mode. */
  size: number;
  /** Bytes written to the temp file (INFO master_sync_read_bytes). */
  read: number;
  /** Payload bytes consumed (also when parsing from the socket). */
  consumed: number;
  /** Unix seconds of the last byte (or keepalive) received. */
  lastIo: number;
  mark: string | null;
  lastBytes: Buffer;
  /** Parse from the socket (repl-diskless-load) instead of a temp file. */
  toParser: boolean;
  swap: boolean;
  tmpPath: string | null;
  fd: number;
  loader: PayloadLoader | null;
  /** Set while the RDB is being loaded (socket reads are held). */
  loading: boolean;
}

export class ReplicaSide implements ReplicaLinkView {
  private host = '';
  private port = 0;
  private state = St.None;
  private sock: net.Socket | null = null;
  private inbuf: Buffer = EMPTY;
  private sockError: NodeJS.ErrnoException | null = null;
  /** Unix seconds of the last handshake I/O (timeouts of CONNECTING / handshake). */
  private handshakeLastIo = 0;
  private master: MasterLink | null = null;
  private cached: CachedMaster | null = null;
  private transfer: Transfer | null = null;
  /** Unix seconds since when the link is down; 0 = has not been up since we became a replica. */
  private downSince = 0;
  private lastCron = 0;
  private lastNewline = 0;
  private closed = false;
  /** Set while we free the master client ourselves (its onClose must not react). */
  private freeingMaster = false;
  /** Redis 8 rdb channel sync in progress: the main channel's buffer (this.sock is the rdb channel). */
  private rdbch: RdbChannelSync | null = null;
  /** After the RDB loaded: the buffer being replayed (this.sock is null meanwhile). */
  private replaying: RdbChannelSync | null = null;
  private fullSyncBufferPeak = 0;
  /** Bytes the last rdb-channel sync spilled to disk. */
  private lastSpilledTotal = 0;
  /** The classic-sync fallback was explained for this master (logged once). */
  private rdbChFallbackLogged = false;

  constructor(
    private readonly server: Server,
    private readonly core: ReplicationCore,
  ) {
    const conf = server.config.str('replicaof');
    if (conf !== '') {
      const sp = conf.lastIndexOf(' ');
      this.host = conf.slice(0, sp);
      this.port = Number(conf.slice(sp + 1));
      // A replica from the first log line (role letter S), before the RDB is loaded.
      server.masterHost = this.host;
      server.keyspace.keepExpired = true;
      this.state = St.Connect;
      core.link = this;
    }
    // After every other startup task (the RDB load, then core.loadedReplInfo being filled):
    // the server iterates the live array, so a task appended now runs last.
    server.startupTasks.push(() => {
      server.startupTasks.push(() => this.atStartup());
    });
    core.control = {
      setMaster: (host, port) => this.setMaster(host, port),
      unsetMaster: () => this.unsetMaster(),
    };
    server.replicaFullSyncBufferMemory = () => this.fullSyncBufferMemory();
    server.cronTasks.push((now) => this.cron(now));
    server.closeTasks.push(() => this.close());
    server.hooks.writeGuards.push((c, cmd) => {
      if (server.masterHost === null || c.isMaster || !server.config.bool('replica-read-only')) return null;
      return cmd.isWrite ? "READONLY You can't write against a read only replica." : null;
    });
    server.hooks.commandGuards.push((c, cmd) => {
      if (server.masterHost === null || this.state === St.Connected || c.isMaster) return null;
      if (server.config.bool('replica-serve-stale-data') || cmd.flagSet.has('stale')) return null;
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    });
  }

  // ---------------------------------------------------------------- ReplicaLinkView

  get masterHostname(): string {
    return this.host;
  }

  get masterPortNumber(): number {
    return this.port;
  }

  get connected(): boolean {
    return this.state === St.Connected;
  }

  /** Db of the master's stream for the RDB's repl-stream-db; null: no replication info to save. */
  rdbStreamDb(): number | null {
    if (this.master) return this.master.client.db.id;
    if (this.cached) return this.cached.db;
    return null;
  }

  roleState(): string {
    switch (this.state) {
      case St.None:
        return 'none';
      case St.Connect:
        return 'connect';
      case St.Connecting:
        return 'connecting';
      case St.Transfer:
        return 'sync';
      case St.Connected:
        return 'connected';
      default:
        return 'handshake';
    }
  }

  roleOffset(): number {
    return this.master ? this.master.reploff : -1;
  }

  infoLines(): string[] {
    const s = this.server;
    const nowSec = Math.floor(Date.now() / 1000);
    const m = this.master;
    const src = m ? { read: m.readOff, applied: m.reploff } : this.cached ? { read: this.cached.reploff, applied: this.cached.reploff } : { read: 1, applied: 1 };
    const lines = [
      `master_host:${this.host}`,
      `master_port:${this.port}`,
      `master_link_status:${this.state === St.Connected ? 'up' : 'down'}`,
      `master_last_io_seconds_ago:${m ? nowSec - Math.floor(m.lastInteraction / 1000) : -1}`,
      `master_sync_in_progress:${this.state === St.Transfer ? 1 : 0}`,
      `slave_read_repl_offset:${src.read}`,
      `slave_repl_offset:${src.applied}`,
    ];
    const t = this.transfer;
    if (this.state === St.Transfer && t) {
      const perc = t.size !== 0 ? (t.read / t.size) * 100 : 0;
      lines.push(
        `master_sync_total_bytes:${t.size}`,
        `master_sync_read_bytes:${t.read}`,
        `master_sync_left_bytes:${t.size - t.read}`,
        `master_sync_perc:${Object.is(perc, -0) ? '-0.00' : perc.toFixed(2)}`,
        `master_sync_last_io_seconds_ago:${nowSec - t.lastIo}`,
      );
    }
    if (this.state !== St.Connected) lines.push(`master_link_down_since_seconds:${this.downSince ? nowSec - this.downSince : -1}`);
    const buf = this.rdbch ?? this.replaying;
    if (buf !== null) this.fullSyncBufferPeak = Math.max(this.fullSyncBufferPeak, buf.peak);
    lines.push(
      `replica_full_sync_buffer_size:${buf?.size ?? 0}`,
      `replica_full_sync_buffer_peak:${this.fullSyncBufferPeak}`,
      `replica_full_sync_buffer_spilled:${buf?.spilled ?? 0}`,
      `replica_full_sync_buffer_spilled_total:${buf?.spilledTotal ?? this.lastSpilledTotal}`,
      `slave_priority:${s.config.num('replica-priority')}`,
      `slave_read_only:${s.config.bool('replica-read-only') ? 1 : 0}`,
      `replica_announced:${s.config.bool('replica-announced') ? 1 : 0}`,
    );
    return lines;
  }

  /** Memory of the replica full sync buffer (INFO mem_replica_full_sync_buffer). */
  fullSyncBufferMemory(): number {
    return (this.rdbch ?? this.replaying)?.memBytes ?? 0;
  }

  /** REPLCONF ACK <applied offset> to the master (cron, GETACK, after an EOF-mark load). */
  sendAck(): void {
    const m = this.master;
    if (!m || m.sock.destroyed) return;
    m.sock.write(encodeCommand(['REPLCONF', 'ACK', String(m.reploff)]));
  }

  // ---------------------------------------------------------------- commands

  commands(): CommandSpec[] {
    const spec = (name: string, since: string, summary: string): CommandSpec => ({
      name,
      arity: 3,
      flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
      group: 'server',
      since,
      summary,
      args: [
        { name: 'host', type: 'string' },
        { name: 'port', type: 'integer' },
      ],
      handler: (c, argv) => this.replicaofCommand(c, argv),
    });
    return [
      spec('replicaof', '5.0.0', 'Configures a server as replica of another, or promotes it to a master.'),
      spec('slaveof', '1.0.0', 'Sets a Redis server as a replica of another, or promotes it to being a master.'),
    ];
  }

  private replicaofCommand(c: Client, argv: string[]): void {
    const s = this.server;
    if (is(argv[1], 'NO') && is(argv[2], 'ONE')) {
      if (this.core.failoverState !== 'no-failover') {
        c.error('ERR REPLICAOF not allowed while failing over.');
        return;
      }
      if (s.masterHost !== null) {
        this.unsetMaster();
        s.log.notice(`MASTER MODE enabled (user request from '${c.info()}')`);
      }
      c.w.ok();
      return;
    }
    if (this.core.failoverState !== 'no-failover') {
      c.error('ERR REPLICAOF not allowed while failing over.');
      return;
    }
    if (c.isReplica) {
      c.error('ERR Command is not valid when client is a replica.');
      return;
    }
    const port = /^-?\d+$/.test(argv[2]) ? Number(argv[2]) : NaN;
    if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
      c.error('ERR Invalid master port');
      return;
    }
    if (s.masterHost !== null && s.masterHost.toLowerCase() === argv[1].toLowerCase() && this.port === port) {
      s.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
      c.w.simple('OK Already connected to specified master');
      return;
    }
    this.setMaster(argv[1], port);
    s.log.notice(`REPLICAOF ${this.host}:${this.port} enabled (user request from '${c.info()}')`);
    c.w.ok();
  }

  // ---------------------------------------------------------------- role changes

  /** Redis's replicationSetMaster. */
  private setMaster(host: string, port: number): void {
    const s = this.server;
    const wasMaster = s.masterHost === null;
    s.masterHost = null; // the lines about the old link carry the role letter M
    if (this.master) this.freeMaster(true);
    this.disconnectBlockedClients();
    s.masterHost = host;
    this.host = host;
    this.port = port;
    this.rdbChFallbackLogged = false;
    s.keyspace.keepExpired = true;
    this.core.link = this;
    s.config.assign(s.config.def('replicaof')!, `${host} ${port}`); // CONFIG GET / REWRITE show it
    this.cancelHandshake(false);
    if (wasMaster) {
      this.discardCachedMaster();
      this.cacheMasterUsingMyself(-1);
    }
    this.state = St.Connect;
    s.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  /** Clients blocked (BLPOP...) on what was a master: told so and closed, like Redis. */
  private disconnectBlockedClients(): void {
    for (const c of [...this.server.clients.values()]) {
      if (!this.server.blocking.isBlocked(c)) continue;
      c.error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      c.closeAfterReply = true;
      c.flush();
    }
  }

  /** Redis's replicationUnsetMaster (REPLICAOF NO ONE). */
  private unsetMaster(): void {
    const s = this.server;
    if (s.masterHost === null) return;
    s.masterHost = null;
    s.keyspace.keepExpired = false;
    s.config.assign(s.config.def('replicaof')!, '');
    if (this.master) this.freeMaster(true);
    this.discardCachedMaster();
    this.cancelHandshake(false);
    this.core.shiftReplicationId();
    this.core.disconnectReplicas();
    this.state = St.None;
    this.core.selectedDb = -1;
    this.core.noReplicasSince = Math.floor(Date.now() / 1000);
    this.downSince = 0;
    this.core.link = null;
  }

  private cacheMasterUsingMyself(db: number): void {
    this.server.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    this.cached = { replid: this.core.replid, reploff: this.core.masterReplOffset, db: db >= 0 && db < this.server.keyspace.dbs.length ? db : 0 };
  }

  private discardCachedMaster(): void {
    if (this.cached === null) return;
    this.server.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  /** A full sync with a new history is about to replace our data (replicationAttachToNewMaster). */
  private attachToNewMaster(): void {
    this.discardCachedMaster();
    this.core.disconnectReplicas();
    this.core.freeBacklog();
  }

  // ---------------------------------------------------------------- startup / cron / close

  private atStartup(): void {
    if (this.state !== St.Connect) return;
    const info = this.core.loadedReplInfo;
    if (info && info.replId.length === 40) {
      // The RDB carried our replication history: continue it with PSYNC (§2.6).
      this.core.replid = info.replId;
      this.core.clearReplicationId2();
      this.core.masterReplOffset = info.offset;
      this.cacheMasterUsingMyself(info.streamDb);
    }
  }

  private cron(now: number): void {
    if (this.closed || now - this.lastCron < 1000) return;
    this.lastCron = now;
    const s = this.server;
    if (s.masterHost === null) return;
    const nowSec = Math.floor(now / 1000);
    const timeout = s.config.num('repl-timeout');
    if ((this.state === St.Connecting || this.inHandshake()) && nowSec - this.handshakeLastIo > timeout) {
      s.log.warning('Timeout connecting to the MASTER...');
      this.cancelHandshake(true);
    }
    const t = this.transfer;
    if (this.state === St.Transfer && t && !t.loading && nowSec - t.lastIo > timeout) {
      s.log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.cancelHandshake(true);
    }
    if (this.state === St.Connected && this.master && nowSec - Math.floor(this.master.lastInteraction / 1000) > timeout) {
      s.log.warning('MASTER timeout: no data nor PING received...');
      this.freeMaster(true);
    }
    if (this.state === St.Connect) {
      s.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.master && !this.master.prePsync) this.sendAck();
  }

  private close(): void {
    this.closed = true;
    this.stopReplay();
    if (this.master) {
      this.freeingMaster = true;
      this.master.client.close();
      this.master.sock.destroy();
      this.master = null;
      this.freeingMaster = false;
    }
    this.abortTransfer();
    this.dropSocket();
  }

  private inHandshake(): boolean {
    return this.state >= St.RecvPing && this.state <= St.RecvPsync;
  }

  // ---------------------------------------------------------------- connection

  private connect(): void {
    if (this.closed) return;
    const s = this.server;
    let sock: net.Socket;
    try {
      sock = s.tls.replicationSocket(this.host, this.port) ?? new net.Socket();
    } catch (e) {
      s.log.warning(`Unable to connect to MASTER: ${(e as Error).message}`);
      this.state = St.Connect;
      return;
    }
    const secure = sock instanceof tls.TLSSocket;
    sock.setNoDelay(true);
    this.sock = sock;
    this.inbuf = EMPTY;
    this.sockError = null;
    this.handshakeLastIo = Math.floor(Date.now() / 1000);
    sock.on(secure ? 'secureConnect' : 'connect', () => this.onConnect(sock));
    sock.on('data', (d: Buffer) => this.onData(sock, d));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (sock === this.sock && this.sockError === null) this.sockError = e;
    });
    sock.on('close', () => this.onSockClose(sock));
    try {
      if (!secure) sock.connect({ host: this.host, port: this.port });
    } catch (e) {
      this.sock = null;
      sock.destroy();
      s.log.warning(`Unable to connect to MASTER: ${(e as Error).message}`);
      this.state = St.Connect;
      return;
    }
    this.state = St.Connecting;
    s.log.notice('MASTER <-> REPLICA sync started');
  }

  /** Forgets and closes the current socket (its events are ignored from now on). */
  private dropSocket(): void {
    const sock = this.sock;
    this.sock = null;
    this.inbuf = EMPTY;
    sock?.destroy();
    if (this.rdbch !== null) {
      // Never half of a two-channel sync: the main channel goes too.
      this.fullSyncBufferPeak = Math.max(this.fullSyncBufferPeak, this.rdbch.peak);
      this.rdbch.abort();
      this.rdbch = null;
    }
  }

  private stopReplay(): void {
    if (this.replaying === null) return;
    this.server.log.warning('Master client was freed while streaming accumulated replication data to db.');
    this.fullSyncBufferPeak = Math.max(this.fullSyncBufferPeak, this.replaying.peak);
    this.replaying.stop();
    this.replaying = null;
  }

  private onConnect(sock: net.Socket): void {
    if (sock !== this.sock || this.state !== St.Connecting) return;
    this.server.log.notice('Non blocking connect for SYNC fired the event.');
    this.handshakeLastIo = Math.floor(Date.now() / 1000);
    if (this.rdbch !== null) {
      this.sendRdbChannelHandshake(sock, this.rdbch);
      return;
    }
    this.state = St.RecvPing;
    sock.write(encodeCommand(['PING']));
  }

  private onSockClose(sock: net.Socket): void {
    if (sock !== this.sock) return;
    const s = this.server;
    const err = this.sockError;
    switch (this.state) {
      case St.Connecting:
        // Name resolution fails before any connect() in Redis (anetTcpNonBlockConnect).
        if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') s.log.warning(`Unable to connect to MASTER: ${strerror(err)}`);
        else s.log.warning(`Error condition on socket for SYNC: ${strerror(err)}`);
        this.dropSocket();
        this.state = St.Connect;
        return;
      case St.Transfer: {
        const t = this.transfer!;
        if (t.loading) return; // noticed once the load ends, like Redis (the socket is not read while loading)
        if (t.loader !== null) {
          s.log.warning(`Failed trying to load the MASTER synchronization DB from socket: ${err ? strerror(err) : 'connection lost'}`);
          this.loadFailed(t);
          return;
        }
        if (t.size === -1) s.log.warning('I/O error reading bulk count from MASTER: Success');
        else s.log.warning(`I/O error trying to sync with MASTER: ${err ? strerror(err) : 'connection lost'}`);
        this.cancelHandshake(true);
        return;
      }
      case St.Connected:
        this.freeMaster(true);
        return;
      default:
        if (this.inHandshake()) {
          // 7.0 prints the connection's stored error, unset by its synchronous reads: "Success".
          s.log.warning('Failed to read response from the server: Success');
          if (this.state === St.RecvPsync) s.log.warning('Master did not reply to PSYNC, will try later');
          else s.log.warning('Master did not respond to command during SYNC handshake');
          this.dropSocket();
          this.state = St.Connect;
        }
    }
  }

  private onData(sock: net.Socket, chunk: Buffer): void {
    if (sock !== this.sock) return;
    this.server.stats.netReplInputBytes += chunk.length;
    try {
      if (this.state === St.Connected) {
        this.applyStream(chunk);
        return;
      }
      this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
      this.drive();
    } catch (e) {
      // A bug here must not take the server down: drop the link and sync again.
      this.server.log.warning(`Replication link error: ${(e as Error).stack ?? e}`);
      if (this.master && this.master.sock === sock) this.freeMaster(false);
      else this.cancelHandshake(true);
    }
  }

  /** One line from the handshake/preamble buffer without its CR LF, or null if incomplete. */
  private takeLine(): string | null {
    const nl = this.inbuf.indexOf(10);
    if (nl < 0) return null;
    const end = nl > 0 && this.inbuf[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.inbuf.latin1Slice(0, end);
    this.inbuf = this.inbuf.subarray(nl + 1);
    return line;
  }

  /** Handshake failure: close, back to CONNECT; the cron retries within a second. */
  private handshakeError(): void {
    this.dropSocket();
    this.state = St.Connect;
  }

  /** Consumes buffered input according to the state (handshake replies, PSYNC reply, payload). */
  private drive(): void {
    const s = this.server;
    for (;;) {
      if (this.sock === null) return;
      if (this.state === St.Transfer) {
        this.driveTransfer();
        return;
      }
      if (this.state === St.Connected) {
        const rest = this.inbuf;
        this.inbuf = EMPTY;
        if (rest.length > 0) this.applyStream(rest);
        return;
      }
      if (!this.inHandshake()) return;
      const line = this.takeLine();
      if (line === null) return;
      this.handshakeLastIo = Math.floor(Date.now() / 1000);
      switch (this.state) {
        case St.RecvPing:
          if (line[0] !== '+' && !line.startsWith('-NOAUTH') && !line.startsWith('-NOPERM') && !line.startsWith('-ERR operation not permitted')) {
            s.log.warning(`Error reply to PING from master: '${line}'`);
            this.handshakeError();
            return;
          }
          s.log.notice('Master replied to PING, replication can continue...');
          this.sendHandshake();
          break;
        case St.RecvAuth:
          if (line[0] === '-') {
            s.log.warning(`Unable to AUTH to MASTER: ${line}`);
            this.handshakeError();
            return;
          }
          this.state = St.RecvPort;
          break;
        case St.RecvPort:
          if (line[0] === '-') s.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
          this.state = s.config.str('replica-announce-ip') !== '' ? St.RecvIp : St.RecvCapa;
          break;
        case St.RecvIp:
          if (line[0] === '-') s.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
          this.state = St.RecvCapa;
          break;
        case St.RecvCapa:
          if (line[0] === '-') s.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
          this.sendPsync();
          break;
        case St.RdbChRecvAuth:
          if (line[0] === '-') {
            s.log.warning(`Unable to AUTH to MASTER: ${line}`);
            this.rdbChannelFailed(line);
            return;
          }
          this.state = St.RdbChRecvReplconf;
          break;
        case St.RdbChRecvReplconf:
          if (line[0] === '-') {
            if (this.rdbch?.dual) s.log.warning(`Server does not support sync with offset, dual channel sync approach cannot be used: ${line}`);
            else s.log.warning(`Master replied error to replconf: ${line}`);
            this.rdbChannelFailed(line);
            return;
          }
          if (this.rdbch?.dual) {
            this.sock!.write('SYNC\r\n');
            this.state = St.RdbChRecvEndoff;
          } else {
            this.sendPsync();
          }
          break;
        case St.RdbChRecvEndoff:
          if (line === '') break; // keepalive while the master prepares the snapshot
          this.onEndoff(line);
          break;
        case St.RecvPsync:
          if (line === '') break; // keepalive while the master prepares the sync
          this.onPsyncReply(line);
          break;
      }
    }
  }

  private sendHandshake(): void {
    const s = this.server;
    const parts: Buffer[] = [];
    const auth = s.config.str('masterauth');
    if (auth !== '') {
      const user = s.config.str('masteruser');
      parts.push(encodeCommand(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]));
    }
    const announcePort = s.config.num('replica-announce-port');
    parts.push(encodeCommand(['REPLCONF', 'listening-port', String(announcePort !== 0 ? announcePort : s.tls.announcedPort(s.tcpPort))]));
    const ip = s.config.str('replica-announce-ip');
    if (ip !== '') parts.push(encodeCommand(['REPLCONF', 'ip-address', ip]));
    const capa = ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'];
    if (s.config.bool('repl-rdb-channel')) capa.push('capa', 'rdb-channel-repl');
    if (s.config.bool('dual-channel-replication-enabled')) capa.push('capa', 'dual-channel');
    parts.push(encodeCommand(capa));
    this.sock!.write(Buffer.concat(parts));
    this.state = auth !== '' ? St.RecvAuth : St.RecvPort;
  }

  private sendPsync(): void {
    const s = this.server;
    let id = '?';
    let off = '-1';
    if (this.rdbch !== null) {
      this.sock!.write(encodeCommand(['PSYNC', id, off]));
      this.state = St.RecvPsync;
      return;
    }
    if (this.cached) {
      id = this.cached.replid;
      off = String(this.cached.reploff + 1);
      s.log.notice(`Trying a partial resynchronization (request ${id}:${off}).`);
    } else {
      s.log.notice('Partial resynchronization not possible (no cached master)');
    }
    // A master handing over with FAILOVER asks its target to promote itself.
    const argv = this.core.failoverState === 'failover-in-progress' ? ['PSYNC', id, off, 'FAILOVER'] : ['PSYNC', id, off];
    this.sock!.write(encodeCommand(argv));
    this.state = St.RecvPsync;
  }

  private onPsyncReply(line: string): void {
    const s = this.server;
    if (this.rdbch !== null) {
      this.onRdbChannelPsyncReply(line);
      return;
    }
    if (line.startsWith('+RDBCHANNELSYNC')) {
      this.startRdbChannel(line);
      return;
    }
    if (line === '+DUALCHANNELSYNC') {
      this.startRdbChannel(line);
      return;
    }
    if (line.startsWith('+FULLRESYNC') && s.config.bool('repl-rdb-channel') && !this.rdbChFallbackLogged) {
      this.rdbChFallbackLogged = true;
      s.log.notice('Master does not support rdb channel replication (it replied +FULLRESYNC to capa rdb-channel-repl): full sync on the main channel.');
    }
    if (line.startsWith('+FULLRESYNC') && s.config.bool('dual-channel-replication-enabled') && !this.rdbChFallbackLogged) {
      this.rdbChFallbackLogged = true;
      s.log.notice('Master does not support dual channel replication (it replied +FULLRESYNC to capa dual-channel): full sync on the main channel.');
    }
    if (this.core.failoverState === 'failover-in-progress') {
      // Redis checks the planned failover's outcome first: a full sync is acceptable too.
      const accepted = line.startsWith('+FULLRESYNC') || (line.startsWith('+CONTINUE') && this.cached !== null);
      this.core.onFailoverPsync?.(accepted);
      if (!accepted) return;
    }
    if (line.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([^ ]*) (.*)$/.exec(line);
      let replid = '';
      let offset = -1;
      if (!m || m[1].length !== 40) {
        s.log.warning('Master replied with wrong +FULLRESYNC syntax.');
      } else {
        replid = m[1];
        offset = parseInt(m[2], 10);
        if (Number.isNaN(offset)) offset = 0;
        s.log.notice(`Full resync from master: ${replid}:${offset}`);
      }
      this.startTransfer(replid, offset);
      return;
    }
    if (line.startsWith('+CONTINUE') && this.cached !== null) {
      this.onContinue(line);
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      s.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      this.handshakeError();
      return;
    }
    if (!line.startsWith('-ERR')) s.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    else s.log.notice(`Master does not support PSYNC or is in error state (reply: ${line})`);
    s.log.notice('Retrying with SYNC...');
    this.sock!.write('SYNC\r\n');
    this.startTransfer(this.cached?.replid ?? this.core.replid, -1);
  }

  private onContinue(line: string): void {
    const s = this.server;
    const cached = this.cached!;
    s.log.notice('Successful partial resynchronization with master.');
    const newId = line.slice(10);
    if (line.length > 9 && line[9] === ' ' && newId.length === 40 && newId !== cached.replid) {
      s.log.warning(`Master replication ID changed to ${newId}`);
      this.core.adoptNewMasterId(newId);
      cached.replid = newId;
    }
    this.cached = null;
    const sock = this.sock!;
    this.master = this.createMasterLink(sock, cached.replid, cached.reploff, cached.db);
    this.state = St.Connected;
    this.downSince = 0;
    if (this.core.backlog === null) this.core.createBacklog();
    s.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
    this.drive(); // the stream may have come with the reply
  }

  // ---------------------------------------------------------------- rdb channel (Redis 8)

  /**
   * +RDBCHANNELSYNC <id> (Redis 8) or +DUALCHANNELSYNC (Valkey 8): the main channel waits
   * (buffering); the snapshot comes on a new connection.
   */
  private startRdbChannel(line: string): void {
    const s = this.server;
    // Valkey's reply names no client id: the rdb channel learns its own from $ENDOFF.
    const dual = line === '+DUALCHANNELSYNC';
    const clientId = dual ? '' : /^\+RDBCHANNELSYNC (\d+)$/.exec(line)?.[1];
    if (clientId === undefined) {
      s.log.warning(`Master replied with wrong +RDBCHANNELSYNC syntax: ${line}`);
      this.handshakeError();
      return;
    }
    s.log.notice('PSYNC is not possible, initialize RDB channel.');
    const mainSock = this.sock!;
    const ch = new RdbChannelSync(s, mainSock, clientId, (why) => {
      if (this.rdbch !== ch) return;
      s.log.warning(dual ? 'Aborting dual channel sync' : 'Aborting rdb channel sync');
      void why;
      this.rdbch = null;
      if (!this.cancelHandshake(true)) this.handshakeError();
    }, dual);
    ch.push(this.inbuf);
    this.inbuf = EMPTY;
    this.sock = null; // the main socket now belongs to ch
    this.rdbch = ch;
    this.connect();
  }

  private sendRdbChannelHandshake(sock: net.Socket, ch: RdbChannelSync): void {
    const s = this.server;
    const parts: Buffer[] = [];
    const auth = s.config.str('masterauth');
    if (auth !== '') {
      const user = s.config.str('masteruser');
      parts.push(encodeCommand(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]));
    }
    const announcePort = s.config.num('replica-announce-port');
    const port = String(announcePort !== 0 ? announcePort : s.tcpPort);
    parts.push(
      encodeCommand(
        ch.dual
          ? ['REPLCONF', 'capa', 'eof', 'rdb-only', '1', 'rdb-channel', '1', 'listening-port', port]
          : ['REPLCONF', 'capa', 'eof', 'rdb-only', '1', 'rdb-channel', '1', 'main-ch-client-id', ch.clientId, 'listening-port', port],
      ),
    );
    sock.write(Buffer.concat(parts));
    this.state = auth !== '' ? St.RdbChRecvAuth : St.RdbChRecvReplconf;
  }

  /** The rdb channel's handshake failed: both channels go, the cron starts over. */
  private rdbChannelFailed(why: string): void {
    this.server.log.warning(`rdb channel sync failed with error: ${why}`);
    this.handshakeError();
  }

  private onRdbChannelPsyncReply(line: string): void {
    const s = this.server;
    const m = /^\+FULLRESYNC ([0-9a-fA-F]{40}) (\d+)$/.exec(line);
    if (!m) {
      s.log.warning(`Received unexpected psync reply: ${line}`);
      this.rdbChannelFailed(line);
      return;
    }
    s.log.notice(`Full resync from master: ${m[1]}:${m[2]}`);
    s.log.notice('Starting to receive RDB and replication stream in parallel.');
    this.startTransfer(m[1], Number(m[2]));
  }

  /**
   * Dual channel: `$ENDOFF:<offset> <replid> <db> <rdb-client-id>` on the rdb channel. The main
   * channel resyncs from there at once; the RDB follows on this connection.
   */
  private onEndoff(line: string): void {
    const s = this.server;
    const ch = this.rdbch!;
    const m = /^\$ENDOFF:(\d+) ([0-9a-fA-F]{40}) (\d+) (\d+)$/.exec(line);
    if (!m) {
      s.log.warning(`Received unexpected $ENDOFF response: ${line}`);
      this.rdbChannelFailed(line);
      return;
    }
    const [, offText, replid, , id] = m;
    const next = String(Number(offText) + 1);
    s.log.notice(`Trying a partial resynchronization using main channel (request ${replid}:${next}).`);
    ch.requestResync(encodeCommand(['REPLCONF', 'set-rdb-client-id', id]), encodeCommand(['PSYNC', replid, next]));
    s.log.notice(`Full resync from master: ${replid}:${offText}`);
    this.startTransfer(replid, Number(offText));
  }

  /** Loaded: the main channel becomes the master link; its buffer is replayed, then it is read live. */
  private finishRdbChannelSync(ch: RdbChannelSync, t: Transfer, db: number): void {
    const s = this.server;
    if (ch.state === MainChState.CloseAsap) s.log.notice('After loading RDB, replica will try psync with master.');
    this.rdbch = null;
    const rdbSock = this.sock;
    this.sock = null;
    this.inbuf = EMPTY;
    rdbSock?.destroy(); // Redis 8 closes the rdb channel once loaded
    const mainSock = ch.mainSock;
    this.master = this.createMasterLink(mainSock, t.masterReplid, t.initialOffset, db);
    const m = this.master;
    this.state = St.Connected;
    this.downSince = 0;
    this.core.adoptMasterHistory(t.masterReplid, Math.max(0, t.initialOffset));
    s.log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.sendAck();
    this.replaying = ch;
    ch.replay(
      (chunk) => {
        if (this.master !== m) return false;
        this.applyStream(chunk);
        return this.master === m;
      },
      (closeAsap, failed) => {
        this.fullSyncBufferPeak = Math.max(this.fullSyncBufferPeak, ch.peak);
        this.lastSpilledTotal = ch.spilledTotal;
        this.replaying = null;
        if (this.master !== m) return;
        if (failed) {
          // Part of the stream is lost: the dataset cannot continue this history.
          this.freeMaster(false);
          return;
        }
        this.sock = mainSock;
        if (closeAsap || mainSock.destroyed) {
          this.freeMaster(true);
          return;
        }
      },
    );
  }

  // ---------------------------------------------------------------- transfer

  private useDisklessLoad(): boolean {
    const mode = this.server.config.str('repl-diskless-load');
    return mode === 'swapdb' || (mode === 'on-empty-db' && this.server.keyspace.dbs.every((d) => d.size === 0));
  }

  private startTransfer(masterReplid: string, initialOffset: number): void {
    const s = this.server;
    const toParser = this.useDisklessLoad();
    let tmpPath: string | null = null;
    let fd = -1;
    if (!toParser) {
      tmpPath = join(s.config.str('dir'), `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`);
      try {
        fd = fs.openSync(tmpPath, 'w', 0o644);
      } catch (e) {
        s.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${strerror(e as NodeJS.ErrnoException)}`);
        this.handshakeError();
        return;
      }
    }
    this.transfer = {
      masterReplid,
      initialOffset,
      size: -1,
      read: 0,
      consumed: 0,
      lastIo: Math.floor(Date.now() / 1000),
      mark: null,
      lastBytes: Buffer.alloc(MARK_LEN),
      toParser,
      swap: toParser && s.config.str('repl-diskless-load') === 'swapdb',
      tmpPath,
      fd,
      loader: null,
      loading: false,
    };
    this.state = St.Transfer;
  }

  /** Closes the transfer's temp file and socket-parsing state (not the data already loaded). */
  private abortTransfer(): void {
    const t = this.transfer;
    if (!t) return;
    this.transfer = null;
    if (t.fd >= 0) {
      try {
        fs.closeSync(t.fd);
      } catch {
        // already closed
      }
      t.fd = -1;
    }
    if (t.tmpPath !== null) fs.rmSync(t.tmpPath, { force: true });
    if (t.loader !== null) {
      // A load was under way: never leave half a dataset (swapdb only staged it).
      this.server.loading = false;
      if (!t.swap) this.server.keyspace.flushAll();
    }
  }

  /**
   * Redis's cancelReplicationHandshake: aborts a connect, handshake or transfer (state →
   * CONNECT) and with `reconnect` retries at once. Returns false if nothing was in progress.
   */
  private cancelHandshake(reconnect: boolean): boolean {
    if (this.state === St.Transfer) {
      this.abortTransfer();
      this.dropSocket();
      this.state = St.Connect;
    } else if (this.state === St.Connecting || this.inHandshake()) {
      this.dropSocket();
      this.state = St.Connect;
    } else {
      return false;
    }
    if (!reconnect || this.closed) return true;
    this.server.log.notice(`Reconnecting to MASTER ${this.host}:${this.port} after failure`);
    this.connect();
    return true;
  }

  private driveTransfer(): void {
    const s = this.server;
    const t = this.transfer!;
    while (!t.loading && this.transfer === t) {
      if (t.size === -1) {
        const line = this.takeLine();
        if (line === null) return;
        t.lastIo = Math.floor(Date.now() / 1000);
        if (line === '') continue; // keepalive while the master produces the RDB
        if (line[0] === '-') {
          s.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
          this.cancelHandshake(true);
          return;
        }
        if (line[0] !== '$') {
          s.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
          this.cancelHandshake(true);
          return;
        }
        const where = t.toParser ? 'to parser' : 'to disk';
        if (line.startsWith('$EOF:') && line.length - 5 >= MARK_LEN) {
          t.mark = line.slice(5, 5 + MARK_LEN);
          t.size = 0;
          s.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${where}`);
        } else {
          t.size = parseInt(line.slice(1), 10) || 0;
          s.log.notice(`MASTER <-> REPLICA sync: receiving ${t.size} bytes from master ${where}`);
        }
        if (t.toParser) this.beginLoad(t);
        continue;
      }
      if (this.inbuf.length === 0) return;
      t.lastIo = Math.floor(Date.now() / 1000);
      if (t.toParser) {
        this.feedParser(t);
        return;
      }
      // To disk: everything up to the end of the payload; what follows is the stream.
      let n = this.inbuf.length;
      if (t.mark === null) n = Math.min(n, t.size - t.read);
      const data = this.inbuf.subarray(0, n);
      this.inbuf = this.inbuf.subarray(n);
      let eof = false;
      if (t.mark !== null) {
        if (n >= MARK_LEN) data.copy(t.lastBytes, 0, n - MARK_LEN);
        else {
          t.lastBytes.copyWithin(0, n);
          data.copy(t.lastBytes, MARK_LEN - n);
        }
        eof = t.lastBytes.latin1Slice(0, MARK_LEN) === t.mark;
      }
      try {
        fs.writeSync(t.fd, data);
      } catch (e) {
        s.log.warning(`Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${strerror(e as NodeJS.ErrnoException)}`);
        this.cancelHandshake(true);
        return;
      }
      t.read += n;
      if (t.mark === null && t.read === t.size) eof = true;
      if (!eof) continue;
      try {
        if (t.mark !== null) fs.ftruncateSync(t.fd, t.read - MARK_LEN);
        fs.fsyncSync(t.fd);
        fs.closeSync(t.fd);
        t.fd = -1;
      } catch (e) {
        s.log.warning(`Error truncating the RDB file received from the master for SYNC: ${strerror(e as NodeJS.ErrnoException)}`);
        this.cancelHandshake(true);
        return;
      }
      this.beginLoad(t);
      this.loadFromDisk(t);
      return;
    }
  }

  /** Payload complete (disk) or its `$` line read (socket): stop the old world, start loading. */
  private beginLoad(t: Transfer): void {
    const s = this.server;
    s.persistence.aof?.stopForSync();
    if (s.persistence.inProgress) {
      if (!t.toParser) {
        s.log.notice(
          `Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process ${process.pid} and removing its temp file to avoid any race`,
        );
      }
      s.persistence.abort();
    }
    if (!t.swap) {
      this.attachToNewMaster();
      s.log.notice('MASTER <-> REPLICA sync: Flushing old data');
      if (s.keyspace.dbs.some((d) => d.size > 0)) this.newlineToMaster();
      s.keyspace.flushAll();
    }
    s.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    t.loader = new PayloadLoader(s, t.swap);
    t.loading = !t.toParser; // socket parsing keeps reading; disk loading holds the socket
    // swapdb with the same history serves the old data meanwhile (async loading), else -LOADING.
    if (!(t.swap && t.masterReplid === this.core.replid)) s.loading = true;
    if (t.loading) this.sock?.pause();
    if (t.loading && this.rdbch !== null) this.rdbch.diskLoading = true;
  }

  private feedParser(t: Transfer): void {
    const s = this.server;
    const loader = t.loader!;
    let chunk = this.inbuf;
    if (t.mark === null) chunk = chunk.subarray(0, Math.min(chunk.length, t.size - t.consumed));
    this.inbuf = this.inbuf.subarray(chunk.length);
    this.loadProgress(t.consumed, t.consumed + chunk.length);
    t.consumed += chunk.length;
    try {
      loader.feed(chunk);
      if (t.mark === null) {
        if (t.consumed < t.size) return;
        loader.end();
      } else {
        if (!loader.done) return;
        const rest = loader.remainder();
        if (rest.length < MARK_LEN) return;
        loader.end();
        if (rest.latin1Slice(0, MARK_LEN) !== t.mark) {
          s.log.warning('Replication stream EOF marker is broken');
          this.loadFailed(t);
          return;
        }
        this.inbuf = rest.length > MARK_LEN ? Buffer.concat([rest.subarray(MARK_LEN), this.inbuf]) : this.inbuf;
      }
    } catch (e) {
      s.log.warning(`Failed trying to load the MASTER synchronization DB from socket: ${(e as Error).message}`);
      this.loadFailed(t);
      return;
    }
    this.finishFullSync(t);
  }

  /** Reads the received file back in slices; the event loop (and -LOADING replies) runs between them. */
  private loadFromDisk(t: Transfer): void {
    const s = this.server;
    const path = join(s.config.str('dir'), s.config.str('dbfilename'));
    let fd = -1;
    try {
      fs.renameSync(t.tmpPath!, path);
      t.tmpPath = null;
      fd = fs.openSync(path, 'r');
    } catch (e) {
      s.log.warning(`Failed trying to rename the temp DB into ${s.config.str('dbfilename')} in MASTER <-> REPLICA synchronization: ${strerror(e as NodeJS.ErrnoException)}`);
      this.loadFailed(t);
      return;
    }
    const buf = Buffer.allocUnsafe(LOAD_SLICE);
    let loaded = 0;
    // Closed once only: a second close could hit a descriptor the process has reused meanwhile.
    const closeFd = () => {
      if (fd < 0) return;
      const f = fd;
      fd = -1;
      try {
        fs.closeSync(f);
      } catch {
        // already closed
      }
    };
    const step = () => {
      if (this.transfer !== t) {
        closeFd();
        return;
      }
      try {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n > 0) {
          t.loader!.feed(Buffer.from(buf.subarray(0, n)));
          this.loadProgress(loaded, loaded + n);
          loaded += n;
          t.lastIo = Math.floor(Date.now() / 1000);
          setImmediate(step);
          return;
        }
        closeFd();
        t.loader!.end();
      } catch (e) {
        closeFd();
        s.log.warning(`Failed trying to load the MASTER synchronization DB from disk: ${(e as Error).message}`);
        this.loadFailed(t);
        return;
      }
      try {
        this.finishFullSync(t);
      } catch (e) {
        s.log.warning(`Replication link error: ${(e as Error).stack ?? e}`);
        if (this.master) this.freeMaster(false);
        else this.cancelHandshake(true);
      }
    };
    step();
  }

  /** A payload that cannot be loaded: nothing half-loaded stays, and we sync again. */
  private loadFailed(t: Transfer): void {
    const s = this.server;
    s.loading = false;
    s.persistence.aof?.restartAfterSync();
    const swap = t.swap;
    // Cancelling removes the half-loaded data (Redis does the same when loading from the socket).
    this.cancelHandshake(true);
    if (swap) s.log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
  }

  private finishFullSync(t: Transfer): void {
    const s = this.server;
    const loader = t.loader!;
    const sock = this.sock;
    if (sock === null) return;
    const ch = this.rdbch;
    t.loading = false;
    if (t.swap) {
      this.attachToNewMaster();
      s.log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      loader.swapIntoLive();
      s.log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    if (t.toParser) s.dirty++;
    s.loading = false;
    s.persistence.aof?.restartAfterSync();
    this.transfer = null;
    if (ch !== null) {
      this.finishRdbChannelSync(ch, t, loader.streamDb);
      return;
    }
    const prePsync = t.initialOffset === -1;
    this.master = this.createMasterLink(sock, t.masterReplid, t.initialOffset, loader.streamDb);
    this.master.prePsync = prePsync;
    this.state = St.Connected;
    this.downSince = 0;
    this.core.adoptMasterHistory(t.masterReplid, Math.max(0, t.initialOffset));
    s.log.notice('MASTER <-> REPLICA sync: Finished with success');
    if (t.mark !== null) this.sendAck();
    if (sock.destroyed) {
      // The master went away while we were loading: noticed now, like Redis.
      this.freeMaster(true);
      return;
    }
    sock.resume();
    this.drive();
  }

  /** Loading progress: like Redis's loader callback, every 2 MB of input may ping the master. */
  private loadProgress(before: number, after: number): void {
    if (Math.floor(after / LOAD_SLICE) > Math.floor(before / LOAD_SLICE)) this.newlineToMaster();
  }

  /** While loading: a bare newline to the master at most once per second (refreshes its ACK time). */
  private newlineToMaster(): void {
    const sec = Math.floor(Date.now() / 1000);
    if (sec === this.lastNewline || !this.sock || this.sock.destroyed) return;
    this.lastNewline = sec;
    this.sock.write('\n');
    // The main channel is the one the master times out once the snapshot is delivered.
    if (this.rdbch !== null && !this.rdbch.mainSock.destroyed) this.rdbch.mainSock.write('\n');
  }

  // ---------------------------------------------------------------- streaming

  private createMasterLink(sock: net.Socket, replid: string, offset: number, db: number): MasterLink {
    const s = this.server;
    const c = s.createClient(null);
    c.isMaster = true;
    c.authenticated = true;
    c.parser.limits.authRequired = false;
    if (sock.remoteAddress !== undefined) c.addr = formatAddr(sock.remoteAddress, sock.remotePort!);
    if (sock.localAddress !== undefined) c.laddr = formatAddr(sock.localAddress, sock.localPort!);
    c.fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    if (db >= 0 && db < s.keyspace.dbs.length) c.db = s.keyspace.dbs[db];
    const error = c.error.bind(c);
    c.error = (msg: string) => {
      error(msg);
      s.log.warning(`== CRITICAL == This replica is sending an error to its master: '${msg.slice(0, 4096)}' after processing the command '${c.cmd?.fullName ?? c.lastCommand}'`);
    };
    c.onClose.push(() => {
      // CLIENT KILL of the master link: like a lost connection (not when the server shuts down).
      if (!this.freeingMaster && !s.shuttingDown && this.master?.client === c) this.freeMaster(true);
    });
    return { client: c, sock, replid, reploff: offset, readOff: offset, prePsync: false, lastInteraction: Date.now(), raw: [], rawLen: 0 };
  }

  /**
   * Redis's freeClient on the master: "Connection with master lost.", cache it (unless the
   * stream was corrupt), state CONNECT, and reconnect at once if we are still a replica.
   */
  private freeMaster(cache: boolean): void {
    const m = this.master;
    if (!m) return;
    const s = this.server;
    this.master = null;
    this.stopReplay();
    s.log.warning('Connection with master lost.');
    if (cache) {
      s.log.notice('Caching the disconnected master state.');
      // Unapplied input and an open MULTI are dropped: the cached offset is the applied one.
      this.cached = { replid: m.replid, reploff: m.reploff, db: m.client.db.id };
    }
    this.freeingMaster = true;
    m.client.close();
    this.freeingMaster = false;
    if (this.sock === m.sock) this.sock = null;
    this.inbuf = EMPTY;
    m.sock.destroy();
    this.state = St.Connect;
    this.downSince = Math.floor(Date.now() / 1000);
    if (s.masterHost !== null && !this.closed) {
      s.log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
  }

  /** Applies the master's stream: complete commands only, offsets per Redis, applied bytes proxied. */
  private applyStream(chunk: Buffer): void {
    const m = this.master;
    if (!m) return;
    const s = this.server;
    const c = m.client;
    m.readOff += chunk.length;
    m.lastInteraction = Date.now();
    m.raw.push(chunk);
    m.rawLen += chunk.length;
    c.lastInteraction = m.lastInteraction;
    c.parser.feed(chunk);
    const before = m.reploff;
    const fallbackGetack = !s.commands.get('replconf');
    for (;;) {
      let argv: string[] | null;
      try {
        argv = c.parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        s.log.warning(`Protocol error (${e.reason}) from client: ${c.info()}. Query buffer during protocol error: '${c.parser.peek(128).replace(/[^\x20-\x7e]/g, '?')}'`);
        this.proxyApplied(m, before);
        this.freeMaster(false);
        return;
      }
      if (argv === null) break;
      if (c.parser.lastWasInline && argv.length > 0) {
        s.log.warning('WARNING: Receiving inline protocol from master, master stream corruption? Closing the master connection and discarding the cached master.');
        this.proxyApplied(m, before);
        this.freeMaster(false);
        return;
      }
      if (argv.length === 0) continue;
      if (fallbackGetack && is(argv[0], 'REPLCONF') && argv.length >= 2 && is(argv[1], 'GETACK')) this.sendAck();
      Database.applyingMasterStream = true;
      try {
        s.exec.execute(c, argv);
      } finally {
        Database.applyingMasterStream = false;
      }
      if (this.master !== m) return; // the link went away while applying
      if (!c.inMulti) m.reploff = m.readOff - c.parser.pending();
    }
    if (c.w.len > 0) c.w.take(); // the master gets no replies
    this.proxyApplied(m, before);
  }

  /** Appends the bytes applied since `before` to our backlog (and sub-replicas), verbatim. */
  private proxyApplied(m: MasterLink, before: number): void {
    let n = m.reploff - before;
    if (n <= 0) return;
    const parts: Buffer[] = [];
    while (n > 0) {
      const head = m.raw[0];
      if (head.length <= n) {
        parts.push(head);
        m.raw.shift();
        n -= head.length;
        m.rawLen -= head.length;
      } else {
        parts.push(head.subarray(0, n));
        m.raw[0] = head.subarray(n);
        m.rawLen -= n;
        n = 0;
      }
    }
    this.core.feedProxied(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EPIPE: 'Broken pipe',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOSPC: 'No space left on device',
};

function strerror(e: NodeJS.ErrnoException | null): string {
  if (!e) return 'Success';
  return (e.code && ERRNO_TEXT[e.code]) || e.message;
}
