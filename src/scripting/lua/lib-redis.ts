/**
 * The `redis` table of Redis 7.0 for the compiled engine (script_lua.c, eval.c, function_lua.c),
 * as native functions over a host that runs the commands. Field order is the order 7.0 sets
 * them, which is what pairs() over `redis` follows:
 *
 *   call pcall log LOG_* REDIS_VERSION_NUM REDIS_VERSION setresp sha1hex error_reply
 *   status_reply set_repl REPL_* acl_check_cmd   (+ breakpoint debug replicate_commands for EVAL)
 *
 * Errors these functions raise are error tables ({err = "ERR ..."}), as luaPushError + lua_error
 * raise them in 7.0: no position is added, and pcall hands the text back.
 */
import { createHash } from 'node:crypto';
import { REDIS_VERSION } from '../../version.js';
import { errorTable, luaArgsToArgv } from './convert.js';
import { index } from './meta.js';
import { numberToString, stringToNumber } from './number.js';
import { LuaTable } from './table.js';
import { ArgError, LibError, LuaError, typeError, type LuaFunction, type LuaValue } from './types.js';

/** What the redis functions need of the server while (or outside) a script runs. */
export interface RedisLibHost {
  /** Whether a script invocation is running (7.0's run context): redis.call outside one fails. */
  running(): boolean;
  /**
   * Runs a command of the script: the reply as a Lua value (convert.ts respToLua), an error
   * reply or a refusal as an error table; sets `failed` when it was an error.
   */
  call(argv: string[]): LuaValue;
  failed: boolean;
  /** server.verbosity as 7.0's levels (0 debug .. 3 warning). */
  verbosity(): number;
  log(level: number, text: string): void;
  setResp(version: 2 | 3): void;
  setRepl(flags: number): void;
  /** Whether the caller's user may run argv; undefined when there is no such command. */
  aclCheck(argv: string[]): boolean | undefined;
  /** redisLrand48() % REDIS_LRAND48_MAX */
  random(): number;
  seed(n: number): void;
  /** redis.breakpoint(): true when a debugging session will stop at the next line (eval.c). */
  breakpoint?(): boolean;
  /** redis.debug(...): a log line in the debugging session, if one runs. */
  debug?(args: LuaValue[]): void;
  /** An error redis.call/pcall raises itself (a debugging session logs it while stepping). */
  logError?(text: string): void;
}

/** 7.0's REDIS_LRAND48_MAX (INT32_MAX). */
const LRAND48_MAX = 2147483647;

function versionNum(v: string): number {
  const [a, b, c] = v.split('.').map(Number);
  return (a << 16) | (b << 8) | c;
}

/** luaPushError + luaError: raise {err = 'ERR <msg>'}. */
function raise(msg: string): never {
  throw new LuaError(errorTable(msg, false));
}

/** lua_isnumber: numbers and strings that read as numbers. */
function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

/** (int) of lua_tonumber: non-numbers are 0; the C cast truncates (through lua_Integer) to 32 bits. */
function toCInt(v: LuaValue): number {
  const n = toNumber(v);
  if (n === undefined || !Number.isFinite(n)) return n === undefined || Number.isNaN(n) ? 0 : -2147483648;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(n))));
}

/** luaL_checkint: a number (or numeric string) as a C int, else "number expected, got <type>". */
function checkInt(args: LuaValue[], i: number): number {
  const n = toNumber(args[i]);
  if (n === undefined) throw typeError(i + 1, 'number', args[i], i < args.length);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 0 : -2147483648;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(n))));
}

/** lua_tolstring: strings as they are, numbers as tostring prints them, others null. */
function toStr(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

const NONE: LuaValue[] = [];

/** redis.call / redis.pcall (raise: call). */
function genericCall(host: RedisLibHost, args: LuaValue[], raiseError: boolean): LuaValue[] {
  if (!host.running()) raise('redis.call/pcall can only be called inside a script invocation');
  const argv = luaArgsToArgv(args);
  if (typeof argv === 'string') {
    host.logError?.(argv);
    const t = errorTable(argv, false);
    if (raiseError) throw new LuaError(t);
    return [t];
  }
  const v = host.call(argv);
  if (raiseError && host.failed) throw new LuaError(v);
  return [v];
}

/** The functions of `redis` both EVAL and FCALL see, in 7.0's order (luaRegisterRedisAPI). */
function commonEntries(host: RedisLibHost): Array<[string, LuaValue]> {
  const call: LuaFunction = (...args) => genericCall(host, args, true);
  const pcall: LuaFunction = (...args) => genericCall(host, args, false);
  return [
    ['call', call],
    ['pcall', pcall],
    ...logEntries(host),
    ...versionEntries(),
    [
      'setresp',
      (...args) => {
        if (!host.running()) raise('redis.setresp can only be called inside a script invocation');
        if (args.length !== 1) raise('redis.setresp() requires one argument.');
        const v = toCInt(args[0]);
        if (v !== 2 && v !== 3) raise('RESP version must be 2 or 3.');
        host.setResp(v);
        return NONE;
      },
    ],
    [
      'sha1hex',
      (...args) => {
        if (args.length !== 1) raise('wrong number of arguments');
        return [sha1hex(toStr(args[0]) ?? '')];
      },
    ],
    [
      'error_reply',
      (...args) => {
        const m = args[0];
        if (args.length !== 1 || typeof m !== 'string') return [errorTable('wrong number or type of arguments', false)];
        // lua_tostring is read as a C string: the text ends at a NUL.
        const nul = m.indexOf('\0');
        const text = nul < 0 ? m : m.slice(0, nul);
        return [errorTable(text.charCodeAt(0) === 0x2d ? text : '-' + text, false)];
      },
    ],
    [
      'status_reply',
      (...args) => {
        const m = args[0];
        if (args.length !== 1 || typeof m !== 'string') return [errorTable('wrong number or type of arguments', false)];
        const t = new LuaTable();
        t.setStr('ok', m);
        return [t];
      },
    ],
    [
      'set_repl',
      (...args) => {
        if (!host.running()) raise('redis.set_repl can only be called inside a script invocation');
        if (args.length !== 1) raise('redis.set_repl() requires two arguments.');
        const flags = toCInt(args[0]);
        if ((flags & ~3) !== 0) raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
        host.setRepl(flags);
        return NONE;
      },
    ],
    ['REPL_NONE', 0],
    ['REPL_AOF', 1],
    ['REPL_SLAVE', 2],
    ['REPL_REPLICA', 2],
    ['REPL_ALL', 3],
    [
      'acl_check_cmd',
      (...args) => {
        if (!host.running()) raise('redis.acl_check_cmd can only be called inside a script invocation');
        const argv = luaArgsToArgv(args);
        if (typeof argv === 'string') raise(argv);
        const ok = host.aclCheck(argv);
        if (ok === undefined) raise('Invalid command passed to redis.acl_check_cmd()');
        return [ok];
      },
    ],
  ];
}

/** redis.log and the LOG_* levels (luaRegisterLogFunction). */
function logEntries(host: RedisLibHost): Array<[string, LuaValue]> {
  const log: LuaFunction = (...args) => {
    const argc = args.length;
    if (argc < 2) raise('redis.log() requires two arguments or more.');
    const lv = toNumber(args[0]);
    if (lv === undefined) raise('First argument must be a number (log level).');
    const level = toCInt(lv);
    if (level < 0 || level > 3) raise('Invalid debug level.');
    if (level < host.verbosity()) return NONE;
    let text = '';
    for (let j = 1; j < argc; j++) {
      const s = toStr(args[j]);
      if (s === undefined) continue;
      if (j !== 1) text += ' ';
      text += s;
    }
    host.log(level, text);
    return NONE;
  };
  return [
    ['log', log],
    ['LOG_DEBUG', 0],
    ['LOG_VERBOSE', 1],
    ['LOG_NOTICE', 2],
    ['LOG_WARNING', 3],
  ];
}

function versionEntries(): Array<[string, LuaValue]> {
  return [
    ['REDIS_VERSION_NUM', versionNum(REDIS_VERSION)],
    ['REDIS_VERSION', REDIS_VERSION],
  ];
}

/** `redis` as EVAL scripts see it: the common API plus eval.c's debugger entries. */
export function redisLibrary(host: RedisLibHost): Array<[string, LuaValue]> {
  return [
    ...commonEntries(host),
    // Outside a debugging session (SCRIPT DEBUG), breakpoint answers false and debug does nothing.
    ['breakpoint', () => [host.breakpoint?.() ?? false]],
    [
      'debug',
      (...args: LuaValue[]) => {
        host.debug?.(args);
        return NONE;
      },
    ],
    ['replicate_commands', () => [true]],
  ];
}

/** `redis` as FCALL's functions see it (function_lua.c registers no debugger entries). */
export function functionRedisLibrary(host: RedisLibHost): Array<[string, LuaValue]> {
  return commonEntries(host);
}

/** What redis.register_function collected from one call. */
export interface RegisteredFunction {
  name: string;
  description: string | null;
  callback: LuaFunction;
  /** Flag names as given (checked by the caller against the known ones). */
  flags: string[];
}

/** Flag names 7.0 accepts (scripts_flags_def), lowercased. */
export type FlagCheck = (name: string) => boolean;

/**
 * `redis` while FUNCTION LOAD runs a library body: register_function, log, LOG_*, the version
 * (luaEngineInitEngine's library API). `register` receives each function; it returns an error
 * text (functionLibCreateFunction's) or null.
 */
export function loadRedisLibrary(host: RedisLibHost, knownFlag: FlagCheck, register: (f: RegisteredFunction) => string | null): Array<[string, LuaValue]> {
  const registerFunction: LuaFunction = (...args) => {
    const f = readRegisterArgs(args, knownFlag);
    if (typeof f === 'string') raise(f);
    const err = register(f);
    if (err !== null) raise(err);
    return NONE;
  };
  return [['register_function', registerFunction], ...logEntries(host), ...versionEntries()];
}

function readRegisterArgs(args: LuaValue[], knownFlag: FlagCheck): RegisteredFunction | string {
  if (args.length < 1 || args.length > 2) return 'wrong number of arguments to redis.register_function';
  if (args.length === 2) {
    const name = toStr(args[0]);
    if (name === undefined) return 'first argument to redis.register_function must be a string';
    if (typeof args[1] !== 'function') return 'second argument to redis.register_function must be a function';
    return { name, description: null, callback: args[1], flags: [] };
  }
  const t = args[0];
  if (!(t instanceof LuaTable)) return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
  let name: string | undefined;
  let description: string | null = null;
  let callback: LuaFunction | undefined;
  let flags: string[] = [];
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    const key = toStr(e[0]);
    if (key === undefined) return 'named argument key given to redis.register_function is not a string';
    const v = e[1];
    switch (key.toLowerCase()) {
      case 'function_name': {
        const s = toStr(v);
        if (s === undefined) return 'function_name argument given to redis.register_function must be a string';
        name = s;
        break;
      }
      case 'description': {
        const s = toStr(v);
        if (s === undefined) return 'description argument given to redis.register_function must be a string';
        description = s;
        break;
      }
      case 'callback':
        if (typeof v !== 'function') return 'callback argument given to redis.register_function must be a function';
        callback = v;
        break;
      case 'flags': {
        if (!(v instanceof LuaTable)) return 'flags argument to redis.register_function must be a table representing function flags';
        const read = readFlags(v, knownFlag);
        if (read === null) return 'unknown flag given';
        flags = read;
        break;
      }
      default:
        return 'unknown argument given to redis.register_function';
    }
  }
  if (name === undefined) return 'redis.register_function must get a function name argument';
  if (callback === undefined) return 'redis.register_function must get a callback argument';
  return { name, description, callback, flags };
}

/** luaRegisterFunctionReadFlags: t[1], t[2], ... (with __index) until nil; each a known flag name. */
function readFlags(t: LuaTable, knownFlag: FlagCheck): string[] | null {
  const out: string[] = [];
  for (let j = 1; ; j++) {
    const v = index(t, j);
    if (v === undefined) return out;
    const s = toStr(v);
    if (s === undefined || !knownFlag(s.toLowerCase())) return null;
    out.push(s.toLowerCase());
  }
}

/** math.random and math.randomseed over redisLrand48 (one sequence for the server's life). */
export function mathOverrides(host: RedisLibHost): { random: LuaFunction; randomseed: LuaFunction } {
  return {
    random: (...args) => {
      if (!host.running()) throw new LibError('math.random can only be called inside a script invocation');
      const r = (host.random() % LRAND48_MAX) / LRAND48_MAX;
      switch (args.length) {
        case 0:
          return [r];
        case 1: {
          const u = checkInt(args, 0);
          if (!(1 <= u)) throw new ArgError(1, 'interval is empty');
          return [Math.floor(r * u) + 1];
        }
        case 2: {
          const l = checkInt(args, 0);
          const u = checkInt(args, 1);
          if (!(l <= u)) throw new ArgError(2, 'interval is empty');
          return [Math.floor(r * (u - l + 1)) + l];
        }
        default:
          throw new LibError('wrong number of arguments');
      }
    },
    randomseed: (...args) => {
      if (!host.running()) throw new LibError('math.randomseed can only be called inside a script invocation');
      host.seed(checkInt(args, 0));
      return NONE;
    },
  };
}

/**
 * 7.0's global pcall (luaRedisPcall): an error table with a string `err` comes back as that
 * string, so scripts written for older versions keep seeing text.
 */
export function redisPcall(basePcall: LuaFunction): LuaFunction {
  return (...args) => {
    const r = basePcall(...args);
    if (r[0] === false && r[1] instanceof LuaTable) {
      const e = index(r[1], 'err');
      if (typeof e === 'string' || typeof e === 'number') r[1] = e;
    }
    return r;
  };
}
