/**
 * The command table. Each family module registers definitions that carry everything Redis
 * declares for a command (name, arity, flags, key positions, group, docs) next to its handler,
 * so dispatch, COMMAND INFO/DOCS/COUNT/GETKEYS and ACL-style categories come from one place.
 */
import type { Client } from '../net/client.js';

/** Redis 7.0 command flags (as COMMAND INFO spells them). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy'
  | 'sentinel';

export type Handler = (c: Client, argv: string[]) => void;

export interface CommandArg {
  name: string;
  type: 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  /** The token repeats with each value (GET a GET b), as COMMAND DOCS flags it. */
  multipleToken?: boolean;
  /** Index of the key spec this argument's keys belong to (COMMAND DOCS key_spec_index). */
  keySpecIndex?: number;
  arguments?: CommandArg[];
}

/**
 * A key specification for COMMAND INFO, for commands whose keys the plain range form cannot
 * describe (flags as Redis prints them, e.g. ['RO', 'access']).
 */
export interface KeySpec {
  notes?: string;
  flags: string[];
  /** Index of the first key, or null for an "unknown" begin_search. */
  beginIndex: number | null;
  /** [lastkey, keystep, limit] of a range find_keys, or null for "unknown". */
  range: [lastkey: number, keystep: number, limit: number] | null;
}

export interface CommandSpec {
  /** Lowercase name (subcommand name alone, without the parent). */
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first key index, last key index (-1 = last arg, -2 = one before...), step. */
  keys?: [first: number, last: number, step: number];
  /** Flags of the key spec in COMMAND INFO when not the default RW/RO ones (['not_key'] for shard channels). */
  keySpecFlags?: string[];
  /** For commands whose keys are not at fixed positions: returns the key indexes in argv. */
  getKeys?: (argv: string[]) => number[];
  /** Key specifications shown by COMMAND INFO when `keys` alone would misdescribe them. */
  keySpecs?: KeySpec[];
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  /** Extra ACL categories beyond those derived from flags and group. */
  acl?: string[];
  /** Redis's command tips (nondeterministic_output, request_policy:all_shards, ...). */
  tips?: string[];
  args?: CommandArg[];
  handler?: Handler;
  subcommands?: CommandSpec[];
}

export interface Command extends CommandSpec {
  /** "get", or "client|list" for a subcommand. */
  fullName: string;
  parent: Command | null;
  sub: Map<string, Command> | null;
  flagSet: Set<CommandFlag>;
  isWrite: boolean;
  isReadonly: boolean;
  /** Statistics for INFO commandstats. */
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

const FLAG_ORDER: readonly CommandFlag[] = [
  'write',
  'readonly',
  'denyoom',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'may_replicate',
  'sentinel',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

const CATEGORY_ORDER = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

const GROUP_CATEGORY: Record<string, string> = {
  string: 'string',
  bitmap: 'bitmap',
  hash: 'hash',
  list: 'list',
  set: 'set',
  sorted_set: 'sortedset',
  generic: 'keyspace',
  server: '',
  connection: 'connection',
  transactions: 'transaction',
  scripting: 'scripting',
  stream: 'stream',
  hyperloglog: 'hyperloglog',
  geo: 'geo',
};

export class CommandTable {
  private readonly commands = new Map<string, Command>();
  /** Lookup cache keyed by the exact bytes clients send ("GET", "get", "Get"). */
  private readonly cache = new Map<string, Command | null>();

  register(specs: readonly CommandSpec[]): void {
    for (const spec of specs) {
      const cmd = this.build(spec, null);
      this.commands.set(cmd.name, cmd);
    }
    this.cache.clear();
  }

  private build(spec: CommandSpec, parent: Command | null): Command {
    const flags: CommandFlag[] = [...spec.flags];
    if (spec.getKeys) flags.push('movablekeys');
    // COMMAND INFO lists flags in Redis's canonical order.
    flags.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
    const flagSet = new Set(flags);
    const cmd: Command = {
      ...spec,
      fullName: parent ? `${parent.name}|${spec.name}` : spec.name,
      parent,
      sub: null,
      flagSet,
      isWrite: flagSet.has('write'),
      isReadonly: flagSet.has('readonly'),
      calls: 0,
      usec: 0,
      rejectedCalls: 0,
      failedCalls: 0,
    };
    if (spec.subcommands) {
      cmd.sub = new Map();
      for (const s of spec.subcommands) cmd.sub.set(s.name, this.build(s, cmd));
    }
    return cmd;
  }

  /**
   * rename-command: the command answers to `to` instead of `from`; an empty `to` removes it.
   * Returns Redis's error text, or null.
   */
  rename(from: string, to: string): string | null {
    const cmd = this.commands.get(from.toLowerCase());
    if (!cmd) return 'No such command in rename-command';
    this.commands.delete(from.toLowerCase());
    this.cache.clear();
    if (to === '') return null;
    if (this.commands.has(to.toLowerCase())) return 'Target command name already exists';
    this.commands.set(to.toLowerCase(), cmd);
    return null;
  }

  /** The top-level command for a name (any case), or undefined. */
  get(name: string): Command | undefined {
    let c = this.cache.get(name);
    if (c === undefined) {
      c = this.commands.get(name.toLowerCase()) ?? null;
      if (this.cache.size < 4096) this.cache.set(name, c);
    }
    return c ?? undefined;
  }

  /** Resolves argv to the command or subcommand to run (Redis's lookupCommand). */
  lookup(argv: string[]): Command | undefined {
    const base = this.get(argv[0]);
    if (!base || !base.sub) return base;
    if (argv.length < 2) return base; // arity check reports it
    return base.sub.get(argv[1].toLowerCase());
  }

  /** Looks up "config|get" or "get" style names. */
  byFullName(name: string): Command | undefined {
    const [parent, sub] = name.toLowerCase().split('|');
    const base = this.commands.get(parent);
    if (!base || sub === undefined) return base;
    return base.sub?.get(sub);
  }

  all(): IterableIterator<Command> {
    return this.commands.values();
  }

  get size(): number {
    return this.commands.size;
  }

  /** Every command and subcommand, for statistics. */
  *everything(): IterableIterator<Command> {
    for (const c of this.commands.values()) {
      yield c;
      if (c.sub) yield* c.sub.values();
    }
  }
}

/** Key indexes of argv for a command (COMMAND GETKEYS, WATCH-like needs). */
export function commandKeys(cmd: Command, argv: string[]): number[] {
  if (cmd.getKeys) return cmd.getKeys(argv);
  // Shard channels sit where keys would (cluster routing) but are not keys.
  if (!cmd.keys || cmd.keySpecFlags?.includes('not_key')) return [];
  const [first, lastSpec, step] = cmd.keys;
  if (first === 0) return [];
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}

/** ACL categories for COMMAND INFO, derived from flags and group like Redis's setImplicitACLCategories. */
export function aclCategories(cmd: Command): string[] {
  const cats: string[] = [];
  const f = cmd.flagSet;
  if (f.has('write')) cats.push('write');
  if (f.has('readonly') && !(cmd.acl ?? []).includes('scripting')) cats.push('read');
  if (f.has('admin')) cats.push('admin', 'dangerous');
  if (f.has('pubsub')) cats.push('pubsub');
  if (f.has('fast')) cats.push('fast');
  if (f.has('blocking')) cats.push('blocking');
  if (!f.has('fast')) cats.push('slow');
  // Containers carry only what their flags imply; their subcommands carry the rest.
  const g = cmd.sub ? '' : GROUP_CATEGORY[cmd.group];
  if (g && !cats.includes(g)) cats.push(g);
  for (const a of cmd.acl ?? []) {
    // "-keyspace": a command whose group implies a category Redis does not give it (WAIT).
    if (a.startsWith('-')) {
      const i = cats.indexOf(a.slice(1));
      if (i >= 0) cats.splice(i, 1);
    } else if (!cats.includes(a)) cats.push(a);
  }
  return cats.sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
}
