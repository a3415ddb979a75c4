/**
 * Keyspace notifications (notify-keyspace-events): events that commands, expiry and eviction
 * fire through Database.notify are published on `__keyspace@<db>__:<key>` (message: the event)
 * and `__keyevent@<db>__:<event>` (message: the key), as Redis 7.0's notifyKeyspaceEvent does.
 *
 * The enabled classes live on each Database as one integer, so with notifications off a write
 * pays a single bit test; this module only keeps that integer in step with the config and
 * turns an enabled event into the two publishes.
 */
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { NOTIFY } from '../config/config.js';

export { NOTIFY };

/** Publishes `message` on `channel` to every (pattern) subscriber; returns the receivers. */
type Publish = (channel: string, message: string) => number;

/**
 * The PUBLISH command's delivery without its propagation: keyspace events are local to each
 * server (a replica fires its own for the commands it applies), so they must not reach the
 * replication stream. PUBLISH is driven with a stand-in caller whose reply and propagation go
 * nowhere; the subscribers get exactly what a PUBLISH would give them (RESP2 arrays, RESP3 pushes).
 */
function publisherOf(server: Server): Publish {
  const spec = server.commands.get('publish');
  const handler = spec?.handler;
  if (!handler) throw new Error('keyspace notifications need the PUBLISH command');
  let receivers = 0;
  const caller = {
    w: { int: (n: number) => (receivers = n) },
    server: { exec: { alsoPropagate: () => {} } },
    db: { id: 0 },
  } as unknown as Client;
  const argv = ['publish', '', ''];
  return (channel, message) => {
    argv[1] = channel;
    argv[2] = message;
    receivers = 0;
    handler(caller, argv);
    return receivers;
  };
}

/** Installs notifications on a server: follows notify-keyspace-events from now on. */
export function installNotify(server: Server): void {
  const publish = publisherOf(server);
  const prefixes: { space: string; event: string }[] = [];
  let flags = 0;
  const sink = (event: string, key: string, dbid: number): void => {
    // Nobody subscribed to anything: no channel name is worth building.
    const counts = server.pubsubCounts?.();
    if (counts && counts[0] === 0 && counts[1] === 0) return;
    let p = prefixes[dbid];
    if (p === undefined) p = prefixes[dbid] = { space: `__keyspace@${dbid}__:`, event: `__keyevent@${dbid}__:` };
    if (flags & NOTIFY.KEYSPACE) publish(p.space + key, event);
    if (flags & NOTIFY.KEYEVENT) publish(p.event + event, key);
  };
  const apply = (): void => {
    flags = server.config.num('notify-keyspace-events');
    server.keyspace.setNotify(flags, sink);
  };
  apply();
  server.config.onChange((name) => {
    if (name === 'notify-keyspace-events') apply();
  });
}

/** Fires a keyspace event in `db` (for command modules outside the families, e.g. SORT STORE). */
export function notifyKeyspaceEvent(db: Database, type: number, event: string, key: string): void {
  db.notify(type, event, key);
}
