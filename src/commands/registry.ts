/**
 * The command table. Each family module registers definitions (name, arity, flags, handler)
 * and the table merges in what redis-server reports about the same command (docs, key specs,
 * tips, ACL categories) from ./docs by full name, so dispatch, COMMAND INFO/DOCS/COUNT/GETKEYS
 * and ACL-style categories come from one place.
 */
import type { Client } from '../net/client.js';
import { commandMeta } from './docs/index.js';
import { parseArgs } from './docs/args.js';
import { keysWithFlags, legacyRange, NATIVE_KEYS, parseKeySpec, type KeyRef, type KeySpec } from './keyspecs.js';

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
  /** Which key spec covers this key argument. */
  keySpecIndex?: number;
  token?: string;
  since?: string;
  deprecatedSince?: string;
  optional?: boolean;
  multiple?: boolean;
  /** Each repetition repeats the token too (GET pattern GET pattern...). */
  multipleToken?: boolean;
  arguments?: CommandArg[];
}

export interface CommandSpec {
  /** Lowercase name (subcommand name alone, without the parent). */
  name: string;
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first key index, last key index (-1 = last arg, -2 = one before...), step. */
  keys?: [first: number, last: number, step: number];
  /** For commands whose keys are not at fixed positions: returns the key indexes in argv. */
  getKeys?: (argv: string[]) => number[];
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
  /** The command as the pre-run checks see it, when its flags depend on its arguments (EVAL takes its script's flags). */
  checkedAs?: (cmd: Command, argv: string[]) => Command;
  /**
   * 7.0 flags the command may_replicate without COMMAND INFO showing it (PUBLISH, PFCOUNT):
   * CLIENT PAUSE WRITE holds it and read-only scripts may not call it.
   */
  hiddenMayReplicate?: true;
}

export interface Command extends CommandSpec {
  /** "get", or "client|list" for a subcommand. */
  fullName: string;
  /** Whether ./docs has Redis's metadata for this command (then it replaces the module's). */
  recorded: boolean;
  /** Redis 7.0 key specs (empty when the command has no keys or none are recorded). */
  keySpecs: KeySpec[];
  /** Finds keys when the specs cannot (Redis's per-command getkeys functions). */
  nativeKeys?: (argv: readonly string[]) => KeyRef[];
  /** COMMAND DOCS extras: [version, change] pairs, doc flags, deprecation. */
  history: [string, string][];
  docFlags: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  /** Explicit ACL categories replacing the group-derived one (from the recorded metadata). */
  aclExplicit?: string[];
  parent: Command | null;
  sub: Map<string, Command> | null;
  /** Set on a per-call view of a command (EXEC's transaction, EVAL's script flags): the table's entry. */
  viewOf?: Command;
  flagSet: Set<CommandFlag>;
  isWrite: boolean;
  isReadonly: boolean;
  /** may_replicate, shown in COMMAND INFO or not. */
  mayReplicate: boolean;
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

/** The ACL category a command group implies (Redis group names, and the family modules' ones). */
export const GROUP_CATEGORY: Record<string, string> = {
  string: 'string',
  bitmap: 'bitmap',
  hash: 'hash',
  list: 'list',
  set: 'set',
  'sorted-set': 'sortedset',
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
    const fullName = parent ? `${parent.name}|${spec.name}` : spec.name;
    const recorded = commandMeta(fullName);
    let flags: CommandFlag[] = [...spec.flags];
    const docs: Partial<Command> = {};
    if (recorded) {
      // The recorded metadata is what Redis reports; it wins over the family module's copy.
      const { group, meta } = recorded;
      const keySpecs = (meta.keys ?? []).map(parseKeySpec);
      const legacy = legacyRange(keySpecs);
      flags = flags.filter((f) => f !== 'movablekeys');
      if (legacy.movable) flags.push('movablekeys');
      Object.assign(docs, {
        group,
        summary: meta.summary,
        since: meta.since,
        complexity: meta.complexity,
        args: undefined,
        history: (meta.history ?? []).map((h) => {
          const sp = h.indexOf(' ');
          return [h.slice(0, sp), h.slice(sp + 1)];
        }),
        docFlags: [...(meta.deprecated ? ['deprecated'] : []), ...(meta.syscmd ? ['syscmd'] : [])],
        deprecatedSince: meta.deprecated?.[0],
        replacedBy: meta.deprecated?.[1],
        keySpecs,
        keys: legacy.keys,
        tips: meta.tips ?? [],
        aclExplicit: meta.acl ?? (spec.subcommands || !GROUP_CATEGORY[group] ? [] : [GROUP_CATEGORY[group]]),
        nativeKeys: NATIVE_KEYS[fullName],
      } satisfies Partial<Command>);
    } else if (spec.getKeys) flags.push('movablekeys');
    // COMMAND INFO lists flags in Redis's canonical order.
    flags.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
    const flagSet = new Set(flags);
    const cmd: Command = {
      recorded: !!recorded,
      keySpecs: [],
      history: [],
      docFlags: [],
      ...spec,
      ...docs,
      fullName,
      parent,
      sub: null,
      flagSet,
      isWrite: flagSet.has('write'),
      isReadonly: flagSet.has('readonly'),
      mayReplicate: flagSet.has('may_replicate') || spec.hiddenMayReplicate === true,
      calls: 0,
      usec: 0,
      rejectedCalls: 0,
      failedCalls: 0,
    };
    const argsText = recorded?.meta.args;
    if (argsText !== undefined) {
      // Argument trees are only needed by COMMAND DOCS: read them on first use.
      let parsed: CommandArg[] | undefined;
      Object.defineProperty(cmd, 'args', { enumerable: true, get: () => (parsed ??= parseArgs(argsText)) });
    }
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
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined; // one level of subcommands only, like Redis
    const [parent, sub] = parts;
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

/** True when COMMAND GETKEYS may find keys in the command (Redis's doesCommandHaveKeys). */
export function commandHasKeys(cmd: Command): boolean {
  if (cmd.recorded) return !!cmd.nativeKeys || cmd.keySpecs.some((s) => !s.flags.includes('not_key'));
  return !!cmd.getKeys || (!!cmd.keys && cmd.keys[0] !== 0);
}

/**
 * The keys of argv with the flags Redis reports for them (COMMAND GETKEYS[ANDFLAGS]): key specs
 * when they are reliable, else the command's own key finder. Commands without recorded specs
 * fall back to their declared positions, without flags.
 */
export function commandKeyRefs(cmd: Command, argv: readonly string[]): KeyRef[] {
  if (cmd.recorded) return keysWithFlags(cmd.keySpecs, cmd.nativeKeys, argv, cmd.arity);
  if (cmd.getKeys) return cmd.getKeys(argv as string[]).map((pos) => ({ pos, flags: [] }));
  if (!cmd.keys || cmd.keys[0] === 0) return [];
  const [first, lastSpec, step] = cmd.keys;
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  const out: KeyRef[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push({ pos: i, flags: [] });
  return out;
}

/** Key indexes of argv for a command. */
export function commandKeys(cmd: Command, argv: string[]): number[] {
  return commandKeyRefs(cmd, argv).map((k) => k.pos);
}

/** The categories Redis's setImplicitACLCategories adds from the command flags. */
export function implicitCategories(f: ReadonlySet<string>, scripting: boolean): string[] {
  const cats: string[] = [];
  if (f.has('write')) cats.push('write');
  if (f.has('readonly') && !scripting) cats.push('read');
  if (f.has('admin')) cats.push('admin', 'dangerous');
  if (f.has('pubsub')) cats.push('pubsub');
  if (f.has('fast')) cats.push('fast');
  if (f.has('blocking')) cats.push('blocking');
  if (!f.has('fast')) cats.push('slow');
  return cats;
}

/** ACL categories for COMMAND INFO, derived from flags and group like Redis's setImplicitACLCategories. */
export function aclCategories(cmd: Command): string[] {
  if (cmd.aclExplicit) {
    const cats = implicitCategories(cmd.flagSet, cmd.aclExplicit.includes('scripting'));
    for (const a of cmd.aclExplicit) if (!cats.includes(a)) cats.push(a);
    return cats.sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
  }
  const cats = implicitCategories(cmd.flagSet, (cmd.acl ?? []).includes('scripting'));
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
