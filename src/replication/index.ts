/**
 * Wires replication into the server: the shared core (ids, offsets, backlog), the master side
 * (serving SYNC/PSYNC to replicas) and the replica side (our link to a master).
 */
import type { Server } from '../server.js';
import { ReplicationCore } from './core.js';
import { ReplicaSide } from './replica.js';
import { MasterSide } from './master.js';

export function installReplication(server: Server): ReplicationCore {
  const core = new ReplicationCore(server);
  server.propagator = core;
  const replica = new ReplicaSide(server, core);
  server.commands.register(replica.commands());
  const master = new MasterSide(server, core);
  server.commands.register(master.commands());
  installRdbInfo(server, core);
  return core;
}

/** The repl-id / repl-offset / repl-stream-db AUX fields: written into every RDB, read at startup (§2.6). */
function installRdbInfo(server: Server, core: ReplicationCore): void {
  server.replicationAux = () => {
    if (server.masterHost === null) {
      if (core.backlog === null) return {};
      return { replId: core.replid, replOffset: core.masterReplOffset, replStreamDb: core.selectedDb === -1 ? 0 : core.selectedDb };
    }
    const db = core.link?.rdbStreamDb?.() ?? null;
    if (db === null) return {};
    return { replId: core.replid, replOffset: core.masterReplOffset, replStreamDb: db };
  };
  let id: string | null = null;
  let offset: number | null = null;
  let streamDb: number | null = null;
  server.rdbAux = (k, v) => {
    if (k === 'repl-id') id = v;
    else if (k === 'repl-offset') offset = Number(v);
    else if (k === 'repl-stream-db') streamDb = Number(v);
  };
  // Runs after Persistence's startup load (registered first).
  server.startupTasks.push(() => {
    if (id === null || id.length !== 40 || offset === null || !Number.isInteger(offset) || offset < 0 || streamDb === null || streamDb < 0) return;
    core.loadedReplInfo = { replId: id, offset, streamDb };
    if (server.config.str('replicaof') !== '') return; // the replica side synthesizes a cached master
    // A master keeps the RDB's history as its secondary ID: its replicas can continue with PSYNC.
    core.replid2 = id;
    core.secondReplidOffset = offset + 1;
    core.masterReplOffset = offset;
    core.createBacklog();
    core.noReplicasSince = Math.floor(Date.now() / 1000);
  });
}
