/**
 * The server's configuration: the directive table (defs.ts) with Redis 7.0's names, aliases,
 * defaults, validation and error texts, and the values in force. The same table serves
 * redis.conf, `--directive value` arguments, CONFIG GET/SET/REWRITE, and INFO.
 *
 * An unknown directive is refused rather than accepted and ignored.
 */
import { splitArgs } from '../protocol/request-parser.js';
import { globMatch } from '../store/glob.js';
import { CONFIG_DEFS, ConfigError, LONG_MAX, parseMemory, type ConfigDef, type ConfigValue, type ParseContext } from './defs.js';

export {
  CONFIG_DEFS,
  ConfigError,
  NOTIFY,
  SHUTDOWN,
  parseMemory,
  parseStrictInt,
  parseNotifyFlags,
  formatNotifyFlags,
  type ConfigDef,
  type ConfigValue,
  type SavePoint,
  type BufferLimit,
  type OutputBufferLimits,
} from './defs.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/** A bound as Redis prints it (LONG_MAX stands for the C maximum). */
function bigBound(n: number): bigint {
  return n === LONG_MAX ? LLONG_MAX : BigInt(n);
}

/** string2ll: optional '-', digits without leading zeros, within long long. */
function string2ll(s: string): bigint | null {
  if (!/^-?(0|[1-9]\d*)$/.test(s) || s === '-0') return null;
  const n = BigInt(s);
  return n > LLONG_MAX || n < LLONG_MIN ? null : n;
}

/** memtoull with Redis's units, exact for any 64-bit value. */
function memtoull(s: string): bigint | null {
  const small = parseMemory(s);
  if (small !== null) return BigInt(small);
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const mul: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };
  const n = BigInt(m[1]) * mul[(m[2] ?? '').toLowerCase()];
  return n > 18446744073709551615n ? null : n;
}

/** strtoll(s, &end, 8) consuming the whole string. */
function octalToll(s: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/.exec(s);
  if (!m) return null;
  const n = BigInt('0o' + m[2]) * (m[1] === '-' ? -1n : 1n);
  return n > LLONG_MAX || n < LLONG_MIN ? null : n;
}

function formatValue(def: ConfigDef, v: ConfigValue, exact?: string): string {
  switch (def.kind) {
    case 'bool':
      return v ? 'yes' : 'no';
    case 'int':
      return exact ?? String(v);
    case 'memory':
      return def.percent && (v as number) < 0 ? `${-(v as number)}%` : (exact ?? String(v));
    case 'octal':
      return (v as number).toString(8);
    case 'enum':
    case 'string':
      return v as string;
    case 'flags': {
      const f = v as number;
      if (f === 0) return def.values![0];
      return def.values!.filter((_, i) => i > 0 && f & (1 << (i - 1))).join(' ');
    }
    case 'special':
      return def.format!(v);
  }
}

export type ChangeListener = (name: string, value: ConfigValue) => void;

export interface SetOptions {
  /** Immutable directives too (internal use). */
  allowImmutable?: boolean;
  /** The client may change PROTECTED configs (enable-protected-configs allows it). */
  allowProtected?: boolean;
  /** A dataset is loading: DENY_LOADING configs answer -LOADING. */
  loading?: boolean;
}

/** A `rename-command` line, applied once the command table exists. */
export interface RenameDirective {
  from: string;
  to: string;
  lineNumber: number;
  line: string;
}

export class Config {
  private readonly byName = new Map<string, ConfigDef>();
  private readonly values = new Map<string, ConfigValue>();
  /** Decimal text of integers beyond 2^53, which a JS number cannot hold exactly. */
  private readonly exact = new Map<string, string>();
  private readonly listeners: ChangeListener[] = [];
  /** Path of the config file the server was started with (for CONFIG REWRITE), '' if none. */
  configFile = '';
  /** Whether a `save` line was read from the file yet (the first one replaces the defaults). */
  private saveLoaded = false;
  /**
   * Redis's reading_config_file: set when a config text starts loading and cleared when any
   * text ends, an included one too. So after an `include`, the rest of the including text
   * (and the command-line options) apply `save` lines the way CONFIG SET does: each replaces.
   */
  readingFile = true;
  /** rename-command lines in file order. */
  readonly renames: RenameDirective[] = [];
  /** `user` lines of the config file ([name, ...rules]), loaded by the ACL module at startup. */
  readonly aclUsers: string[][] = [];
  /** Directives another module writes on CONFIG REWRITE (the ACL module's `user` lines). */
  readonly extraRewrite = new Map<string, () => string[]>();
  /**
   * Run once per CONFIG SET after every value is assigned (Redis's apply functions, e.g. a TLS
   * reload that needs the new cert and key together). Throwing refuses the whole CONFIG SET; an
   * error's `configName` picks the directive named in the reply.
   */
  readonly appliers: ((names: ReadonlySet<string>) => void)[] = [];

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

  /** Every name CONFIG knows, aliases included. */
  names(): string[] {
    return [...this.byName.keys()];
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
    return formatValue(def, this.values.get(def.name)!, this.exact.get(def.name));
  }

  /**
   * Validates arguments for a directive, returning the new value (throws ConfigError with
   * Redis's text). `exactOut` receives the decimal text of integers beyond 2^53.
   */
  parse(def: ConfigDef, args: string[], fromFile: boolean, exactOut?: { text?: string }): ConfigValue {
    let v = this.parseRaw(def, args, { fromFile, saveLoaded: this.saveLoaded }, exactOut);
    const bad = def.validate?.(v) ?? def.refuse?.(v) ?? null;
    if (bad !== null) throw new ConfigError(bad);
    if (def.normalize) v = def.normalize(v);
    return v;
  }

  private parseRaw(def: ConfigDef, args: string[], ctx: ParseContext, exactOut?: { text?: string }): ConfigValue {
    if (def.kind === 'special') return def.parse!(args, this.values.get(def.name)!, ctx);
    if (def.kind === 'flags') {
      let f = 0;
      for (const a of args) {
        const i = def.values!.indexOf(a.toLowerCase());
        if (i < 0) f = -1;
        else if (f >= 0 && i > 0) f |= 1 << (i - 1);
        if (f < 0) break;
      }
      if (f < 0 || args.length === 0) throw new ConfigError(`argument(s) must be one of the following: ${def.values!.join(', ')}`);
      return f;
    }
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
      case 'memory':
      case 'octal': {
        let n: bigint | null = null;
        let percent = false;
        if (def.kind === 'memory') {
          n = memtoull(a);
          if (n === null && def.percent && a.length > 1 && a.endsWith('%')) {
            const p = string2ll(a.slice(0, -1));
            if (p !== null && p >= 0n) {
              n = -p;
              percent = true;
            }
          }
          if (n === null) throw new ConfigError(def.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
        } else if (def.kind === 'octal') {
          n = octalToll(a);
          if (n === null) throw new ConfigError("argument couldn't be parsed as an octal number");
        } else {
          n = string2ll(a);
          if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
        }
        const min = bigBound(def.min!);
        const max = bigBound(def.max!);
        if (percent) {
          if (n < min) throw new ConfigError(`percentage argument must be less or equal to ${-min}`);
        } else if (n < min || n > max) {
          const show = (b: bigint) => (def.kind === 'octal' ? b.toString(8) : String(b));
          throw new ConfigError(`argument must be between ${show(min)} and ${show(max)} inclusive`);
        }
        const num = Number(n);
        if (exactOut) exactOut.text = Number.isSafeInteger(num) ? undefined : String(n);
        return num;
      }
    }
  }

  /** Stores a value and tells the listeners. */
  assign(def: ConfigDef, value: ConfigValue, exactText?: string): void {
    this.values.set(def.name, value);
    if (exactText === undefined) this.exact.delete(def.name);
    else this.exact.set(def.name, exactText);
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
    const exact: { text?: string } = {};
    const v = this.parse(def, values, this.readingFile, exact);
    if (def.name === 'save' && this.readingFile) this.saveLoaded = true;
    this.assign(def, v, exact.text);
  }

  /**
   * CONFIG SET with several name/value pairs: names are checked in order (the first problem
   * decides the error, as in Redis), then every value is validated before any is applied.
   */
  setMany(pairs: [string, string][], opts: SetOptions = {}): void {
    let unknown: string | null = null;
    let problem: ConfigSetError | null = null;
    let loading = false;
    let invalid = false;
    // An alias is its own entry, as in Redis: it names itself in errors and is not a duplicate
    // of its primary name.
    const entry = (rawName: string) => rawName.toLowerCase();
    const seen: string[] = [];
    for (const [rawName] of pairs) {
      const def = this.byName.get(rawName.toLowerCase());
      if (!def) {
        if (!invalid) unknown = rawName;
        invalid = true;
        continue;
      }
      if (invalid) continue;
      if ((def.immutable && !opts.allowImmutable) || (def.protected && !opts.allowProtected)) {
        problem = new ConfigSetError(rawName, def.immutable && !opts.allowImmutable ? "can't set immutable config" : "can't set protected config");
        invalid = true;
        continue;
      }
      if (opts.loading && def.denyLoading) {
        loading = true;
        invalid = true;
        continue;
      }
      if (seen.includes(entry(rawName))) {
        problem = new ConfigSetError(rawName, 'duplicate parameter');
        invalid = true;
      }
      seen.push(entry(rawName));
    }
    if (loading) throw new ConfigLoadingError();
    if (unknown !== null) throw new UnknownConfigError(unknown);
    if (problem) throw problem;

    const plan: { def: ConfigDef; entry: string; v: ConfigValue; exact?: string; old: ConfigValue; oldExact?: string }[] = [];
    for (const [rawName, value] of pairs) {
      const def = this.byName.get(rawName.toLowerCase())!;
      // CONFIG SET splits several arguments on single spaces (not quote-aware, like Redis).
      const args = def.multiArg ? (value === '' ? [] : value.split(' ')) : [value];
      const exact: { text?: string } = {};
      try {
        plan.push({ def, entry: entry(rawName), v: this.parse(def, args, false, exact), exact: exact.text, old: this.values.get(def.name)!, oldExact: this.exact.get(def.name) });
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigSetError(entry(rawName), e.message);
        throw e;
      }
    }
    let applied = 0;
    try {
      for (const p of plan) {
        this.assign(p.def, p.v, p.exact);
        applied++;
      }
      const names = new Set(plan.map((p) => p.def.name));
      for (const a of this.appliers) a(names);
    } catch (e) {
      // An apply step failed (e.g. cannot listen on a port): restore every value.
      for (const p of plan.slice(0, applied + 1).reverse()) this.assign(p.def, p.old, p.oldExact);
      const named = plan.find((p) => p.def.name === (e as { configName?: string }).configName);
      throw new ConfigSetError((named ?? plan[applied] ?? plan[0]).entry, e instanceof Error ? e.message : String(e));
    }
  }

  /** CONFIG GET: name → value for every directive matching any pattern (aliases included). */
  getMatching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      const lp = p.toLowerCase();
      if (!/[*?[]/.test(p)) {
        // An exact name is echoed back as the client spelled it, like Redis.
        const def = this.byName.get(lp);
        if (def && !out.has(p)) out.set(p, this.text(def.name));
        continue;
      }
      for (const [name, def] of this.byName) {
        // Hidden (debugging) directives answer only to their exact name.
        if (def.hidden || out.has(name)) continue;
        if (globMatch(lp, name, true)) out.set(name, this.text(def.name));
      }
    }
    return [...out];
  }

  /**
   * Lines for CONFIG REWRITE: every directive whose value differs from the default (or that
   * Redis always writes), or with `all` every directive (for those already in the file, which
   * Redis keeps even at their default).
   */
  rewriteLines(all = false): Map<string, string[]> {
    const lines = new Map<string, string[]>();
    for (const def of CONFIG_DEFS) {
      const v = this.values.get(def.name)!;
      const text = this.text(def.name);
      const defText = formatValue(def, def.default);
      if (text === defText && !all && !def.alwaysRewrite) continue;
      if (def.rewrite) {
        const l = def.rewrite(v);
        if (l.length > 0) lines.set(def.name, l);
      } else if (def.kind === 'flags') {
        lines.set(def.name, [`${def.name} ${text}`]);
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

/** CONFIG SET of a DENY_LOADING directive while a dataset loads (replied as -LOADING). */
export class ConfigLoadingError extends Error {
  constructor() {
    super('LOADING Redis is loading the dataset in memory');
  }
}

/** Quotes a value for redis.conf when it is empty or holds spaces/quotes. */
export function quoteIfNeeded(s: string): string {
  if (s !== '' && /^[^\s"'\\]+$/.test(s)) return s;
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
}
