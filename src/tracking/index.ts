/**
 * Client-side caching: the one entry point. `installTracking` builds the tracking state of a
 * server, hooks it into the keyspace and command calls, and publishes its INFO counters; the
 * CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO subcommands (commands.ts) find it through
 * `trackingOf`.
 */
import type { Server } from '../server.js';
import { setInfoCounter } from '../commands/info.js';
import { Tracking } from './tracking.js';

const instances = new WeakMap<Server, Tracking>();

export function installTracking(server: Server): Tracking {
  const t = new Tracking(server);
  instances.set(server, t);
  t.install();
  setInfoCounter(server, 'tracking_clients', () => t.clientCount);
  setInfoCounter(server, 'tracking_total_keys', () => t.totalKeys);
  setInfoCounter(server, 'tracking_total_items', () => t.totalItems);
  setInfoCounter(server, 'tracking_total_prefixes', () => t.totalPrefixes);
  return t;
}

export function trackingOf(server: Server): Tracking {
  const t = instances.get(server);
  if (!t) throw new Error('client tracking is not installed');
  return t;
}

export { trackingClientSubcommands } from './commands.js';
