/**
 * FUNCTION libraries (7.0): Lua code that registers named functions, kept as data — saved in
 * RDB files, replicated, dumped and restored — and called with FCALL.
 *
 *   FUNCTION LOAD code ─▶ metadata (#!lua name=lib) ─▶ compile ─▶ run the body once with
 *   redis.register_function collecting names and flags ─▶ library linked (names unique)
 *
 * The VM keeps no compiled state between runs, so FCALL runs the library body again with
 * register_function storing the callbacks in a local table, then calls the one asked for.
 * The body sits on the shebang's line-1 slot, so line numbers in errors are the user's.
 */
import type { ReplyValue } from 'lua-redis-wasm';
import { FLAG_NAMES } from './flags.js';
import { HOST_PREFIX, type ScriptVm, type VmHost } from './lua-vm.js';
import { globMatch } from '../store/glob.js';
import type { CompiledVm } from './compiled-vm.js';
import type { ThreadedVm } from './vm-thread.js';
import type { LuaFunction } from './lua/types.js';

export interface LibraryFunction {
  name: string;
  description: string | null;
  flags: number;
  /** The compiled callback (reddish's engine), or null for a library on the wasm fallback. */
  callback: LuaFunction | null;
  /** The wasm chunk FCALL runs for this function (fallback libraries only). */
  chunk: Buffer | null;
}

export interface Library {
  name: string;
  engine: 'LUA';
  code: string;
  functions: LibraryFunction[];
}

/** Bytes of the `#!lua name=...` line, and the library's name. */
interface Metadata {
  name: string;
  engine: string;
  shebangLength: number;
}

/** Splits a shebang line into words with quoting as Redis's sdssplitargs ("..." with escapes, '...'); null if unbalanced. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let cur = '';
    let quote: '"' | "'" | null = null;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (quote === '"') {
        if (ch === '\\' && i + 1 < line.length) cur += line[++i];
        else if (ch === '"') {
          quote = null;
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
        } else cur += ch;
      } else if (quote === "'") {
        if (ch === "'") {
          quote = null;
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
        } else cur += ch;
      } else if (/\s/.test(ch)) break;
      else if (ch === '"' || ch === "'") quote = ch;
      else cur += ch;
    }
    if (quote !== null) return null;
    out.push(cur);
  }
  return out;
}

export function parseMetadata(code: string): Metadata | string {
  if (!code.startsWith('#!')) return 'Missing library metadata';
  const end = code.indexOf('\n');
  if (end < 0) return 'Invalid library metadata';
  const parts = splitArgs(code.slice(0, end));
  if (parts === null || parts.length === 0) return 'Invalid library metadata';
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === null) return 'Library name was not given';
  return { name, engine, shebangLength: end };
}

/** create()'s answer when a library needs the wasm VM and its thread is still starting. */
export const FALLBACK_PENDING = '\0fallback-pending';

/** The failure a load run ends with when it passes LoadHost.timeoutMs. */
export const LOAD_TIMEOUT = 'ERR FUNCTION LOAD timeout';

const VALID_NAME = /^[A-Za-z0-9_]+$/;
const NAME_RULE = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** Lua that replaces the shebang line: the library API scripts see while loading or being called. */
function prelude(mode: 'load' | 'call'): string {
  const fail = `__r.call('${HOST_PREFIX}fail', `;
  const register =
    `function(...) local n = select('#', ...) ` +
    `if n < 1 or n > 2 then ${fail}'wrong number of arguments to redis.register_function') end ` +
    `local name, cb, desc, flags = nil, nil, nil, {} ` +
    `if n == 1 then local t = ... ` +
    `if type(t) ~= 'table' then ${fail}'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).') end ` +
    `for k, v in pairs(t) do ` +
    `if type(k) ~= 'string' and type(k) ~= 'number' then ${fail}'named argument key given to redis.register_function is not a string') end ` +
    `local lk = string.lower(k) ` +
    `if lk == 'function_name' then if type(v) ~= 'string' and type(v) ~= 'number' then ${fail}'function_name argument given to redis.register_function must be a string') end name = v ` +
    `elseif lk == 'description' then if type(v) ~= 'string' and type(v) ~= 'number' then ${fail}'description argument given to redis.register_function must be a string') end desc = v ` +
    `elseif lk == 'callback' then if type(v) ~= 'function' then ${fail}'callback argument given to redis.register_function must be a function') end cb = v ` +
    `elseif lk == 'flags' then if type(v) ~= 'table' then ${fail}'flags argument to redis.register_function must be a table representing function flags') end flags = v ` +
    `else ${fail}'unknown argument given to redis.register_function') end end ` +
    `if name == nil then ${fail}'redis.register_function must get a function name argument') end ` +
    `if cb == nil then ${fail}'redis.register_function must get a callback argument') end ` +
    `else local a, b = ... ` +
    `if type(a) ~= 'string' and type(a) ~= 'number' then ${fail}'first argument to redis.register_function must be a string') end ` +
    `if type(b) ~= 'function' then ${fail}'second argument to redis.register_function must be a function') end ` +
    `name, cb = a, b end ` +
    `local fl = {} local i = 1 while flags[i] ~= nil do local f = flags[i] if type(f) ~= 'string' and type(f) ~= 'number' then ${fail}'unknown flag given') end fl[i] = f i = i + 1 end ` +
    (mode === 'load'
      ? `__r.call('${HOST_PREFIX}register', name, desc == nil and '' or desc, desc == nil and '0' or '1', unpack(fl)) `
      : `__fns[name] = cb `) +
    `end`;
  // While loading, only the library API is reachable through `redis`; FCALL sees the usual redis table.
  const api =
    mode === 'load'
      ? `setmetatable({register_function = ${register}, log = __r.log, setresp = __r.setresp, LOG_DEBUG = __r.LOG_DEBUG, LOG_VERBOSE = __r.LOG_VERBOSE, LOG_NOTICE = __r.LOG_NOTICE, LOG_WARNING = __r.LOG_WARNING, REDIS_VERSION = __r.REDIS_VERSION, REDIS_VERSION_NUM = __r.REDIS_VERSION_NUM}, ` +
        `{__index = function(_, k) ${fail}"user_function:1: Script attempted to access nonexistent global variable '" .. tostring(k) .. "'") end})`
      : `setmetatable({register_function = ${register}}, {__index = __r})`;
  return `local __r = redis local __fns = {} local redis = ${api} `;
}

function bodyAfterShebang(code: string, shebangLength: number): string {
  return code.slice(shebangLength);
}

export function loadChunk(code: string, meta: Metadata): Buffer {
  return Buffer.from(prelude('load') + bodyAfterShebang(code, meta.shebangLength), 'latin1');
}

export function callChunk(code: string, meta: Metadata, fname: string): Buffer {
  const quoted = JSON.stringify(fname).replace(/[\u0080-\u00ff]/g, (ch) => '\\' + ch.charCodeAt(0));
  return Buffer.from(`${prelude('call')}${bodyAfterShebang(code, meta.shebangLength)}\nredis.register_function = nil return ((__fns[${quoted}])(KEYS, ARGV))`, 'latin1');
}

/** Collects what a library registers while its body runs (the VM host during FUNCTION LOAD). */
class LoadHost implements VmHost {
  /** 7.0 stops a library body that runs longer than this while loading. */
  readonly timeoutMs = 500;
  readonly registered: { name: string; description: string | null; flags: number }[] = [];
  error: string | null = null;

  call(args: Buffer[]): ReplyValue {
    const argv = args.map((a) => a.latin1Slice(0, a.length));
    if (argv[0] === `${HOST_PREFIX}fail`) return { err: Buffer.from(argv[1] ?? 'ERR', 'latin1') };
    if (argv[0] !== `${HOST_PREFIX}register`) return { err: Buffer.from('redis.call is not allowed while loading a library', 'latin1') };
    const [, name, desc, hasDesc, ...flagNames] = argv;
    let flags = 0;
    for (const f of flagNames) {
      const known = FLAG_NAMES.find(([n]) => n === f.toLowerCase());
      if (!known) return { err: Buffer.from('unknown flag given', 'latin1') };
      flags |= known[1];
    }
    if (!VALID_NAME.test(name)) return { err: Buffer.from(NAME_RULE, 'latin1') };
    if (this.registered.some((r) => r.name.toLowerCase() === name.toLowerCase())) return { err: Buffer.from('Function already exists in the library', 'latin1') };
    this.registered.push({ name, description: hasDesc === '1' ? desc : null, flags });
    return { ok: Buffer.from('OK') };
  }

  log(): void {}
  setResp(): void {}
}

export class FunctionRegistry {
  readonly libraries = new Map<string, Library>();
  /** By lowercased name: FCALL finds functions case-insensitively, as 7.0. */
  readonly functions = new Map<string, { library: Library; fn: LibraryFunction }>();

  find(name: string): { library: Library; fn: LibraryFunction } | undefined {
    return this.functions.get(name.toLowerCase());
  }

  constructor(
    private readonly vm: ScriptVm,
    private readonly compiled: CompiledVm,
    private readonly thread: ThreadedVm,
  ) {}

  /** Compiles and registers a library; returns it, or the error text (without "ERR "). */
  create(code: string, replace: boolean): Library | string {
    const meta = parseMetadata(code);
    if (typeof meta === 'string') return meta;
    if (!VALID_NAME.test(meta.name)) return NAME_RULE;
    if (meta.engine.toLowerCase() !== 'lua') return `Engine '${meta.engine}' not found`;
    const old = this.libraries.get(meta.name);
    if (old && !replace) return `Library '${meta.name}' already exists`;
    const compiled = this.createCompiled(code, meta, old);
    if (compiled !== null) return compiled;
    // Left to the wasm VM: its thread starts on first need; the command waits for it.
    if (!this.thread.threadReady) {
      this.thread.startLazily();
      return FALLBACK_PENDING;
    }
    const body = Buffer.from(' '.repeat(meta.shebangLength) + bodyAfterShebang(code, meta.shebangLength), 'latin1');
    const compileError = this.vm.compileError(body, 0);
    if (compileError !== null) return `Error compiling function: ${compileError.replace(/user_script:/g, 'user_function:')}`;
    const host = new LoadHost();
    const result = this.vm.run(loadChunk(code, meta), [], [], host);
    if (result.failed) {
      if (result.message === LOAD_TIMEOUT) return 'FUNCTION LOAD timeout';
      return `Error registering functions: ${result.message.replace(/user_script:/g, 'user_function:')}`;
    }
    return this.install(code, meta, old, host.registered.map((r) => ({ ...r, callback: null, chunk: callChunk(code, meta, r.name) })));
  }

  /** Replaces `old` by the library of `functions`, unless one of them belongs to another library. */
  private install(code: string, meta: Metadata, old: Library | undefined, functions: LibraryFunction[]): Library | string {
    if (functions.length === 0) return 'No functions registered';
    for (const r of functions) {
      const holder = this.functions.get(r.name.toLowerCase());
      if (holder && holder.library.name !== meta.name) return `Function ${r.name} already exists`;
    }
    if (old) this.unlink(old);
    const library: Library = { name: meta.name, engine: 'LUA', code, functions };
    this.link(library);
    return library;
  }

  /** FUNCTION LOAD on the compiled engine; null when the library needs the wasm fallback. */
  private createCompiled(code: string, meta: Metadata, old: Library | undefined): Library | string | null {
    const seen = new Set<string>();
    const loaded = this.compiled.loadLibrary(code.slice(meta.shebangLength), (f) => {
      if (!VALID_NAME.test(f.name)) return NAME_RULE;
      const key = f.name;
      if (seen.has(key)) return 'Function already exists in the library';
      seen.add(key);
      return null;
    });
    if (loaded === null) return null;
    if (!loaded.ok) return loaded.error;
    return this.install(
      code,
      meta,
      old,
      loaded.functions.map((f) => {
        let flags = 0;
        for (const name of f.flags) flags |= FLAG_NAMES.find(([n]) => n === name)![1];
        return { name: f.name, description: f.description, flags, callback: f.callback, chunk: null };
      }),
    );
  }

  /**
   * Adds libraries loaded elsewhere (FUNCTION RESTORE's staging registry): with `replace`,
   * same-named libraries give way; any remaining name collision refuses the whole set.
   */
  join(from: FunctionRegistry, replace: boolean): string | null {
    const displaced: Library[] = [];
    for (const lib of from.libraries.values()) {
      const old = this.libraries.get(lib.name);
      if (!old) continue;
      if (!replace) return `Library ${lib.name} already exists`;
      displaced.push(old);
    }
    for (const old of displaced) this.unlink(old);
    for (const name of from.functions.keys()) {
      if (this.functions.has(name)) {
        for (const old of displaced) this.link(old);
        return `Function ${name} already exists`;
      }
    }
    for (const lib of from.libraries.values()) this.link(lib);
    return null;
  }

  /** An empty registry over the same VM (to stage libraries before they are joined). */
  staging(): FunctionRegistry {
    return new FunctionRegistry(this.vm, this.compiled, this.thread);
  }

  private link(lib: Library): void {
    this.libraries.set(lib.name, lib);
    for (const fn of lib.functions) this.functions.set(fn.name.toLowerCase(), { library: lib, fn });
  }

  private unlink(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const fn of lib.functions) this.functions.delete(fn.name.toLowerCase());
  }

  delete(name: string): boolean {
    const lib = this.libraries.get(name);
    if (!lib) return false;
    this.unlink(lib);
    return true;
  }

  flush(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  /** Libraries whose name matches a glob (FUNCTION LIST LIBRARYNAME), case-insensitively as 7.0. */
  list(pattern: string | null): Library[] {
    const all = [...this.libraries.values()];
    return pattern === null ? all : all.filter((l) => globMatch(pattern, l.name, true));
  }

  /** Library codes in the order they would be saved (RDB, FUNCTION DUMP). */
  codes(): string[] {
    return [...this.libraries.values()].map((l) => l.code);
  }

  /** Memory held by libraries' code and metadata (INFO used_memory_functions). */
  bytes(): number {
    let n = 0;
    for (const l of this.libraries.values()) {
      n += l.code.length + l.name.length + 64;
      for (const f of l.functions) n += f.name.length + (f.description?.length ?? 0) + 48;
    }
    return n;
  }
}
