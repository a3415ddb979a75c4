/**
 * Master side of Valkey 8's dual-channel replication (spec: rdb-channel.md §1.2, §1.3), the
 * other dialect of Redis 8's rdb channel (rdb-channel-master.ts).
 *
 *   main channel:  PSYNC refused + capa dual-channel ──▶ +DUALCHANNELSYNC (not a replica yet)
 *   rdb channel:   REPLCONF ... rdb-only 1 rdb-channel 1 ──▶ SYNC ──snapshot cut──▶
 *                  $ENDOFF:<off> <replid> <db> <client-id> + EOF-marked RDB      (WAITING_PSYNC:
 *                  it holds the stream from <off>+1 in the shared buffer)
 *   main channel:  REPLCONF set-rdb-client-id <id> ──▶ PSYNC <replid> <off>+1 ──▶ +CONTINUE,
 *                  BG_TRANSFER (streamed while the replica loads) ──first ACK──▶ ONLINE
 *
 * Unlike Redis 8 the main channel comes back with an ordinary partial resync; what makes it
 * succeed is the rdb channel's reference on the buffer from the cut until then (counted as its
 * output buffer, so the replica limit still applies to it). An rdb channel that closes while
 * still waiting keeps that reference for a grace period, as Valkey's protected rdb client does.
 */
import type { MasterSide, ReplicaConn } from './master.js';

/** Valkey 8.0's wait_before_rdb_client_free. */
const GRACE_MS = 60_000;

/** Extra state a ReplicaConn carries for the dual channel. */
export interface DualChannelFields {
  /** The replica announced `capa dual-channel` (main channel). */
  capaDualChannel: boolean;
  /** This connection is a Valkey rdb channel (REPLCONF rdb-channel 1 without main-ch-client-id). */
  dualRdbChannel: boolean;
  /** rdb channel: its $ENDOFF went out and its main channel has not resynced yet. */
  waitingPsync: boolean;
  /** main channel: the rdb channel named by set-rdb-client-id. */
  boundRdb: ReplicaConn | null;
}

export class DualChannelMaster {
  /** rdb channels waiting for their main channel's PSYNC, by client id (replicas_waiting_psync). */
  readonly waiting = new Map<number, ReplicaConn>();

  constructor(private readonly master: MasterSide) {}

  /** A PSYNC that cannot continue: true when +DUALCHANNELSYNC was sent instead of a full sync. */
  offer(rc: ReplicaConn): boolean {
    const s = this.master.server;
    if (!rc.capaDualChannel || !s.config.bool('dual-channel-replication-enabled')) return false;
    if (!s.config.bool('repl-diskless-sync')) {
      s.log.notice('Dual channel capability ignored: repl-diskless-sync disabled');
      return false;
    }
    s.log.notice(
      `Replica ${rc.name} is capable of dual channel synchronization, and partial sync isn't possible. Full sync will continue with dedicated RDB channel.`,
    );
    rc.writeRaw('+DUALCHANNELSYNC\r\n');
    return true;
  }

  /** The snapshot's cut for an rdb channel: $ENDOFF, then it holds the stream from here on. */
  snapshotCut(rdb: ReplicaConn, offset: number): void {
    const s = this.master.server;
    const id = rdb.client.id;
    s.log.notice(`Sending to replica ${rdb.name} RDB end offset ${offset} and client-id ${id}`);
    rdb.writeRaw(`$ENDOFF:${offset} ${this.master.core.replid} 0 ${id}\r\n`);
    rdb.waitingPsync = true;
    this.waiting.set(id, rdb);
  }

  /** REPLCONF set-rdb-client-id <id>: null when accepted, else the error. */
  bind(main: ReplicaConn, idText: string): string | null {
    const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
    const rdb = this.waiting.get(id);
    if (rdb === undefined) return `ERR Unrecognized RDB client id ${idText}`;
    main.boundRdb = rdb;
    return null;
  }

  /** The main channel's PSYNC was accepted: the rdb channel's reference is no longer needed. */
  resynced(main: ReplicaConn): void {
    const rdb = main.boundRdb;
    main.boundRdb = null;
    if (rdb === null) return;
    this.release(rdb);
    if (rdb.rdbDelivered) this.closeDelivered(rdb);
  }

  /** The snapshot reached the rdb channel; it is closed once its main channel resynced. */
  delivered(rdb: ReplicaConn): void {
    rdb.rdbDelivered = true;
    if (!rdb.waitingPsync) this.closeDelivered(rdb);
  }

  /**
   * "Delivered" means handed to the socket: behind a slow link up to SOCKET_HIGH_WATER of the
   * snapshot may still wait in it, which close() would drop (the replica then gets a truncated
   * RDB and starts over, again and again). Close once the socket has sent everything instead.
   */
  private closeDelivered(rdb: ReplicaConn): void {
    const c = rdb.client;
    if (c.isClosed || c.closeAfterReply) return;
    c.closeAfterReply = true;
    c.flush();
  }

  /**
   * An rdb channel closed. Still waiting: its reference stays for the grace period (the
   * replica may have finished loading before its main channel's PSYNC got through).
   * Returns true when the caller must keep the buffer reference.
   */
  closed(rdb: ReplicaConn): boolean {
    if (!rdb.waitingPsync) return false;
    const s = this.master.server;
    s.log.verbose(`Postpone RDB client id=${rdb.client.id} (${rdb.name}) free for ${GRACE_MS / 1000} seconds`);
    setTimeout(() => {
      if (!rdb.waitingPsync) return;
      s.log.notice(
        `Replica main channel failed to establish PSYNC within the grace period (${GRACE_MS / 1000} seconds). Freeing RDB client ${rdb.client.id}.`,
      );
      this.release(rdb);
    }, GRACE_MS).unref();
    return true;
  }

  private release(rdb: ReplicaConn): void {
    rdb.waitingPsync = false;
    this.waiting.delete(rdb.client.id);
    this.master.core.backlog?.release(rdb);
  }
}
