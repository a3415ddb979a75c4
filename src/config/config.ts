/**
 * The server's configuration: one table of directives with Redis 7.0's names, aliases, defaults,
 * validation and error texts. The same table serves redis.conf, `--directive value` arguments,
 * CONFIG GET/SET/REWRITE, and INFO.
 *
 * Only directives reddish acts on are listed: an unknown directive is refused rather than
 * accepted and ignored.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitArgs } from '../protocol/request-parser.js';
import { globMatch } from '../store/glob.js';

export class ConfigError extends Error {}

export type ConfigValue = string | number | boolean | string[] | SavePoint[] | OutputBufferLimits;

export interface SavePoint {
  seconds: number;
  changes: number;
}

export interface BufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export interface OutputBufferLimits {
  normal: BufferLimit;
  replica: BufferLimit;
  pubsub: BufferLimit;
}

type Kind = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';

export interface ConfigDef {
  name: string;
  alias?: string;
  kind: Kind;
  default: ConfigValue;
  min?: number;
  max?: number;
  values?: readonly string[];
  immutable?: boolean;
  /** Takes several arguments (save, bind, client-output-buffer-limit, replicaof). */
  multiArg?: boolean;
  /** Hidden from CONFIG GET patterns and never logged. */
  sensitive?: boolean;
  /** For special kinds: parse arguments into a value (throws ConfigError with Redis's text). */
  parse?(args: string[], current: ConfigValue, fromFile: boolean): ConfigValue;
  /** For special kinds: the CONFIG GET text. */
  format?(v: ConfigValue): string;
}

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER; // JS-safe stand-in for LLONG_MAX

/** Redis's memtoull: digits with an optional case-insensitive unit b, k, kb, m, mb, g, gb. */
export function parseMemory(s: string): number | null {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const mul =
    unit === '' || unit === 'b'
      ? 1
      : unit === 'k'
        ? 1000
        : unit === 'kb'
          ? 1024
          : unit === 'm'
            ? 1e6
            : unit === 'mb'
              ? 1024 * 1024
              : unit === 'g'
                ? 1e9
                : unit === 'gb'
                  ? 1024 * 1024 * 1024
                  : 0;
  if (mul === 0) return null;
  const n = Number(m[1]) * mul;
  return Number.isSafeInteger(n) ? n : null;
}

/** Redis's string2ll for config integers (optional '-', no '+', no spaces, no leading zeros). */
export function parseStrictInt(s: string): number | null {
  if (!/^-?(0|[1-9]\d*)$/.test(s) || s === '-0') return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

const CLASS_NAMES: Record<string, keyof OutputBufferLimits> = {
  normal: 'normal',
  replica: 'replica',
  slave: 'replica',
  pubsub: 'pubsub',
};

function parseOutputBufferLimits(args: string[], current: ConfigValue): OutputBufferLimits {
  if (args.length % 4 !== 0 || args.length === 0) {
    throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  }
  const cur = current as OutputBufferLimits;
  const next: OutputBufferLimits = { normal: { ...cur.normal }, replica: { ...cur.replica }, pubsub: { ...cur.pubsub } };
  for (let i = 0; i < args.length; i += 4) {
    const cls = CLASS_NAMES[args[i].toLowerCase()];
    if (cls === undefined) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(args[i + 1]);
    const soft = parseMemory(args[i + 2]);
    const secs = parseStrictInt(args[i + 3]);
    if (hard === null || soft === null || secs === null || secs < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    next[cls] = { hard, soft, softSeconds: secs };
  }
  return next;
}

function formatOutputBufferLimits(v: ConfigValue): string {
  const l = v as OutputBufferLimits;
  const f = (b: BufferLimit) => `${b.hard} ${b.soft} ${b.softSeconds}`;
  return `normal ${f(l.normal)} slave ${f(l.replica)} pubsub ${f(l.pubsub)}`;
}

function parseSave(args: string[], current: ConfigValue, fromFile: boolean): SavePoint[] {
  if (args.length === 1 && args[0] === '') return [];
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const points: SavePoint[] = fromFile ? [...(current as SavePoint[])] : [];
  for (let i = 0; i < args.length; i += 2) {
    const s = /^-?\d+$/.test(args[i]) ? Number(args[i]) : NaN;
    const c = /^-?\d+$/.test(args[i + 1]) ? Number(args[i + 1]) : NaN;
    if (!(s >= 1) || !(c >= 0)) throw new ConfigError('Invalid save parameters');
    points.push({ seconds: s, changes: c });
  }
  return points;
}

/** `dir` must be an existing directory; kept absolute so the process never needs to chdir. */
function parseDir(p: string): string {
  const abs = resolve(p);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String(code));
  }
  if (!st.isDirectory()) throw new ConfigError('Not a directory');
  return abs;
}

/** Keyspace notification classes (Redis's NOTIFY_* bits); the flags are what the config holds. */
export const NOTIFY = {
  KEYSPACE: 1 << 0,
  KEYEVENT: 1 << 1,
  GENERIC: 1 << 2,
  STRING: 1 << 3,
  LIST: 1 << 4,
  SET: 1 << 5,
  HASH: 1 << 6,
  ZSET: 1 << 7,
  EXPIRED: 1 << 8,
  EVICTED: 1 << 9,
  STREAM: 1 << 10,
  KEY_MISS: 1 << 11,
  MODULE: 1 << 12,
  NEW: 1 << 13,
} as const;
/** 'A': every class except key-miss and new-key, which must be asked for by name. */
const NOTIFY_ALL = NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET | NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;
const NOTIFY_CHARS: [string, number][] = [
  ['g', NOTIFY.GENERIC],
  ['$', NOTIFY.STRING],
  ['l', NOTIFY.LIST],
  ['s', NOTIFY.SET],
  ['h', NOTIFY.HASH],
  ['z', NOTIFY.ZSET],
  ['x', NOTIFY.EXPIRED],
  ['e', NOTIFY.EVICTED],
  ['t', NOTIFY.STREAM],
  ['d', NOTIFY.MODULE],
  ['n', NOTIFY.NEW],
  ['K', NOTIFY.KEYSPACE],
  ['E', NOTIFY.KEYEVENT],
  ['m', NOTIFY.KEY_MISS],
];

export function parseNotifyFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') {
      flags |= NOTIFY_ALL;
      continue;
    }
    const hit = NOTIFY_CHARS.find(([c]) => c === ch);
    if (!hit) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    flags |= hit[1];
  }
  return flags;
}

/** Canonical text as CONFIG GET shows it: 'A' when every class of it is on, then n, K, E, m. */
export function formatNotifyFlags(flags: number): string {
  let out = '';
  const all = (flags & NOTIFY_ALL) === NOTIFY_ALL;
  if (all) out += 'A';
  for (const [ch, bit] of NOTIFY_CHARS) {
    if (all && (bit & NOTIFY_ALL) !== 0) continue;
    if (flags & bit) out += ch;
  }
  return out;
}

const DEFAULT_SAVE: SavePoint[] = [
  { seconds: 3600, changes: 1 },
  { seconds: 300, changes: 100 },
  { seconds: 60, changes: 10000 },
];

export const CONFIG_DEFS: readonly ConfigDef[] = [
  // Network and process
  { name: 'port', kind: 'int', default: 6379, min: 0, max: 65535 },
  {
    name: 'bind',
    kind: 'special',
    multiArg: true,
    default: ['127.0.0.1', '-::1'],
    parse: (args) => {
      if (args.length > 16) throw new ConfigError('Too many bind addresses specified.');
      if (args.length === 1 && args[0] === '') return [];
      return args;
    },
    format: (v) => (v as string[]).join(' '),
  },
  { name: 'protected-mode', kind: 'bool', default: true },
  { name: 'tcp-backlog', kind: 'int', default: 511, min: 0, max: INT_MAX, immutable: true },
  { name: 'tcp-keepalive', kind: 'int', default: 300, min: 0, max: INT_MAX },
  { name: 'timeout', kind: 'int', default: 0, min: 0, max: INT_MAX },
  { name: 'unixsocket', kind: 'string', default: '', immutable: true },
  { name: 'unixsocketperm', kind: 'int', default: 0, min: 0, max: 0o777, immutable: true },
  { name: 'maxclients', kind: 'int', default: 10000, min: 1, max: 4294967295 },
  { name: 'daemonize', kind: 'bool', default: false, immutable: true },
  { name: 'pidfile', kind: 'string', default: '', immutable: true },
  { name: 'databases', kind: 'int', default: 16, min: 1, max: INT_MAX, immutable: true },
  { name: 'hz', kind: 'int', default: 10, min: 0, max: INT_MAX },
  { name: 'shutdown-timeout', kind: 'int', default: 10, min: 0, max: INT_MAX },
  { name: 'dynamic-hz', kind: 'bool', default: true },
  // Logging
  { name: 'loglevel', kind: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning'] },
  { name: 'logfile', kind: 'string', default: '', immutable: true },
  { name: 'always-show-logo', kind: 'bool', default: false, immutable: true },
  // Security and limits
  { name: 'requirepass', kind: 'string', default: '', sensitive: true },
  { name: 'proto-max-bulk-len', kind: 'memory', default: 512 * 1024 * 1024, min: 1024 * 1024, max: LONG_MAX },
  { name: 'client-query-buffer-limit', kind: 'memory', default: 1024 * 1024 * 1024, min: 1024 * 1024, max: LONG_MAX },
  {
    name: 'client-output-buffer-limit',
    kind: 'special',
    multiArg: true,
    default: {
      normal: { hard: 0, soft: 0, softSeconds: 0 },
      replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
      pubsub: { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
    },
    parse: (args, cur) => parseOutputBufferLimits(args, cur),
    format: formatOutputBufferLimits,
  },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  // Memory
  { name: 'maxmemory', kind: 'memory', default: 0, min: 0, max: LONG_MAX },
  {
    name: 'maxmemory-policy',
    kind: 'enum',
    default: 'noeviction',
    values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
  },
  { name: 'maxmemory-samples', kind: 'int', default: 5, min: 1, max: INT_MAX },
  { name: 'replica-ignore-maxmemory', alias: 'slave-ignore-maxmemory', kind: 'bool', default: true },
  { name: 'lfu-log-factor', kind: 'int', default: 10, min: 0, max: INT_MAX },
  { name: 'lfu-decay-time', kind: 'int', default: 1, min: 0, max: INT_MAX },
  { name: 'active-expire-effort', kind: 'int', default: 1, min: 1, max: 10 },
  // Persistence
  { name: 'dir', kind: 'special', default: process.cwd(), parse: (a) => parseDir(a[0]), format: (v) => v as string },
  { name: 'dbfilename', kind: 'string', default: 'dump.rdb' },
  {
    name: 'save',
    kind: 'special',
    multiArg: true,
    default: DEFAULT_SAVE,
    parse: parseSave,
    format: (v) => (v as SavePoint[]).map((p) => `${p.seconds} ${p.changes}`).join(' '),
  },
  { name: 'rdbcompression', kind: 'bool', default: true },
  { name: 'rdbchecksum', kind: 'bool', default: true, immutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: 'bool', default: true },
  {
    name: 'appendonly',
    kind: 'special',
    default: 'no',
    parse: (a) => {
      const v = a[0].toLowerCase();
      if (v === 'no') return 'no';
      if (v === 'yes') throw new ConfigError('reddish has no append-only file; only RDB snapshots are supported');
      throw new ConfigError("argument must be 'yes' or 'no'");
    },
    format: (v) => v as string,
  },
  // Replication
  {
    name: 'replicaof',
    alias: 'slaveof',
    kind: 'special',
    multiArg: true,
    immutable: true,
    default: '',
    parse: (args) => {
      if (args.length !== 2) throw new ConfigError('wrong number of arguments');
      if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return '';
      const port = parseStrictInt(args[1]);
      if (port === null || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
      return `${args[0]} ${port}`;
    },
    format: (v) => v as string,
  },
  { name: 'masterauth', kind: 'string', default: '', sensitive: true },
  { name: 'masteruser', kind: 'string', default: '', sensitive: true },
  { name: 'replica-read-only', alias: 'slave-read-only', kind: 'bool', default: true },
  { name: 'replica-serve-stale-data', alias: 'slave-serve-stale-data', kind: 'bool', default: true },
  { name: 'replica-priority', alias: 'slave-priority', kind: 'int', default: 100, min: 0, max: INT_MAX },
  { name: 'replica-announce-ip', alias: 'slave-announce-ip', kind: 'string', default: '' },
  { name: 'replica-announce-port', alias: 'slave-announce-port', kind: 'int', default: 0, min: 0, max: 65535 },
  { name: 'replica-announced', kind: 'bool', default: true },
  { name: 'replica-lazy-flush', alias: 'slave-lazy-flush', kind: 'bool', default: false },
  { name: 'repl-diskless-sync', kind: 'bool', default: true },
  { name: 'repl-diskless-sync-delay', kind: 'int', default: 5, min: 0, max: INT_MAX },
  { name: 'repl-diskless-sync-max-replicas', kind: 'int', default: 0, min: 0, max: INT_MAX },
  { name: 'repl-diskless-load', kind: 'enum', default: 'disabled', values: ['disabled', 'on-empty-db', 'swapdb'] },
  { name: 'repl-ping-replica-period', alias: 'repl-ping-slave-period', kind: 'int', default: 10, min: 1, max: INT_MAX },
  { name: 'repl-timeout', kind: 'int', default: 60, min: 1, max: INT_MAX },
  { name: 'repl-disable-tcp-nodelay', kind: 'bool', default: false },
  { name: 'repl-backlog-size', kind: 'memory', default: 1024 * 1024, min: 1, max: LONG_MAX },
  { name: 'repl-backlog-ttl', kind: 'int', default: 3600, min: 0, max: LONG_MAX },
  { name: 'min-replicas-to-write', alias: 'min-slaves-to-write', kind: 'int', default: 0, min: 0, max: INT_MAX },
  { name: 'min-replicas-max-lag', alias: 'min-slaves-max-lag', kind: 'int', default: 10, min: 0, max: INT_MAX },
  // Encodings (thresholds used by the data types)
  { name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries', kind: 'int', default: 512, min: 0, max: LONG_MAX },
  { name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value', kind: 'memory', default: 64, min: 0, max: LONG_MAX },
  { name: 'list-max-listpack-size', alias: 'list-max-ziplist-size', kind: 'int', default: -2, min: -2147483648, max: INT_MAX },
  { name: 'list-compress-depth', kind: 'int', default: 0, min: 0, max: INT_MAX },
  { name: 'set-max-intset-entries', kind: 'int', default: 512, min: 0, max: LONG_MAX },
  { name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries', kind: 'int', default: 128, min: 0, max: LONG_MAX },
  { name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value', kind: 'memory', default: 64, min: 0, max: LONG_MAX },
  // Keyspace notifications and client-side caching
  {
    name: 'notify-keyspace-events',
    kind: 'special',
    default: 0,
    parse: (a) => parseNotifyFlags(a[0]),
    format: (v) => formatNotifyFlags(v as number),
  },
  { name: 'tracking-table-max-keys', kind: 'int', default: 1000000, min: 0, max: 1000000000 },
  // Diagnostics
  { name: 'slowlog-log-slower-than', kind: 'int', default: 10000, min: -1, max: LONG_MAX },
  { name: 'slowlog-max-len', kind: 'int', default: 128, min: 0, max: LONG_MAX },
  { name: 'latency-monitor-threshold', kind: 'int', default: 0, min: 0, max: LONG_MAX },
  { name: 'latency-tracking', kind: 'bool', default: true },
  { name: 'busy-reply-threshold', alias: 'lua-time-limit', kind: 'int', default: 5000, min: 0, max: LONG_MAX },
];

function formatValue(def: ConfigDef, v: ConfigValue): string {
  switch (def.kind) {
    case 'bool':
      return v ? 'yes' : 'no';
    case 'int':
    case 'memory':
      return String(v);
    case 'enum':
    case 'string':
      return v as string;
    case 'special':
      return def.format!(v);
  }
}

export type ChangeListener = (name: string, value: ConfigValue) => void;

export class Config {
  private readonly byName = new Map<string, ConfigDef>();
  private readonly values = new Map<string, ConfigValue>();
  private readonly listeners: ChangeListener[] = [];
  /** Path of the config file the server was started with (for CONFIG REWRITE), '' if none. */
  configFile = '';
  /** Names set from the config file or the command line, for CONFIG REWRITE. */
  private readonly explicitlySet = new Set<string>();

  constructor() {
    for (const def of CONFIG_DEFS) {
      this.byName.set(def.name, def);
      if (def.alias) this.byName.set(def.alias, def);
      this.values.set(def.name, def.default);
    }
  }

  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  def(name: string): ConfigDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get<T extends ConfigValue>(name: string): T {
    const def = this.byName.get(name);
    if (!def) throw new Error(`unknown config ${name}`);
    return this.values.get(def.name) as T;
  }

  num(name: string): number {
    return this.get<number>(name);
  }

  bool(name: string): boolean {
    return this.get<boolean>(name);
  }

  str(name: string): string {
    return this.get<string>(name);
  }

  /** Text of a directive's value as CONFIG GET shows it. */
  text(name: string): string {
    const def = this.def(name)!;
    return formatValue(def, this.values.get(def.name)!);
  }

  /** Validates arguments for a directive, returning the new value (throws ConfigError). */
  parse(def: ConfigDef, args: string[], fromFile: boolean): ConfigValue {
    if (def.kind === 'special') return def.parse!(args, this.values.get(def.name)!, fromFile);
    const a = args[0];
    switch (def.kind) {
      case 'bool': {
        const l = a.toLowerCase();
        if (l === 'yes') return true;
        if (l === 'no') return false;
        throw new ConfigError("argument must be 'yes' or 'no'");
      }
      case 'enum': {
        const l = a.toLowerCase();
        if (def.values!.includes(l)) return l;
        throw new ConfigError(`argument(s) must be one of the following: ${def.values!.join(', ')}`);
      }
      case 'string':
        return a;
      case 'int':
      case 'memory': {
        let n: number | null;
        if (def.kind === 'memory') {
          n = parseMemory(a);
          if (n === null) throw new ConfigError('argument must be a memory value');
        } else {
          n = parseStrictInt(a);
          if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
        }
        if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
          const show = (v: number | undefined) => (v === LONG_MAX ? '9223372036854775807' : String(v));
          throw new ConfigError(`argument must be between ${show(def.min)} and ${show(def.max)} inclusive`);
        }
        return n;
      }
    }
  }

  /** Stores a value and tells the listeners. */
  assign(def: ConfigDef, value: ConfigValue): void {
    this.values.set(def.name, value);
    for (const l of this.listeners) l(def.name, value);
  }

  /**
   * Applies one directive line from a config file or the command line: `args[0]` is the
   * directive. Throws ConfigError with Redis's message on failure.
   */
  applyDirective(args: string[]): void {
    const name = args[0].toLowerCase();
    const def = this.byName.get(name);
    if (!def) throw new ConfigError('Bad directive or wrong number of arguments');
    let values = args.slice(1);
    if (!def.multiArg && values.length !== 1) throw new ConfigError('wrong number of arguments');
    if (def.multiArg && values.length === 1 && values[0] !== '') {
      // "--save '900 1 300 10'" style: one argument holding several.
      values = splitArgs(values[0]) ?? values;
    }
    this.assign(def, this.parse(def, values, true));
    this.explicitlySet.add(def.name);
  }

  /** CONFIG SET with several name/value pairs, all validated before any is applied. */
  setMany(pairs: [string, string][], allowImmutable = false): void {
    const plan: [ConfigDef, ConfigValue, ConfigValue][] = [];
    const seen = new Set<ConfigDef>();
    for (const [rawName] of pairs) {
      const def = this.byName.get(rawName.toLowerCase());
      if (!def) throw new UnknownConfigError(rawName);
    }
    for (const [rawName] of pairs) {
      const def = this.byName.get(rawName.toLowerCase())!;
      if (def.immutable && !allowImmutable) throw new ConfigSetError(rawName, "can't set immutable config");
      if (seen.has(def)) throw new ConfigSetError(rawName, 'duplicate parameter');
      seen.add(def);
    }
    for (const [rawName, value] of pairs) {
      const def = this.byName.get(rawName.toLowerCase())!;
      let args = [value];
      if (def.multiArg) args = value === '' ? [''] : (splitArgs(value) ?? [value]);
      try {
        plan.push([def, this.parse(def, args, false), this.values.get(def.name)!]);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigSetError(def.name, e.message);
        throw e;
      }
    }
    const applied: [ConfigDef, ConfigValue][] = [];
    try {
      for (const [def, v, old] of plan) {
        this.assign(def, v);
        applied.push([def, old]);
      }
    } catch (e) {
      // An apply step failed (e.g. cannot listen on a port): restore every value.
      for (const [def, old] of applied.reverse()) this.values.set(def.name, old);
      for (const [def, old] of applied) for (const l of this.listeners) l(def.name, old);
      const def = plan[applied.length]?.[0] ?? plan[0][0];
      throw new ConfigSetError(def.name, e instanceof Error ? e.message : String(e));
    }
  }

  /** CONFIG GET: name → value for every directive matching any pattern (aliases included). */
  getMatching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      const lp = p.toLowerCase();
      if (!/[*?[]/.test(lp)) {
        // An exact name is echoed back as the client spelled it, like Redis.
        const def = this.byName.get(lp);
        if (def && !out.has(p)) out.set(p, formatValue(def, this.values.get(def.name)!));
        continue;
      }
      for (const [name, def] of this.byName) {
        if (out.has(name)) continue;
        if (globMatch(lp, name, true)) out.set(name, formatValue(def, this.values.get(def.name)!));
      }
    }
    return [...out];
  }

  /** Lines for CONFIG REWRITE: every directive whose value differs from the default. */
  rewriteLines(): Map<string, string[]> {
    const lines = new Map<string, string[]>();
    for (const def of CONFIG_DEFS) {
      const v = this.values.get(def.name)!;
      const text = formatValue(def, v);
      const defText = formatValue(def, def.default);
      if (text === defText && !this.explicitlySet.has(def.name)) continue;
      if (def.name === 'save') {
        const pts = v as SavePoint[];
        lines.set(def.name, pts.length === 0 ? ['save ""'] : pts.map((p) => `save ${p.seconds} ${p.changes}`));
      } else if (def.name === 'client-output-buffer-limit') {
        const l = v as OutputBufferLimits;
        lines.set(
          def.name,
          (['normal', 'replica', 'pubsub'] as const).map(
            (c) => `client-output-buffer-limit ${c} ${l[c].hard} ${l[c].soft} ${l[c].softSeconds}`,
          ),
        );
      } else if (def.name === 'replicaof') {
        if (text !== '') lines.set(def.name, [`replicaof ${text}`]);
      } else {
        lines.set(def.name, [`${def.name} ${quoteIfNeeded(text)}`]);
      }
    }
    return lines;
  }
}

export class UnknownConfigError extends Error {
  constructor(readonly configName: string) {
    super(`Unknown option or number of arguments for CONFIG SET - '${configName}'`);
  }
}

export class ConfigSetError extends Error {
  constructor(
    readonly configName: string,
    readonly reason: string,
  ) {
    super(`CONFIG SET failed (possibly related to argument '${configName}') - ${reason}`);
  }
}

/** Quotes a value for redis.conf when it is empty or holds spaces/quotes. */
export function quoteIfNeeded(s: string): string {
  if (s !== '' && /^[^\s"'\\]+$/.test(s)) return s;
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
}
