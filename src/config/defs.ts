/**
 * The directive table: every parameter Redis 7.0's CONFIG knows (192 names with aliases), with
 * its type, range, enum values, flags and default. Directives whose mechanism has no counterpart
 * in a Node process carry `noEffect` (the reason; docs/config.md lists them); directives that
 * would turn on a feature reddish lacks carry `refuse`, so they stop startup / fail CONFIG SET
 * instead of being silently ignored.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export class ConfigError extends Error {}

export type ConfigValue = string | number | boolean | string[] | number[] | SavePoint[] | OutputBufferLimits;

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

/**
 * bool: yes/no. int: plain integer. memory: integer with an optional unit (k, kb, mb, ...),
 * optionally also N% (`percent`). octal: integer read and shown in base 8. enum: one of
 * `values`. flags: one or more of `values` (a multi-argument enum, shown in table order).
 * string: any text. special: own parse/format.
 */
export type Kind = 'bool' | 'int' | 'memory' | 'octal' | 'enum' | 'flags' | 'string' | 'special';

export interface ConfigDef {
  name: string;
  alias?: string;
  kind: Kind;
  default: ConfigValue;
  min?: number;
  max?: number;
  /** memory kind: N% is also accepted (stored as -N, shown as N%). */
  percent?: boolean;
  values?: readonly string[];
  /** Redis's IMMUTABLE_CONFIG: file and command line only. */
  immutable?: boolean;
  /** Redis's PROTECTED_CONFIG: CONFIG SET only when enable-protected-configs allows it. */
  protected?: boolean;
  /** Redis's HIDDEN_CONFIG: CONFIG GET returns it only when asked by exact name. */
  hidden?: boolean;
  /** Redis's DENY_LOADING_CONFIG: CONFIG SET refused with -LOADING while a dataset loads. */
  denyLoading?: boolean;
  /** Takes several arguments (save, bind, client-output-buffer-limit, replicaof, flags). */
  multiArg?: boolean;
  /** CONFIG REWRITE writes it even at its default (as Redis does for dir and percentiles). */
  alwaysRewrite?: boolean;
  /** Never logged or shown by CONFIG GET patterns' logging (passwords). */
  sensitive?: boolean;
  /** Accepted and shown, but the mechanism it tunes does not exist in reddish: why. */
  noEffect?: string;
  /** Extra validation after parsing (Redis's is_valid callbacks): an error text or null. */
  validate?(v: ConfigValue): string | null;
  /** The value would enable a feature reddish does not have: the refusal text, or null. */
  refuse?(v: ConfigValue): string | null;
  /** Adjusts an accepted value (hz is capped rather than refused). */
  normalize?(v: ConfigValue): ConfigValue;
  /** For special kinds: parse arguments into a value (throws ConfigError with Redis's text). */
  parse?(args: string[], current: ConfigValue, ctx: ParseContext): ConfigValue;
  /** For special kinds: the CONFIG GET text. */
  format?(v: ConfigValue): string;
  /** For special kinds: the redis.conf lines CONFIG REWRITE writes. */
  rewrite?(v: ConfigValue): string[];
}

export interface ParseContext {
  /** True while a config file / the command line is read (not CONFIG SET). */
  fromFile: boolean;
  /** True once a `save` line has been read from the file (the first one replaces the defaults). */
  saveLoaded: boolean;
}

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;
export const UINT_MAX = 4294967295;
/** Stand-in for LONG_MAX / LLONG_MAX / SSIZE_MAX (larger values are not exact in a JS number). */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------- value parsers

/** Redis's memtoull: digits with an optional case-insensitive unit b, k, kb, m, mb, g, gb. */
export function parseMemory(s: string): number | null {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const mul = MEMORY_UNITS[m[2].toLowerCase()];
  if (mul === undefined) return null;
  const n = Number(m[1]) * mul;
  return Number.isSafeInteger(n) ? n : null;
}

/** redis.conf's memory units (Redis's memtoull): k/m/g are powers of 1000, kb/mb/gb of 1024. */
export const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

/** Redis's string2ll for config integers (optional '-', no '+', no spaces, no leading zeros). */
export function parseStrictInt(s: string): number | null {
  if (!/^-?(0|[1-9]\d*)$/.test(s) || s === '-0') return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** strtoll(s, &end, base) accepting the whole string: optional spaces and sign, then digits. */
function parseWholeStrtoll(s: string, base: 8 | 10): number | null {
  const digits = base === 8 ? '[0-7]' : '\\d';
  const m = new RegExp(`^[ \\t\\n\\v\\f\\r]*([+-]?)(${digits}+)$`).exec(s);
  if (!m) return null;
  const n = parseInt(m[2], base) * (m[1] === '-' ? -1 : 1);
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

/**
 * `save`: CONFIG SET replaces the points; in a config file the first `save` line replaces the
 * built-in defaults and later lines add to it (Redis keeps this for old multi-line files).
 */
function parseSave(args: string[], current: ConfigValue, ctx: ParseContext): SavePoint[] {
  // `save ""` clears the points wherever it appears, even between appending file lines.
  const clear = args.length === 1 && args[0] === '';
  if (clear) args = [];
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const nums = args.map((a) => parseWholeStrtoll(a, 10) ?? (a === '' ? 0 : NaN));
  for (let j = 0; j < nums.length; j++) {
    if (Number.isNaN(nums[j]) || (j % 2 === 0 && nums[j] < 1) || (j % 2 === 1 && nums[j] < 0)) {
      throw new ConfigError('Invalid save parameters');
    }
  }
  const points: SavePoint[] = ctx.fromFile && ctx.saveLoaded && !clear ? [...(current as SavePoint[])] : [];
  for (let j = 0; j < nums.length; j += 2) points.push({ seconds: nums[j], changes: nums[j + 1] });
  return points;
}

/** `dir` must be an existing directory; kept absolute so the process never needs to chdir. */
function parseDir(args: string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  const abs = resolve(args[0]);
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

function parseOomScoreAdjValues(args: string[]): number[] {
  if (args.length !== 3) throw new ConfigError('wrong number of arguments');
  return args.map((a) => {
    const n = parseWholeStrtoll(a, 10) ?? (a === '' ? 0 : NaN);
    if (Number.isNaN(n) || n < -2000 || n > 2000) {
      throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
    }
    return n;
  });
}

/** Redis prints percentiles with %f and then trims trailing zeros (and a trailing dot). */
export function formatPercentile(p: number): string {
  let s = p.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function parsePercentiles(args: string[]): number[] {
  if (args.length === 1 && args[0] === '') return [];
  return args.map((a) => {
    // string2d: a full strtod parse, no leading space, not NaN.
    if (a === '' || /^\s/.test(a) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity)$/i.test(a)) {
      throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
    }
    const p = /inf/i.test(a) ? (a.startsWith('-') ? -Infinity : Infinity) : Number(a);
    if (p > 100 || p < 0) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    return p;
  });
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

/** proc-title-template: only Redis's known {variables}, balanced braces. */
const TITLE_VARS = new Set(['{title}', '{listen-addr}', '{server-mode}', '{port}', '{tls-port}', '{unixsocket}', '{config-file}']);
function validProcTitleTemplate(t: string): boolean {
  let i = 0;
  while (i < t.length) {
    const open = t.indexOf('{', i);
    const close = t.indexOf('}', i);
    if (open < 0) return close < 0;
    if (close >= 0 && close < open) return false;
    const end = t.indexOf('}', open);
    if (end < 0) return false;
    if (!TITLE_VARS.has(t.slice(open, end + 1))) return false;
    i = end + 1;
  }
  // Redis also refuses a template that expands to nothing.
  return t.trim() !== '';
}

function validHostname(v: ConfigValue): string | null {
  const s = v as string;
  if (s.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(s)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
}

const isBaseName = (s: string) => !s.includes('/');

/** Redis writes dir quoted (sdscatrepr). */
function quoteConf(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

// ---------------------------------------------------------------- the table

const DEFAULT_SAVE: SavePoint[] = [
  { seconds: 3600, changes: 1 },
  { seconds: 300, changes: 100 },
  { seconds: 60, changes: 10000 },
];

type Opts = Partial<Omit<ConfigDef, 'name' | 'kind' | 'default'>>;
const bool = (name: string, dflt: boolean, o: Opts = {}): ConfigDef => ({ name, kind: 'bool', default: dflt, ...o });
const int = (name: string, dflt: number, min: number, max: number, o: Opts = {}): ConfigDef => ({ name, kind: 'int', default: dflt, min, max, ...o });
const mem = (name: string, dflt: number, min: number, max: number, o: Opts = {}): ConfigDef => ({ name, kind: 'memory', default: dflt, min, max, ...o });
const str = (name: string, dflt: string, o: Opts = {}): ConfigDef => ({ name, kind: 'string', default: dflt, ...o });
const enm = (name: string, dflt: string, values: readonly string[], o: Opts = {}): ConfigDef => ({ name, kind: 'enum', default: dflt, values, ...o });

/** Bits of a `flags` value: the first name is 0 (no flag), the next ones 1, 2, 4, ... */
export const SHUTDOWN = { SAVE: 1, NOSAVE: 2, NOW: 4, FORCE: 8 } as const;
function validShutdownFlags(v: ConfigValue): string | null {
  const f = v as number;
  return f & SHUTDOWN.SAVE && f & SHUTDOWN.NOSAVE ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;
}

const PROTECTED_ACTION = ['no', 'yes', 'local'] as const;
const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'] as const;

/** Why whole families have no effect in reddish (docs/config.md shows these texts). */
const WHY = {
  cluster: 'Redis Cluster is not implemented; only meaningful when cluster-enabled is yes, which is refused.',
  tlsCluster: 'Redis Cluster is not implemented, so there is no cluster bus to encrypt.',
  lazyfree: 'Values are freed by the JavaScript garbage collector, never by a background thread.',
  defrag: 'Memory is managed by V8; there is no jemalloc to defragment.',
  cpulist: 'Node does not pin threads to CPUs; snapshots and replication run in the server process.',
  oom: "The process's oom_score_adj is not changed; Linux's default applies.",
  quicklist: 'Lists are not quicklists of listpacks; node size and compression do not apply.',
  debugDelay: 'Debugging delay of the fork-based RDB code; reddish snapshots in-process and does not slow it down.',
} as const;

export const CONFIG_DEFS: readonly ConfigDef[] = [
  // ---- network and process
  int('port', 6379, 0, 65535),
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
  str('bind-source-addr', '', { noEffect: 'Outgoing replication connections use the address the OS chooses.' }),
  bool('protected-mode', true),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('tcp-keepalive', 300, 0, INT_MAX),
  int('timeout', 0, 0, INT_MAX),
  int('socket-mark-id', 0, 0, UINT_MAX, { immutable: true, noEffect: 'Node cannot set SO_MARK on its sockets.' }),
  str('unixsocket', '', { immutable: true }),
  { name: 'unixsocketperm', kind: 'octal', default: 0, min: 0, max: 0o777, immutable: true },
  int('maxclients', 10000, 1, UINT_MAX),
  bool('daemonize', false, { immutable: true }),
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], {
    immutable: true,
    noEffect: 'No readiness notification is sent to upstart or systemd; use Type=simple (daemonize no) under systemd.',
  }),
  str('pidfile', '', { immutable: true }),
  int('databases', 16, 1, INT_MAX, { immutable: true }),
  // Out-of-range hz is accepted and capped to 1..500, as Redis does.
  int('hz', 10, 0, INT_MAX, { normalize: (v) => Math.max(1, Math.min(500, v as number)) }),
  bool('dynamic-hz', true, { noEffect: 'The timer runs at hz whatever the number of clients.' }),
  int('shutdown-timeout', 10, 0, INT_MAX),
  { name: 'shutdown-on-sigint', kind: 'flags', default: 0, values: SHUTDOWN_FLAGS, multiArg: true, validate: validShutdownFlags },
  { name: 'shutdown-on-sigterm', kind: 'flags', default: 0, values: SHUTDOWN_FLAGS, multiArg: true, validate: validShutdownFlags },
  int('io-threads', 1, 1, 128, { immutable: true, noEffect: 'Node runs JavaScript on one thread; sockets are served by its event loop.' }),
  bool('io-threads-do-reads', false, { immutable: true, noEffect: 'Node runs JavaScript on one thread; sockets are served by its event loop.' }),
  bool('set-proc-title', true, { immutable: true, noEffect: 'The process title is not changed.' }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', {
    noEffect: 'The process title is not changed.',
    validate: (v) => (validProcTitleTemplate(v as string) ? null : 'template format is invalid or contains unknown variables'),
  }),
  str('server_cpulist', '', { immutable: true, noEffect: WHY.cpulist }),
  str('bio_cpulist', '', { immutable: true, noEffect: WHY.cpulist }),
  str('aof_rewrite_cpulist', '', { immutable: true, noEffect: WHY.cpulist }),
  str('bgsave_cpulist', '', { immutable: true, noEffect: WHY.cpulist }),
  bool('jemalloc-bg-thread', true, { noEffect: 'Memory is managed by V8; there is no jemalloc.' }),
  bool('disable-thp', true, { immutable: true, noEffect: 'Transparent huge pages are left as the OS configures them.' }),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], { noEffect: WHY.oom }),
  {
    name: 'oom-score-adj-values',
    kind: 'special',
    multiArg: true,
    default: [0, 200, 800],
    parse: (args) => parseOomScoreAdjValues(args),
    format: (v) => (v as number[]).join(' '),
    noEffect: WHY.oom,
  },
  // ---- logging
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', { immutable: true }),
  bool('syslog-enabled', false, { immutable: true }),
  str('syslog-ident', 'redis', { immutable: true }),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { immutable: true }),
  bool('always-show-logo', false, { immutable: true }),
  bool('crash-log-enabled', true, { noEffect: 'A crash is a Node exception with its own stack trace; there is no signal-handler crash report.' }),
  bool('crash-memcheck-enabled', true, { noEffect: 'There is no crash-time memory test.' }),
  bool('use-exit-on-panic', false, { hidden: true, noEffect: 'A panic is a thrown exception; there is no abort() to replace.' }),
  int('watchdog-period', 0, 0, INT_MAX, { hidden: true }),
  str('ignore-warnings', '', { noEffect: 'reddish prints none of the kernel-specific startup warnings it would silence.' }),
  // ---- security and limits
  { name: 'requirepass', kind: 'string', default: '', sensitive: true },
  str('aclfile', '', { immutable: true }),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  int('acllog-max-len', 128, 0, LONG_MAX),
  enm('enable-protected-configs', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-debug-command', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-module-command', 'no', PROTECTED_ACTION, { immutable: true, noEffect: 'There is no MODULE command (modules are not supported).' }),
  mem('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LONG_MAX),
  mem('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LONG_MAX),
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
    rewrite: (v) => {
      const l = v as OutputBufferLimits;
      return (['normal', 'replica', 'pubsub'] as const).map((c) => `client-output-buffer-limit ${c} ${l[c].hard} ${l[c].soft} ${l[c].softSeconds}`);
    },
  },
  mem('maxmemory-clients', 0, -100, LONG_MAX, {
    percent: true,
    noEffect: 'Client eviction is not implemented; client buffers are bounded by client-output-buffer-limit and client-query-buffer-limit.',
  }),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients'], {
    noEffect: 'A RESTORE payload is always decoded completely, and refused when corrupt, before the key is created.',
  }),
  enm('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], {
    noEffect: 'Only the default (ignore) is implemented: an error in a command applied from the master stream is not escalated.',
  }),
  // ---- memory
  mem('maxmemory', 0, 0, LONG_MAX),
  enm('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1, INT_MAX),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  bool('replica-ignore-maxmemory', true, { alias: 'slave-ignore-maxmemory' }),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  int('active-expire-effort', 1, 1, 10),
  bool('activerehashing', true, { noEffect: 'Keyspaces are JavaScript Maps, which rehash themselves.' }),
  // Freeing is the GC's job either way; these only choose UNLINK instead of DEL for replicas.
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false),
  bool('lazyfree-lazy-server-del', false, { noEffect: WHY.lazyfree }),
  bool('lazyfree-lazy-user-del', false, { noEffect: WHY.lazyfree }),
  bool('lazyfree-lazy-user-flush', false, { noEffect: WHY.lazyfree }),
  bool('activedefrag', false, {
    // Same answer as a Redis built without its bundled jemalloc: there is nothing to defragment.
    validate: (v) =>
      v
        ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
        : null,
  }),
  mem('active-defrag-ignore-bytes', 100 * 1024 * 1024, 1, LONG_MAX, { noEffect: WHY.defrag }),
  int('active-defrag-threshold-lower', 10, 0, 1000, { noEffect: WHY.defrag }),
  int('active-defrag-threshold-upper', 100, 0, 1000, { noEffect: WHY.defrag }),
  int('active-defrag-cycle-min', 1, 1, 99, { noEffect: WHY.defrag }),
  int('active-defrag-cycle-max', 25, 1, 99, { noEffect: WHY.defrag }),
  int('active-defrag-max-scan-fields', 1000, 1, LONG_MAX, { noEffect: WHY.defrag }),
  // ---- persistence (RDB)
  {
    name: 'dir',
    kind: 'special',
    default: process.cwd(),
    protected: true,
    denyLoading: true,
    alwaysRewrite: true,
    parse: (a) => parseDir(a),
    format: (v) => v as string,
    rewrite: (v) => [`dir ${quoteConf(v as string)}`],
  },
  str('dbfilename', 'dump.rdb', {
    protected: true,
    validate: (v) => (isBaseName(v as string) ? null : "dbfilename can't be a path, just a filename"),
  }),
  {
    name: 'save',
    kind: 'special',
    multiArg: true,
    default: DEFAULT_SAVE,
    parse: parseSave,
    format: (v) => (v as SavePoint[]).map((p) => `${p.seconds} ${p.changes}`).join(' '),
    rewrite: (v) => {
      const pts = v as SavePoint[];
      return pts.length === 0 ? ['save ""'] : pts.map((p) => `save ${p.seconds} ${p.changes}`);
    },
  },
  bool('rdbcompression', true),
  bool('rdbchecksum', true, { immutable: true }),
  bool('rdb-del-sync-files', false, { noEffect: 'RDB files written only for replication are left in dir.' }),
  bool('stop-writes-on-bgsave-error', true),
  bool('rdb-save-incremental-fsync', true, { noEffect: 'The snapshot file is written and fsynced once at its end.' }),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true, noEffect: WHY.debugDelay }),
  int('key-load-delay', 0, INT_MIN, INT_MAX, { hidden: true, noEffect: 'Debugging delay of RDB loading; loading is not slowed down.' }),
  int('loading-process-events-interval-bytes', 2 * 1024 * 1024, 1024, INT_MAX, {
    hidden: true,
    noEffect: 'Loading yields to the event loop on its own schedule.',
  }),
  // ---- persistence (AOF): src/aof/
  bool('appendonly', false, { denyLoading: true }),
  str('appendfilename', 'appendonly.aof', {
    immutable: true,
    validate: (v) => ((v as string) === '' ? "appendfilename can't be empty" : isBaseName(v as string) ? null : "appendfilename can't be a path, just a filename"),
  }),
  str('appenddirname', 'appendonlydir', {
    immutable: true,
    validate: (v) => ((v as string) === '' ? "appenddirname can't be empty" : isBaseName(v as string) ? null : "appenddirname can't be a path, just a dirname"),
  }),
  enm('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', false),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  mem('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0, LONG_MAX),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('aof-disable-auto-gc', false),
  bool('aof-rewrite-incremental-fsync', true, { noEffect: 'The rewritten base file is fsynced once at its end.' }),
  // ---- replication
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
      const port = parseWholeStrtoll(args[1], 10) ?? (args[1] === '' ? 0 : null);
      if (port === null || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
      return `${args[0]} ${port}`;
    },
    format: (v) => v as string,
    rewrite: (v) => ((v as string) === '' ? [] : [`replicaof ${v as string}`]),
  },
  { name: 'masterauth', kind: 'string', default: '', sensitive: true },
  { name: 'masteruser', kind: 'string', default: '', sensitive: true },
  bool('replica-read-only', true, { alias: 'slave-read-only' }),
  bool('replica-serve-stale-data', true, { alias: 'slave-serve-stale-data' }),
  int('replica-priority', 100, 0, INT_MAX, { alias: 'slave-priority' }),
  str('replica-announce-ip', '', { alias: 'slave-announce-ip' }),
  int('replica-announce-port', 0, 0, 65535, { alias: 'slave-announce-port' }),
  bool('replica-announced', true),
  bool('replica-lazy-flush', false, { alias: 'slave-lazy-flush', noEffect: WHY.lazyfree }),
  bool('replica-ignore-disk-write-errors', false, {
    noEffect: "While its snapshots fail (MISCONF), reddish's replica refuses its master's writes; it neither panics (no) nor applies them (yes).",
  }),
  bool('repl-diskless-sync', true),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  // Redis 8's rdb channel (spec rdb-channel.md §2.1): the snapshot on a second connection while the
  // main one streams. Off by default here so classic full syncs stay the default behaviour.
  // The three configs are hidden (CONFIG GET * keeps 7.0's names; Redis 8 hides repl-rdb-channel too).
  bool('repl-rdb-channel', false, { hidden: true }),
  // Valkey 8's name for its own dialect of the same idea (dual-channel replication).
  bool('dual-channel-replication-enabled', false, { hidden: true }),
  // 0: the replica's client-output-buffer-limit replica hard limit, as Redis 8 does.
  mem('replica-full-sync-buffer-limit', 0, 0, LONG_MAX, { hidden: true }),
  // reddish: past the limit the replica spills the stream to a file in dir instead of stopping reading.
  bool('replica-full-sync-buffer-spill', true, { hidden: true }),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'], { denyLoading: true }),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { alias: 'repl-ping-slave-period' }),
  int('repl-timeout', 60, 1, INT_MAX),
  bool('repl-disable-tcp-nodelay', false),
  mem('repl-backlog-size', 1024 * 1024, 1, LONG_MAX),
  int('repl-backlog-ttl', 3600, 0, LONG_MAX),
  int('min-replicas-to-write', 0, 0, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { alias: 'min-slaves-max-lag' }),
  // ---- cluster: only `cluster-enabled no` is possible
  bool('cluster-enabled', false, {
    immutable: true,
    refuse: (v) => (v ? 'reddish does not implement Redis Cluster (set cluster-enabled no)' : null),
  }),
  str('cluster-config-file', 'nodes.conf', { immutable: true, noEffect: WHY.cluster }),
  int('cluster-node-timeout', 15000, 0, LONG_MAX, { noEffect: WHY.cluster }),
  int('cluster-port', 0, 0, 65535, { immutable: true, noEffect: WHY.cluster }),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { alias: 'cluster-slave-validity-factor', noEffect: WHY.cluster }),
  int('cluster-migration-barrier', 1, 0, INT_MAX, { noEffect: WHY.cluster }),
  bool('cluster-allow-replica-migration', true, { noEffect: WHY.cluster }),
  bool('cluster-require-full-coverage', true, { noEffect: WHY.cluster }),
  bool('cluster-replica-no-failover', false, { alias: 'cluster-slave-no-failover', noEffect: WHY.cluster }),
  bool('cluster-allow-reads-when-down', false, { noEffect: WHY.cluster }),
  bool('cluster-allow-pubsubshard-when-down', true, { noEffect: WHY.cluster }),
  mem('cluster-link-sendbuf-limit', 0, 0, LONG_MAX, { noEffect: WHY.cluster }),
  str('cluster-announce-ip', '', { noEffect: WHY.cluster }),
  str('cluster-announce-hostname', '', { noEffect: WHY.cluster, validate: validHostname }),
  int('cluster-announce-port', 0, 0, 65535, { noEffect: WHY.cluster }),
  int('cluster-announce-bus-port', 0, 0, 65535, { noEffect: WHY.cluster }),
  int('cluster-announce-tls-port', 0, 0, 65535, { noEffect: WHY.cluster }),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], { noEffect: WHY.cluster }),
  // ---- TLS (src/tls): the context is built from these at startup and on CONFIG SET
  int('tls-port', 0, 0, 65535),
  str('tls-cert-file', ''),
  str('tls-key-file', ''),
  str('tls-key-file-pass', ''),
  str('tls-client-cert-file', ''),
  str('tls-client-key-file', ''),
  str('tls-client-key-file-pass', ''),
  str('tls-dh-params-file', ''),
  str('tls-ca-cert-file', ''),
  str('tls-ca-cert-dir', ''),
  str('tls-protocols', ''),
  str('tls-ciphers', ''),
  str('tls-ciphersuites', ''),
  enm('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  bool('tls-replication', false),
  bool('tls-cluster', false, { noEffect: WHY.tlsCluster }),
  bool('tls-prefer-server-ciphers', false),
  bool('tls-session-caching', true),
  int('tls-session-cache-size', 20 * 1024, 0, INT_MAX),
  int('tls-session-cache-timeout', 300, 0, INT_MAX),
  // ---- encodings (thresholds used by the data types)
  int('hash-max-listpack-entries', 512, 0, LONG_MAX, { alias: 'hash-max-ziplist-entries' }),
  mem('hash-max-listpack-value', 64, 0, LONG_MAX, { alias: 'hash-max-ziplist-value' }),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size', noEffect: WHY.quicklist }),
  int('list-compress-depth', 0, 0, INT_MAX, { noEffect: WHY.quicklist }),
  int('set-max-intset-entries', 512, 0, LONG_MAX),
  int('zset-max-listpack-entries', 128, 0, LONG_MAX, { alias: 'zset-max-ziplist-entries' }),
  mem('zset-max-listpack-value', 64, 0, LONG_MAX, { alias: 'zset-max-ziplist-value' }),
  mem('hll-sparse-max-bytes', 3000, 0, LONG_MAX),
  mem('stream-node-max-bytes', 4096, 0, LONG_MAX),
  int('stream-node-max-entries', 100, 0, LONG_MAX),
  // ---- keyspace notifications and client-side caching
  {
    name: 'notify-keyspace-events',
    kind: 'special',
    default: 0,
    parse: (a) => {
      if (a.length !== 1) throw new ConfigError('wrong number of arguments');
      return parseNotifyFlags(a[0]);
    },
    format: (v) => formatNotifyFlags(v as number),
  },
  int('tracking-table-max-keys', 1000000, 0, LONG_MAX),
  // ---- diagnostics
  int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('latency-monitor-threshold', 0, 0, LONG_MAX),
  bool('latency-tracking', true),
  {
    name: 'latency-tracking-info-percentiles',
    kind: 'special',
    multiArg: true,
    default: [50, 99, 99.9],
    alwaysRewrite: true,
    parse: (args) => parsePercentiles(args),
    format: (v) => (v as number[]).map(formatPercentile).join(' '),
    rewrite: (v) => {
      const p = v as number[];
      return [`latency-tracking-info-percentiles ${p.length === 0 ? '""' : p.map(formatPercentile).join(' ')}`];
    },
  },
  int('busy-reply-threshold', 5000, 0, LONG_MAX, { alias: 'lua-time-limit' }),
];

/** Directives of old redis.conf files that Redis 7.0 still accepts and ignores (with their argc). */
export const DEPRECATED_DIRECTIVES: ReadonlyMap<string, number> = new Map([
  ['list-max-ziplist-entries', 2],
  ['list-max-ziplist-value', 2],
  ['lua-replicate-commands', 2],
]);
