/**
 * Master side of Redis 8's rdb-channel replication (spec: rdb-channel.md §2.2, §2.5, §2.6).
 *
 *   main channel:  PSYNC refused + capa rdb-channel-repl ──▶ WAIT_RDB_CHANNEL (+RDBCHANNELSYNC <id>)
 *                      ──snapshot cut of its rdb channel──▶ SEND_BULK_AND_STREAM (fed from the cut)
 *                      ──snapshot delivered──▶ ONLINE
 *   rdb channel:   REPLCONF ... main-ch-client-id <id> ──▶ PSYNC ? -1 ──▶ +FULLRESYNC + EOF-marked RDB
 *
 * The point: from the cut on, the writes flow to the replica on the main channel while the
 * snapshot travels on the other, instead of piling up in this master's output buffer. The
 * rdb channel is a replica connection that is never fed the stream and is hidden from INFO's
 * slaveN lines. Losing either channel before the main one is online ends both.
 */
import type { Client } from '../net/client.js';
import type { MasterSide, ReplicaConn } from './master.js';

/** Extra state a ReplicaConn carries for the rdb channel. */
export interface RdbChannelFields {
  /** The replica announced `capa rdb-channel-repl` (main channel). */
  capaRdbChannel: boolean;
  /** This connection is an rdb channel (REPLCONF rdb-channel 1 + main-ch-client-id). */
  rdbChannel: boolean;
  /** rdb channel → its main channel. */
  mainChannel: ReplicaConn | null;
  /** main channel → its rdb channel. */
  rdbChannelConn: ReplicaConn | null;
  /** rdb channel: its snapshot has been delivered. */
  rdbDelivered: boolean;
}

export class RdbChannelMaster {
  /** Replica names already told why the rdb channel is not used (logged once each). */
  private readonly fallbackLogged = new Set<string>();

  constructor(private readonly master: MasterSide) {}

  private fallback(rc: ReplicaConn, why: string): void {
    const key = `${rc.name}:${why}`;
    if (this.fallbackLogged.has(key)) return;
    this.fallbackLogged.add(key);
    this.master.server.log.notice(`Replica ${rc.name}: full sync on the main channel (no rdb channel): ${why}`);
  }

  /**
   * A PSYNC that cannot continue: true when the main channel was turned into a replica
   * waiting for its rdb channel (`+RDBCHANNELSYNC <id>` sent).
   */
  offer(rc: ReplicaConn, isPsync: boolean): boolean {
    const s = this.master.server;
    const enabled = s.config.bool('repl-rdb-channel');
    if (!rc.capaRdbChannel) {
      if (enabled) this.fallback(rc, 'the replica did not announce capa rdb-channel-repl');
      return false;
    }
    if (!isPsync) return false;
    if (!enabled) {
      this.fallback(rc, 'repl-rdb-channel is disabled on this master');
      return false;
    }
    if (!s.config.bool('repl-diskless-sync')) {
      this.fallback(rc, 'repl-diskless-sync disabled');
      return false;
    }
    return true;
  }

  /** Called right after the main channel became a replica in WAIT_RDB_CHANNEL. */
  announce(rc: ReplicaConn): void {
    const s = this.master.server;
    rc.lastTransferIo = Date.now();
    s.log.notice(
      `Replica ${rc.name} is capable of rdb channel synchronization, and partial sync isn't possible. Full sync will continue with dedicated rdb channel.`,
    );
    rc.writeRaw(`+RDBCHANNELSYNC ${rc.client.id}\r\n`);
  }

  /** REPLCONF main-ch-client-id <id> on a new connection: null when accepted, else the error. */
  bind(rc: ReplicaConn, idText: string): string | null {
    const s = this.master.server;
    const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
    const mainClient: Client | undefined = Number.isSafeInteger(id) ? s.clients.get(id) : undefined;
    const main = mainClient ? this.master.byClient.get(mainClient) : undefined;
    if (!main || !main.client.isReplica || main.client.isClosed || main.state !== this.master.waitRdbChannelState || main.rdbChannelConn !== null) {
      return `ERR Unrecognized RDB client id: ${idText}`;
    }
    rc.rdbChannel = true;
    rc.mainChannel = main;
    rc.client.isRdbChannel = true;
    main.rdbChannelConn = rc;
    // Closed before its PSYNC it is no replica yet, so onReplicaClosed never runs for it: its
    // main channel would wait for it until repl-timeout. Release the main channel now.
    rc.client.onClose.push(() => {
      if (!rc.client.isReplica) this.closed(rc);
    });
    return null;
  }

  /** The snapshot's cut for an rdb channel: its main channel streams from here on. */
  snapshotCut(rdb: ReplicaConn): void {
    const s = this.master.server;
    const main = rdb.mainChannel;
    if (main === null || main.client.isClosed || main.state !== this.master.waitRdbChannelState) {
      s.log.warning(`Starting to deliver RDB to replica ${rdb.name} but it has no associated main channel`);
      return;
    }
    this.master.startStreaming(main);
    s.log.notice(`Starting to deliver RDB and replication stream to replica: ${main.name}`);
  }

  /** The snapshot reached the replica's rdb channel: its main channel is online. */
  delivered(rdb: ReplicaConn): void {
    rdb.rdbDelivered = true;
    const main = rdb.mainChannel;
    if (main !== null && !main.client.isClosed && main.state === this.master.sendBulkAndStreamState) this.master.goOnline(main);
  }

  /** Either channel closed: the other one has no use any more until the main one is online. */
  closed(rc: ReplicaConn): void {
    if (rc.rdbChannel) {
      const main = rc.mainChannel;
      rc.mainChannel = null;
      if (main === null) return;
      main.rdbChannelConn = null;
      if (!rc.rdbDelivered && !main.client.isClosed) {
        this.master.server.log.warning(`Rdb channel of replica ${main.name} lost before the snapshot was delivered: closing its main channel`);
        main.close();
      }
      return;
    }
    const rdb = rc.rdbChannelConn;
    rc.rdbChannelConn = null;
    if (rdb !== null) {
      rdb.mainChannel = null;
      if (!rdb.rdbDelivered && !rdb.client.isClosed) rdb.close();
    }
  }
}
