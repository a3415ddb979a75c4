/**
 * Wires replication into the server: the shared core (ids, offsets, backlog), the master side
 * (serving SYNC/PSYNC to replicas) and the replica side (our link to a master).
 */
import type { Server } from '../server.js';
import { ReplicationCore } from './core.js';

export function installReplication(server: Server): ReplicationCore {
  const core = new ReplicationCore(server);
  server.propagator = core;
  return core;
}
