/**
 * Scripts on reddish's own Lua engine (lua/engine.ts): each script is compiled to JavaScript
 * once and runs on the server thread, with Redis 7.0's environments:
 *
 *   EVAL      globals: base libraries, `redis` (lib-redis.ts), math.random on redisLrand48,
 *             7.0's pcall, KEYS/ARGV per run
 *   FUNCTION  a second engine (7.0 keeps a second Lua state): libraries compile against an
 *             empty read-only environment whose __index is the load API (register_function,
 *             log, version) while FUNCTION LOAD runs the body, and the engine's globals after
 *
 * A failing script gets the reply 7.0's error handler builds: the error table's err (or "ERR "
 * and the value) and " script: <name>, on @<chunk>:<line>." with the line of the innermost Lua
 * function at the raise. busy-reply-threshold, SCRIPT KILL and FUNCTION KILL work through the
 * engine's hook, which runs every thousand loop iterations or calls.
 */
import { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine, ScriptAbort, argsTable } from './lua/engine.js';
import { LuaTable } from './lua/table.js';
import { LibError, LuaError, LuaUserdata, type LuaFunction, type LuaValue } from './lua/types.js';
import { index } from './lua/meta.js';
import { numberToString } from './lua/number.js';
import { functionRedisLibrary, loadRedisLibrary, mathOverrides, redisLibrary, redisPcall, type RedisLibHost, type RegisteredFunction } from './lua/lib-redis.js';
import type { ScriptRunner } from './runner.js';
import type { BusyScript } from './busy.js';
import { FLAG_NAMES } from './flags.js';
import type { LdbEngine, LdbSession } from './ldb/session.js';
import { R } from './lua/runtime.js';

/** Where an error was raised: the innermost Lua frame it left (the engine stamps it). */
interface Position {
  chunk: string;
  line: number;
}

type Stamped = Error & { position?: Position };

/** A script's end: its value, or the error reply 7.0 sends (already worded). */
export type CompiledOutcome =
  | { failed: false; value: LuaValue }
  | {
      failed: true;
      message: string;
      /** The error came from a command inside the script and was counted in errorstats then. */
      counted: boolean;
    };

/** tostring() of an error value that is not a table (the handler's 'ERR ' .. tostring(err)). */
function errString(v: LuaValue): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numberToString(v);
    case 'undefined':
      return 'nil';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'function':
      return 'function';
    default:
      return v instanceof LuaUserdata ? 'userdata' : 'table';
  }
}

/** Thrown by the hook when a library body runs past FUNCTION LOAD's time limit. */
class LoadTimeout extends ScriptAbort {}

export const LOAD_TIMEOUT_MS = 500;

/** The libraries Redis 7.0 gives scripts besides the base functions. */
const LIBRARY_NAMES = ['string', 'table', 'math', 'cjson', 'cmsgpack', 'struct', 'bit'];
const POLL_MS = 10;

/** What FUNCTION LOAD got from a library body. */
export type LoadOutcome = { ok: true; functions: RegisteredFunction[] } | { ok: false; error: string };

export class CompiledVm {
  private evalEngine!: LuaEngine;
  private fnEngine!: LuaEngine;
  /** Redis's own Lua (wasm), asked only for the syntax verdict of a text once per compile. */
  private oracle: LuaWasmEngine | null = null;
  /** The environment FUNCTION libraries compile against, and its metatable's switchable __index. */
  private libEnv!: LuaTable;
  private libEnvMeta!: LuaTable;
  private loadApi!: LuaTable;
  /** Functions the library being loaded registered so far (null outside FUNCTION LOAD). */
  private loading: RegisteredFunction[] | null = null;
  private loadError: ((f: RegisteredFunction) => string | null) | null = null;
  /** Busy watch of the running script. */
  private startedAt = 0;
  private timedOut = false;
  private lastPoll = 0;
  private loadDeadline = 0;
  readonly host: RedisLibHost;

  constructor(
    private readonly runner: ScriptRunner,
    private readonly busy: BusyScript,
  ) {
    const r = runner;
    this.host = {
      failed: false,
      running: () => r.running,
      call(argv) {
        const v = r.call2Lua(argv);
        this.failed = r.failed;
        return v;
      },
      verbosity: () => r.verbosity(),
      log: (level, text) => r.logText(level, text),
      setResp: (v) => r.setResp(v),
      setRepl: (flags) => r.setRepl(flags),
      aclCheck: (argv) => r.aclCheck(argv),
      random: () => r.random(),
      seed: (n) => r.seed(n),
      breakpoint: () => this.ldb?.breakpoint() ?? false,
      debug: (args) => this.ldb?.debug(args),
      logError: (text) => this.ldb?.logError(text),
    };
  }

  /** Creates the syntax oracle and both engines (before the server takes commands). */
  async start(): Promise<void> {
    this.oracle = await LuaWasmEngine.create({
      profile: 'redis-7.0',
      limits: { maxFuel: 1000 },
      host: { redisCall: () => null, redisPcall: () => null, log() {} },
    } as Parameters<typeof LuaWasmEngine.create>[0]);
    const syntaxCheck = (source: string, chunkName: string): string | null => this.syntaxError(source, chunkName);
    this.evalEngine = new LuaEngine({ globals: [['redis', readonlyTable(redisLibrary(this.host))]], syntaxCheck });
    this.redisEnvironment(this.evalEngine);
    this.fnEngine = new LuaEngine({ globals: [['redis', readonlyTable(functionRedisLibrary(this.host))]], syntaxCheck });
    this.redisEnvironment(this.fnEngine);
    // 7.0's function engine keeps its error handler in the registry, not in the globals.
    // KEYS and ARGV are not globals there either: functions get them as arguments.
    withWritable(this.fnEngine.globals, (g) => {
      g.setStr('__redis__err__handler', undefined);
      g.setStr('KEYS', undefined);
      g.setStr('ARGV', undefined);
    });
    this.buildLibraryEnvironment();
    const hook = (): void => this.hook();
    this.evalEngine.setHook(hook);
    this.fnEngine.setHook(hook);
  }

  get ready(): boolean {
    return this.oracle !== null;
  }

  /** What luaRegisterRedisAPI changes in the libraries: math.random/randomseed and the global pcall. */
  private redisEnvironment(engine: LuaEngine): void {
    const g = engine.globals;
    const math = g.getStr('math');
    if (math instanceof LuaTable) {
      const m = mathOverrides(this.host);
      withWritable(math, (t) => {
        t.setStr('random', m.random);
        t.setStr('randomseed', m.randomseed);
      });
    }
    const pcall = g.getStr('pcall');
    if (typeof pcall === 'function') withWritable(g, (t) => t.setStr('pcall', redisPcall(pcall)));
  }

  private buildLibraryEnvironment(): void {
    const missing = (_t?: LuaValue, k?: LuaValue): LuaValue[] => {
      throw new LibError(`Script attempted to access nonexistent global variable '${errString(k)}'`);
    };
    const errorMeta = (): LuaTable => {
      const mt = new LuaTable(0, 1);
      mt.setStr('__index', missing);
      mt.readonly = true;
      return mt;
    };
    const knownFlag = (name: string): boolean => FLAG_NAMES.some(([n]) => n === name);
    const api = readonlyTable(
      loadRedisLibrary(this.host, knownFlag, (f) => {
        if (this.loading === null) return 'redis.register_function can only be called on FUNCTION LOAD command';
        const err = this.loadError?.(f) ?? null;
        if (err !== null) return err;
        this.loading.push(f);
        return null;
      }),
    );
    api.metatable = errorMeta();
    const loadApi = new LuaTable(0, 1);
    loadApi.setStr('redis', api);
    loadApi.metatable = errorMeta();
    loadApi.readonly = true;
    this.loadApi = loadApi;
    const mt = new LuaTable(0, 1);
    mt.setStr('__index', this.fnEngine.globals);
    mt.readonly = true;
    const env = new LuaTable();
    env.metatable = mt;
    env.readonly = true;
    this.libEnv = env;
    this.libEnvMeta = mt;
  }

  /**
   * Whether the text names a library of Redis's Lua that this engine does not have yet (the
   * library modules land one by one): such a script runs on the wasm VM, which has them all.
   */
  private lacksLibrary(engine: LuaEngine, text: string): string | null {
    for (const name of LIBRARY_NAMES) {
      if (engine.globals.getStr(name) === undefined && new RegExp(`\\b${name}\\b`).test(text)) return name;
    }
    return null;
  }

  /** Lua's own compile error for a text ("user_script:1: ..."), or null. */
  private syntaxError(source: string, chunkName: string): string | null {
    const r = this.oracle!.evalWithArgs(
      "local f, e = loadstring(ARGV[1], ARGV[2]) if f then return false end return e",
      [],
      [Buffer.from(source, 'latin1'), Buffer.from(chunkName, 'latin1')],
    );
    return Buffer.isBuffer(r) ? r.latin1Slice(0, r.length) : null;
  }

  /** An EVAL body (shebang line blanked): the chunk, Lua's error, or null for the wasm fallback. */
  compileEval(text: string): { chunk: LuaFunction } | { error: string } | null {
    const missing = this.lacksLibrary(this.evalEngine, text);
    if (missing !== null) {
      const error = this.syntaxError(text, '@user_script');
      if (error === null) this.fallbackWhy = `uses ${missing}`;
      return error === null ? null : { error };
    }
    const r = this.evalEngine.compile(text, '@user_script');
    if (r.ok) return { chunk: r.chunk };
    if ('error' in r) return { error: r.error };
    this.fallbackWhy = r.why;
    return null;
  }

  /** Why the last script compileEval or loadLibrary answered null for goes to the wasm VM. */
  fallbackWhy = '';

  // ── the Lua debugger (ldb/session.ts) ────────────────────────────────────────────────────

  /** The debugging session running now (redis.breakpoint and redis.debug talk to it). */
  ldb: LdbSession | null = null;

  /** An EVAL body compiled for a debugging session (never cached: normal runs keep their code). */
  compileEvalDebug(text: string, session: LdbSession): { chunk: LuaFunction } | { error: string } | null {
    const missing = this.lacksLibrary(this.evalEngine, text);
    if (missing !== null) {
      this.fallbackWhy = `uses ${missing}`;
      return null;
    }
    const r = this.evalEngine.compile(text, '@user_script', undefined, session.rt);
    if (r.ok) return { chunk: r.chunk };
    if ('error' in r) return { error: r.error };
    this.fallbackWhy = r.why;
    return null;
  }

  /** Runs a debug-compiled EVAL: the session's hook replaces the busy-script one meanwhile. */
  runEvalDebug(chunk: LuaFunction, keys: string[], argv: string[], name: string, session: LdbSession): CompiledOutcome {
    this.beginRun();
    this.ldb = session;
    this.evalEngine.setHook(() => session.tick());
    try {
      const out = this.evalEngine.run(chunk, keys, argv);
      return { failed: false, value: out[0] };
    } catch (e) {
      return failure(e, name);
    } finally {
      this.ldb = null;
      this.evalEngine.setHook(() => this.hook());
    }
  }

  /** What the debugger's commands run in the EVAL engine. */
  ldbEngine(): LdbEngine {
    const engine = this.evalEngine;
    return {
      evalChunk: (code) => {
        let r = engine.compile('return ' + code, '@ldb_eval');
        if (!r.ok) r = engine.compile(code, '@ldb_eval');
        if (!r.ok) return { error: 'error' in r ? r.error : `this code cannot run in the debugger (${r.why})` };
        try {
          return { value: engine.call(r.chunk, [])[0] };
        } catch (e) {
          if (!(e instanceof LuaError)) throw e;
          const v = e.value;
          if (v instanceof LuaTable) {
            const err = index(v, 'err');
            return { error: typeof err === 'string' ? err : '(error object is a table value)' };
          }
          return { error: errString(v) };
        }
      },
      redisCall: (args) => {
        const redis = engine.globals.getStr('redis');
        const call = redis instanceof LuaTable ? redis.getStr('call') : undefined;
        if (typeof call !== 'function') return;
        try {
          engine.call(call, args);
        } catch (e) {
          if (!(e instanceof LuaError)) throw e;
        }
      },
      global: (name) => (name === 'KEYS' ? R.KEYS : R.ARGV),
      timeLimitMs: () => this.busy.thresholdMs(),
    };
  }

  runEval(chunk: LuaFunction, keys: string[], argv: string[], name: string): CompiledOutcome {
    this.beginRun();
    try {
      const out = this.evalEngine.run(chunk, keys, argv);
      return { failed: false, value: out[0] };
    } catch (e) {
      return failure(e, name);
    }
  }

  /**
   * FUNCTION LOAD of a library body (the code after the shebang line, which keeps its line 1):
   * the functions it registered, Lua's message, or null for the wasm fallback. `check` vets each
   * registration (names, duplicates) as functionLibCreateFunction does.
   */
  loadLibrary(body: string, check: (f: RegisteredFunction) => string | null): LoadOutcome | null {
    const missing = this.lacksLibrary(this.fnEngine, body);
    if (missing !== null) {
      const error = this.syntaxError(body, '@user_function');
      if (error === null) this.fallbackWhy = `uses ${missing}`;
      return error === null ? null : { ok: false, error: `Error compiling function: ${error}` };
    }
    const r = this.fnEngine.compile(body, '@user_function', this.libEnv);
    if (!r.ok) {
      if ('error' in r) return { ok: false, error: `Error compiling function: ${r.error}` };
      this.fallbackWhy = r.why;
      return null;
    }
    const registered: RegisteredFunction[] = [];
    this.loading = registered;
    this.loadError = check;
    this.setLibraryIndex(this.loadApi);
    this.loadDeadline = Date.now() + LOAD_TIMEOUT_MS;
    this.beginRun();
    try {
      this.fnEngine.call(r.chunk, []);
    } catch (e) {
      if (e instanceof LoadTimeout) return { ok: false, error: 'Error registering functions: ERR FUNCTION LOAD timeout' };
      if (e instanceof ScriptAbort) return { ok: false, error: 'Error registering functions: ERR Script killed' };
      return { ok: false, error: `Error registering functions: ${errorMessage(e)}` };
    } finally {
      this.loading = null;
      this.loadError = null;
      this.loadDeadline = 0;
      this.setLibraryIndex(this.fnEngine.globals);
    }
    return { ok: true, functions: registered };
  }

  /** FCALL: the registered callback with (KEYS, ARGV) tables. */
  runFunction(fn: LuaFunction, keys: string[], argv: string[], name: string): CompiledOutcome {
    this.beginRun();
    try {
      const out = this.fnEngine.call(fn, [argsTable(keys), argsTable(argv)]);
      return { failed: false, value: out[0] };
    } catch (e) {
      return failure(e, name);
    }
  }

  private setLibraryIndex(to: LuaTable): void {
    withWritable(this.libEnvMeta, (mt) => mt.setStr('__index', to));
  }

  private beginRun(): void {
    // Read lazily by the hook: most runs end before it ever fires.
    this.startedAt = 0;
    this.timedOut = false;
  }

  /** The engine's periodic check: load time limit, busy mode, kills. */
  private hook(): void {
    const now = Date.now();
    if (this.loadDeadline !== 0) {
      if (now > this.loadDeadline) throw new LoadTimeout();
      return;
    }
    const busy = this.busy;
    if (this.startedAt === 0) this.startedAt = busy.current?.startedAt ?? now;
    if (!this.timedOut) {
      const threshold = busy.thresholdMs();
      if (threshold <= 0 || now - this.startedAt < threshold) return;
      this.timedOut = true;
      busy.timedOut(Math.floor(now - this.startedAt));
    } else if (now - this.lastPoll < POLL_MS) return;
    this.lastPoll = now;
    busy.poll();
    if (busy.killRequested()) throw new ScriptAbort();
  }

  /** An estimate of the Lua heap (INFO used_memory_lua): a fresh 7.0 VM reports about 31 KB. */
  heapBytes(): number {
    return 31 * 1024;
  }
}

/** The handler's message of a failed run (see the module comment). */
function failure(e: unknown, name: string): CompiledOutcome {
  if (e instanceof ScriptAbort) return { failed: true, message: 'ERR Script killed by user with SCRIPT KILL...', counted: false };
  if (!(e instanceof LuaError)) throw e;
  const v = e.value;
  let message: string;
  let counted = false;
  if (v instanceof LuaTable) {
    const err = index(v, 'err');
    message = typeof err === 'string' ? err : typeof err === 'number' ? numberToString(err) : 'ERR the script raised a table without an err field';
    counted = index(v, 'ignore_error_stats_update') === true;
  } else message = 'ERR ' + errString(v);
  const pos = (e as Stamped).position;
  if (pos !== undefined) message += ` script: ${name}, on ${sourceOf(pos.chunk)}:${pos.line}.`;
  return { failed: true, message, counted };
}

/**
 * debug.getinfo's source from the chunk id in messages: '@user_script' for scripts, and the text
 * itself for a loadstring chunk (its id quotes it).
 */
function sourceOf(chunk: string): string {
  const quoted = /^\[string "(.*)"\]$/s.exec(chunk);
  if (quoted) return quoted[1];
  return '@' + chunk;
}

/** luaExtractErrorInformation's msg for FUNCTION LOAD: err of a table, or "ERR " and the text. */
function errorMessage(e: unknown): string {
  if (!(e instanceof LuaError)) throw e;
  const v = e.value;
  if (v instanceof LuaTable) {
    const err = index(v, 'err');
    return typeof err === 'string' ? err : errString(err);
  }
  return 'ERR ' + errString(v);
}

/** A table filled one field at a time from empty, as 7.0 builds `redis` (its pairs() order follows). */
function readonlyTable(entries: Array<[string, LuaValue]>): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of entries) t.setStr(k, v);
  t.readonly = true;
  return t;
}

function withWritable(t: LuaTable, fn: (t: LuaTable) => void): void {
  const was = t.readonly;
  t.readonly = false;
  try {
    fn(t);
  } finally {
    t.readonly = was;
  }
}

