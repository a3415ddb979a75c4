/**
 * Replication identity and stream shared by both roles (spec: replication.md §2, §3.1).
 *
 *   replid / replid2 / second_replid_offset / master_repl_offset
 *   backlog (ReplBuffer) ◀── propagate(db, argv)   as a master: SELECT when the db changes, then the command
 *                       ◀── feedProxied(bytes)    as a replica: the master's stream, byte for byte
 *
 * The offset only advances while a backlog exists (a master gets one with its first replica;
 * a replica always has one once synced). Master-side serving (SYNC/PSYNC, replicas' states)
 * lives in master.ts, the link to our own master in replica.ts; both use this object.
 */
import type { Server } from '../server.js';
import { randomHex } from '../server.js';
import { ReplBuffer, encodeMultibulk, type BufferReader } from './buffer.js';
import { PROPAGATE_REPL } from '../exec/hooks.js';

export const ZERO_ID = '0000000000000000000000000000000000000000';

/** What the replica side exposes to INFO, ROLE, PSYNC serving and REPLCONF GETACK. */
export interface ReplicaLinkView {
  readonly masterHostname: string;
  readonly masterPortNumber: number;
  /** True when the link is CONNECTED (streaming): only then may sub-replicas sync from us. */
  readonly connected: boolean;
  /** ROLE's 4th element: connect, connecting, handshake, sync, connected. */
  roleState(): string;
  /** ROLE's offset: the applied offset, -1 without a live master client. */
  roleOffset(): number;
  /** INFO replication lines from master_host up to replica_announced. */
  infoLines(): string[];
  /** REPLCONF GETACK from our master: queue an ACK with the offset applied so far. */
  sendAck(): void;
  /** Db of the master's stream for the RDB's repl-stream-db (null: no replication info to save). */
  rdbStreamDb?(): number | null;
}

/** Role changes the master side asks of the replica side (FAILOVER, PSYNC ... FAILOVER). */
export interface RoleControl {
  /** replicationSetMaster, as REPLICAOF does (no client, no reply). */
  setMaster(host: string, port: number): void;
  /** replicationUnsetMaster, as REPLICAOF NO ONE does. */
  unsetMaster(): void;
}

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/** A master-side replica connection, as far as the core needs it. */
export interface ReplicaHandle {
  /** Drops the connection (logs "Connection with replica ... lost."). */
  close(): void;
}

export interface LoadedReplInfo {
  replId: string;
  offset: number;
  streamDb: number;
}

export class ReplicationCore {
  replid = randomHex(40);
  replid2 = ZERO_ID;
  secondReplidOffset = -1;
  masterReplOffset = 0;
  /** The backlog (shared replication buffer); null until the first replica (master). */
  backlog: ReplBuffer | null = null;
  /** Db of the last command in the stream (slaveseldb); -1 forces a SELECT. */
  selectedDb = -1;
  /** Replicas served by this instance (master side), which are also the stream buffer's readers. */
  readonly replicas = new Set<ReplicaHandle & BufferReader>();
  /** Our link to a master when we are a replica (replica side). */
  link: ReplicaLinkView | null = null;
  /** repl-id / repl-offset / repl-stream-db read from the RDB loaded at startup. */
  loadedReplInfo: LoadedReplInfo | null = null;
  /** Unix seconds since when there have been no replicas (backlog TTL). */
  noReplicasSince = Math.floor(Date.now() / 1000);
  /** Set by the replica side: how the master side changes our role. */
  control: RoleControl | null = null;
  /** FAILOVER (master side); while in progress our PSYNC to the target carries FAILOVER. */
  failoverState: FailoverState = 'no-failover';
  /** Master side: the outcome of that PSYNC (accepted: +CONTINUE or +FULLRESYNC). */
  onFailoverPsync: ((accepted: boolean) => void) | null = null;
  /** Called after a write was fed (master side wakes its online replicas). */
  onFeed: (() => void) | null = null;

  constructor(private readonly server: Server) {}

  get isMaster(): boolean {
    return this.server.masterHost === null;
  }

  createBacklog(): void {
    if (this.backlog !== null) return;
    this.backlog = new ReplBuffer(this.masterReplOffset, () => this.server.config.num('repl-backlog-size'), this.replicas);
  }

  freeBacklog(): void {
    this.backlog = null;
    for (const r of this.replicas) {
      r.refBlock = null;
      r.refPos = 0;
    }
  }

  /** A new random replication ID (the history up to now belongs to nobody else). */
  changeReplicationId(): void {
    this.replid = randomHex(40);
  }

  clearReplicationId2(): void {
    this.replid2 = ZERO_ID;
    this.secondReplidOffset = -1;
  }

  /** Promotion: the old id stays valid for PSYNC up to our offset, under a new id. */
  shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplidOffset = this.masterReplOffset + 1;
    this.changeReplicationId();
    this.server.log.warning(
      `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplidOffset}. New replication ID is ${this.replid}`,
    );
  }

  /** Appends raw stream bytes (our own commands as a master, the master's as a replica). */
  feed(bytes: Buffer): void {
    if (this.backlog === null) return;
    this.masterReplOffset = this.backlog.feed(bytes);
    this.onFeed?.();
  }

  /** Replica side: the master's stream, applied and forwarded verbatim to sub-replicas. */
  feedProxied(bytes: Buffer): void {
    this.feed(bytes);
  }

  /** Whether replication takes writes now (a master with a backlog): Propagator.accepts. */
  accepts(target: number): number {
    return this.isMaster && this.backlog !== null ? target & PROPAGATE_REPL : 0;
  }

  /** Master side: a write in `db`, preceded by SELECT when the stream is in another db. */
  propagate(db: number, argv: string[], target = PROPAGATE_REPL): void {
    if (!this.isMaster || this.backlog === null || !(target & PROPAGATE_REPL)) return;
    if (db !== this.selectedDb) {
      this.feedCommand(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    this.feedCommand(argv);
  }

  private feedCommand(argv: string[]): void {
    this.masterReplOffset = this.backlog!.feedCommand(argv);
    this.onFeed?.();
  }

  /** Master side: a command in the current stream db (PING, REPLCONF GETACK): never SELECTs. */
  propagateNoSelect(argv: string[]): void {
    if (!this.isMaster || this.backlog === null) return;
    this.feedCommand(argv);
  }

  /** Closes every sub-replica (promotion, new history): they reconnect and PSYNC. */
  disconnectReplicas(): void {
    for (const r of [...this.replicas]) r.close();
  }

  /** Replica side, after a full sync: our history is now the master's, from `offset`. */
  adoptMasterHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.clearReplicationId2();
    this.masterReplOffset = offset;
    // A fresh backlog starting right after the snapshot's offset.
    this.backlog = null;
    this.createBacklog();
  }

  /** Replica side: +CONTINUE with a new id: keep the old one as replid2 (our sub-replicas can PSYNC with it). */
  adoptNewMasterId(replid: string): void {
    this.replid2 = this.replid;
    this.secondReplidOffset = this.masterReplOffset + 1;
    this.replid = replid;
    this.disconnectReplicas();
  }
}

/** RESP multibulk encoding of a command (arguments are latin1 strings: one char per byte). */
export const encodeCommand = encodeMultibulk;
