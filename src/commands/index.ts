/** Registers every command family in the server's command table. */
import type { Server } from '../server.js';
import { connectionCommands } from './connection.js';
import { serverCommands } from './server.js';
import { commandCommands } from './command.js';
import { infoCommands } from './info.js';
import { keyspaceCommands } from './keyspace.js';
import { stringCommands } from './string.js';
import { bitmapCommands } from './bitmap.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { hashCommands } from './hash.js';
import { setCommands } from './set.js';
import { listCommands } from './list.js';
import { zsetCommands } from './zset.js';
import { geoCommands } from './geo.js';
import { streamCommands } from './stream.js';
import { streamGroupCommands } from './stream-group.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { memoryCommands } from './memory.js';
import { applyRenames } from '../config/renames.js';
import { installNotify } from '../notify/index.js';
import { installTracking } from '../tracking/index.js';
import { sortCommands } from './sort.js';
import { lolwutCommands } from './lolwut.js';
import { installScripting } from '../scripting/index.js';
import { installAcl } from '../acl/index.js';

export function registerAllCommands(server: Server): void {
  server.commands.register([
    ...connectionCommands(),
    ...serverCommands(),
    ...commandCommands(),
    ...infoCommands(),
    ...keyspaceCommands(),
    ...stringCommands(),
    ...bitmapCommands(),
    ...hyperloglogCommands(),
    ...hashCommands(),
    ...setCommands(),
    ...listCommands(),
    ...zsetCommands(),
    ...geoCommands(),
    ...streamCommands(),
    ...streamGroupCommands(),
    ...transactionCommands(server),
    ...pubsubCommands(server),
    ...memoryCommands(),
    ...sortCommands(),
    ...lolwutCommands(),
    ...server.persistence.commands(),
  ]);
  installScripting(server);
  // Keyspace notifications publish through PUBLISH, so they come after the table exists.
  installNotify(server);
  // After every command is registered: tracking wraps their handlers.
  installTracking(server);
  // Users' +@all covers the complete table; ACL names ignore rename-command, so before it.
  installAcl(server);
  // rename-command lines of the config file, now that the table is complete.
  applyRenames(server.config, server.commands);
}
