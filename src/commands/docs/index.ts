/**
 * What COMMAND DOCS and COMMAND INFO report about each command beyond what its family module
 * declares for dispatch (name, arity, flags): documentation, argument trees, key specs, tips
 * and ACL categories, recorded as redis-server 7.0.15 reports them. The registry merges these
 * into the table by full name ("get", "client|list"), so a family module that registers a
 * command listed here gets the right metadata without carrying it.
 *
 * Every redis-server command is recorded, including those reddish does not implement yet.
 * The tables are one file per command group; `npm run build` then
 * `node dist/test/commands/command-meta-gen.js <redis-port>` rewrites them.
 */
import { BITMAP } from './bitmap.js';
import { CLUSTER } from './cluster.js';
import { CONNECTION } from './connection.js';
import { GENERIC } from './generic.js';
import { GEO } from './geo.js';
import { HASH } from './hash.js';
import { HYPERLOGLOG } from './hyperloglog.js';
import { LIST } from './list.js';
import { PUBSUB } from './pubsub.js';
import { SCRIPTING } from './scripting.js';
import { SERVER } from './server.js';
import { SET } from './set.js';
import { SORTED_SET } from './sorted-set.js';
import { STREAM } from './stream.js';
import { STRING } from './string.js';
import { TRANSACTIONS } from './transactions.js';

export interface DocMeta {
  summary: string;
  since: string;
  complexity?: string;
  /** Argument tree in the notation of ./args.ts. */
  args?: string;
  /** "version what changed" */
  history?: string[];
  /** [deprecated since, replaced by]; implies the "deprecated" doc flag. */
  deprecated?: [string, string];
  /** The "syscmd" doc flag (commands not meant for users: PSYNC, REPLCONF...). */
  syscmd?: true;
  /** Key specs in the notation of ../keyspecs.ts. */
  keys?: string[];
  tips?: string[];
  /**
   * ACL categories besides those implied by the flags, when they are not just the group's
   * own category (e.g. SORT: set, sortedset, list, dangerous).
   */
  acl?: string[];
}

export type DocTable = Record<string, DocMeta>;

export const GROUPS: Record<string, DocTable> = {
  bitmap: BITMAP,
  cluster: CLUSTER,
  connection: CONNECTION,
  generic: GENERIC,
  geo: GEO,
  hash: HASH,
  hyperloglog: HYPERLOGLOG,
  list: LIST,
  pubsub: PUBSUB,
  scripting: SCRIPTING,
  server: SERVER,
  set: SET,
  'sorted-set': SORTED_SET,
  stream: STREAM,
  string: STRING,
  transactions: TRANSACTIONS,
};

const byName = new Map<string, { group: string; meta: DocMeta }>();
for (const [group, table] of Object.entries(GROUPS)) for (const [name, meta] of Object.entries(table)) byName.set(name, { group, meta });

/** Metadata for a command by full name ("client|list"), if recorded. */
export function commandMeta(fullName: string): { group: string; meta: DocMeta } | undefined {
  return byName.get(fullName);
}
