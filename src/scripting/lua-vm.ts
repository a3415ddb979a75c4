/**
 * The server's one Lua VM: Redis's own Lua 5.1 with cjson, cmsgpack, struct and bit, compiled
 * to WebAssembly (lua-redis-wasm). Each run compiles the script text again (the package keeps no
 * compiled functions); what this module adds is Redis 7.0's view of a script:
 *
 *   body ──(shebang line blanked, wrapped so only the first return value counts)──▶ chunk
 *   chunk ──run──▶ reply | script error (line from the VM, sha and wording from us)
 *
 * The VM aborts on out-of-memory and cannot be used again afterwards: a spare VM is kept warm
 * and swapped in, and a new spare is built in the background.
 */
import { LuaWasmEngine, type ReplyValue, type RedisProps } from 'lua-redis-wasm';
import { REDIS_VERSION } from '../version.js';

/** What the VM asks of the server while a script runs. */
export interface VmHost {
  call(args: Buffer[], raise: boolean): ReplyValue;
  log(level: number, message: Buffer): void;
  setResp(version: number): void;
}

/** A script that failed: its message (with code) and where, as Redis reports it. */
export interface ScriptFailure {
  failed: true;
  /** "ERR user_script:1: boom", "WRONGTYPE Operation against ..." */
  message: string;
  /** The line in user_script, when the VM knows it. */
  line: number | null;
}

export type RunResult = { failed: false; value: ReplyValue } | ScriptFailure;

/** Instructions a script may run before the VM stops it (the package's ceiling, 2^32-1: tens of seconds). */
const MAX_FUEL = 0xffffffff;

function versionNum(v: string): number {
  const [a, b, c] = v.split('.').map(Number);
  return (a << 16) | (b << 8) | c;
}

const REDIS_PROPS: RedisProps = {
  REDIS_VERSION: { value: REDIS_VERSION },
  REDIS_VERSION_NUM: { value: versionNum(REDIS_VERSION) },
  REPL_NONE: { value: 0 },
  REPL_AOF: { value: 1 },
  REPL_SLAVE: { value: 2 },
  REPL_REPLICA: { value: 2 },
  REPL_ALL: { value: 3 },
  // Effects replication is the only mode in 7.0: the call is kept for old scripts and answers true.
  replicate_commands: { returns: true },
  // Outside a debugging session (SCRIPT DEBUG) these do nothing, as in Redis.
  breakpoint: { returns: false },
  debug: { returns: null },
  // Listed in redis like in 7.0; scripts that name them get the working versions of the prelude.
  set_repl: { returns: null },
  acl_check_cmd: { returns: true },
};

/** Host commands reached through the prelude below; a NUL byte keeps them out of any real command's way. */
export const HOST_PREFIX = '\0reddish.';

/**
 * First element of the arrays __enc makes for RESP3 reply tables: the package would only
 * encode those when the script itself is in RESP3, where 7.0 honours them in either protocol.
 */
export const REPLY_MARK = '\0reddish.reply';
/** What a RESP3 null becomes on its way to a script; the prelude turns it into nil. */
export const NULL_MARK = '\0reddish.null';


/**
 * What every chunk starts with, on line 1 (so the script keeps its line numbers): __enc, the
 * return value as 7.0's luaReplyToRedisReply reads it (raw fields, exact types, RESP3 tables in
 * any protocol), in a shape the package encodes without loss. The pieces below follow it only
 * when the script names what they define.
 */
const ENCODER =
  `local __M, __F, __rawget, __type, __next, __err = '\\0reddish.reply', string.format, rawget, type, next, error ` +
  `local function __enc(v) ` +
  `if __type(v) ~= 'table' then return v end ` +
  `local x = __rawget(v, 'err') if __type(x) == 'string' then return {err = x} end ` +
  `x = __rawget(v, 'ok') if __type(x) == 'string' then return {ok = x} end ` +
  `x = __rawget(v, 'double') if __type(x) == 'number' then return {__M, 'double', __F('%.17g', x)} end ` +
  `x = __rawget(v, 'big_number') if __type(x) == 'string' then return {__M, 'big_number', x} end ` +
  `x = __rawget(v, 'verbatim_string') if __type(x) == 'table' then ` +
  `local f, s = __rawget(x, 'format'), __rawget(x, 'string') if __type(f) == 'string' and __type(s) == 'string' then return {__M, 'verbatim', f, s} end end ` +
  `x = __rawget(v, 'map') if __type(x) == 'table' then local o, n = {__M, 'map'}, 2 for k, y in __next, x do o[n + 1] = __enc(k) o[n + 2] = __enc(y) n = n + 2 end return o end ` +
  `x = __rawget(v, 'set') if __type(x) == 'table' then local o, n = {__M, 'set'}, 2 for k in __next, x do n = n + 1 o[n] = __enc(k) end return o end ` +
  `local o, i = {}, 1 while true do x = __rawget(v, i) if x == nil then break end o[i] = __enc(x) i = i + 1 end return o end `;

/**
 * A library table with some fields replaced: an empty view, so writes still reach the
 * (read-only) original and fail as they do in Redis. For PROXY, MATH and FORMAT.
 */
const READ_ONLY_VIEW =
  `local function __ro(base, own) return setmetatable({}, {__index = function(_, k) local v = own[k] if v ~= nil then return v end return base[k] end, __newindex = base}) end `;

/**
 * error() and pcall() as 7.0 behaves, for scripts that name them (and for PROXY, which raises
 * through __fail): tables raised with error() reach the host as text (the package keeps only
 * strings), tail-called so the error still points at the script's line. Compiling this on
 * every run is about a third of a small script's cost, hence only when named.
 */
const ERRORS =
  // error() keeps the value raised (pcall hands it back) and gives the host text: a table's
  // err as is, other values as 7.0's handler would ("ERR " .. tostring), strings and numbers
  // with their position. One level more, since this function is a frame of its own.
  // A failure raised the way 7.0's C functions raise an error table: the text as is, the caller's line.
  `local __last local function __fail(m) __last = {err = m} return __err('\\0reddish.err:' .. m, 3) end ` +
  `local function error(e, l) local t = __type(e) __last = e ` +
  `if t == 'table' then return __err('\\0reddish.err:' .. tostring(__rawget(e, 'err')), 2) ` +
  `elseif (t ~= 'string' and t ~= 'number') or l == 0 then return __err('\\0reddish.errp:' .. tostring(e), 2) end ` +
  `return __err(e, (l or 1) + 1) end ` +
  // pcall as 7.0 overrides it: an error table gives its err text; the package's coded errors get Redis's wording.
  `local __pc = pcall local function __pfix(ok, ...) if ok then return ok, ... end local e = ... ` +
  `if __type(e) == 'string' then ` +
  `local kind = e:match('^.-%zreddish%.err(p?):') if kind then e = __last if __type(e) == 'table' and __type(__rawget(e, 'err')) == 'string' then e = __rawget(e, 'err') end ` +
  `elseif e:find('__RLUA_E__:command-arg-type', 1, true) then e = 'ERR Lua redis lib command arguments must be strings or integers' ` +
  `else e = e:gsub('__RLUA_E__:global%-read:([%w_]*)', "Script attempted to access nonexistent global variable '%1'") end end ` +
  `return ok, e end ` +
  `local function pcall(...) return __pfix(__pc(...)) end `;

/**
 * Functions the package does not provide (or provides with other checks than 7.0), defined in
 * Lua over the host call. Only scripts that mention them get this proxy of `redis`: a proxy
 * lists only its own fields to pairs(), so it is left out when nothing needs it. Writes go
 * through to the real (read-only) table, so they fail as they do in Redis.
 */
const PROXY =
  `local __r = redis local __nil __nil = function(v) if __type(v) ~= 'table' then return v end ` +
  `if __rawget(v, 'ok') == '\\0reddish.null' then return nil end ` +
  `for k, x in __next, v do if __type(x) == 'table' then v[k] = __nil(x) end end return v end ` +
  `local redis = __ro(__r, {` +
  `set_repl = function(...) return __r.call('${HOST_PREFIX}set_repl', ...) end, ` +
  `acl_check_cmd = function(...) return __r.call('${HOST_PREFIX}acl_check_cmd', ...) end, ` +
  // 7.0: "-CODE msg" or "msg" (ERR is added when there is no space), trailing CR/LF trimmed.
  `error_reply = function(...) local m = ... if select('#', ...) ~= 1 or __type(m) ~= 'string' then return {err = 'ERR wrong number or type of arguments'} end ` +
  `m = m:match('^([^%z]*)') if m:sub(1, 1) == '-' then m = m:sub(2) else m = m end ` +
  `if not m:find(' ', 1, true) then m = 'ERR ' .. m end m = m:gsub('^(%S+ )[\\r\\n]*', '%1'):gsub('[\\r\\n]+$', '') return {err = m} end, ` +
  `status_reply = function(...) local m = ... if select('#', ...) ~= 1 or __type(m) ~= 'string' then return {err = 'ERR wrong number or type of arguments'} end return {ok = m} end, ` +
  // Under RESP3 a null reply is nil in Lua (the package makes every null false): the host sends a marker.
  `call = function(...) local r = __r.pcall(...) if __type(r) == 'table' then local e = __rawget(r, 'err') if e ~= nil then __last = r ` +
  `return __err('\\0reddish.err:' .. e, 2) end end return __nil(r) end, ` +
  `pcall = function(...) return __nil(__r.pcall(...)) end, ` +
  `setresp = function(...) if select('#', ...) ~= 1 then return __fail('ERR redis.setresp() requires one argument.') end ` +
  `local n = tonumber((...)) if n ~= 2 and n ~= 3 then return __fail('ERR RESP version must be 2 or 3.') end return __r.setresp(n) end, ` +
  `sha1hex = function(...) if select('#', ...) ~= 1 then return __fail('ERR wrong number of arguments') end local v = ... ` +
  `if __type(v) ~= 'string' and __type(v) ~= 'number' then v = '' end return __r.sha1hex(v) end, ` +
  `log = function(...) local n, lv = select('#', ...), ... if n < 2 then return __fail('ERR redis.log() requires two arguments or more.') end ` +
  `lv = tonumber(lv) if lv == nil then return __fail('ERR First argument must be a number (log level).') end ` +
  `if lv < 0 or lv > 3 then return __fail('ERR Invalid debug level.') end local t = {} ` +
  `for i = 2, n do local x = select(i, ...) if __type(x) == 'string' or __type(x) == 'number' then t[#t + 1] = x end end ` +
  `return __r.log(lv - lv % 1, table.concat(t, ' ')) end` +
  `}) `;
const NEEDS_PROXY = ['set_repl', 'acl_check_cmd', 'error_reply', 'status_reply', 'setresp', 'sha1hex', 'log'];

/**
 * math.random/randomseed on 7.0's redisLrand48 (a 48-bit generator seeded once at startup and
 * carried across scripts); the state lives in the host, as the VM keeps nothing between runs.
 */
const MATH =
  `local math = __ro(math, {` +
  `random = function(...) local n = select('#', ...) local r = redis.call('${HOST_PREFIX}rand') / 2147483647 ` +
  `if n == 0 then return r end local l, u = 1, tonumber((...)) ` +
  `if n == 2 then l, u = u, tonumber((select(2, ...))) elseif n > 2 then return __err('wrong number of arguments') end ` +
  `if u == nil or l == nil then return __err("bad argument #" .. n .. " to 'random' (number expected)") end ` +
  `l, u = l - l % 1 * (l < 0 and -1 or 1), u - u % 1 * (u < 0 and -1 or 1) ` +
  `if l > u then return __err("bad argument #" .. n .. " to 'random' (interval is empty)") end ` +
  `return math.floor(r * (u - l + 1)) + l end, ` +
  `randomseed = function(s) s = tonumber(s) if s == nil then return __err("bad argument #1 to 'randomseed' (number expected)") end redis.call('${HOST_PREFIX}srand', s) end` +
  `}) `;

/**
 * string.format with 7.0's 64-bit %d: the wasm build's long is 32 bits, so integers past
 * 2^31 are formatted here (truncated toward zero, as the C cast does) and passed as %s.
 */
const FORMAT =
  `local string = __ro(string, {format = function(f, ...) local a, i, n = {...}, 0, select('#', ...) ` +
  `if __type(f) == 'string' and f:find('%', 1, true) then ` +
  `f = f:gsub('%%([-+ #0]*%d*%.?%d*)([%a%%])', function(spec, c) if c == '%' then return nil end i = i + 1 local v = a[i] ` +
  `if (c == 'd' or c == 'i') and __type(v) == 'number' and (v >= 2147483648 or v < -2147483648) then ` +
  `v = v - v % 1 * (v < 0 and -1 or 1) a[i] = __F('%.0f', v) return '%' .. spec:gsub('[0#]', '') .. 's' end end) end ` +
  `return __F(f, unpack(a, 1, n)) end}) `;

/** Builds the chunk the VM runs from a script body whose shebang (if any) is `shebangLength` bytes. */
export function chunkFor(body: Buffer, shebangLength: number): Buffer {
  let text = body;
  if (shebangLength > 0) text = Buffer.concat([Buffer.alloc(shebangLength, 0x20), body.subarray(shebangLength)]);
  let head = ENCODER;
  const proxy = NEEDS_PROXY.some((name) => body.includes(name));
  const math = body.includes('random');
  const format = body.includes('format');
  if (proxy || math || format) head += READ_ONLY_VIEW;
  if (proxy || body.includes('error') || body.includes('pcall')) head += ERRORS;
  if (proxy) head += PROXY;
  if (math) head += MATH;
  if (format) head += FORMAT;
  // Redis calls the script for one result: extra return values are dropped, not the last kept.
  return Buffer.concat([Buffer.from(head + 'return __enc((function() ', 'latin1'), text, Buffer.from('\nend)())', 'latin1')]);
}

const COMPILE_CHECK = "local f, e = loadstring(ARGV[1], '@user_script') if f then return false end return e";

/** What the server needs of a Lua VM, whether it runs in this thread or in the Lua thread. */
export interface ScriptVm {
  readonly ready: boolean;
  /** The compile error of a script body as Redis words it, or null when it compiles. */
  compileError(body: Buffer, shebangLength: number): string | null;
  heapBytes(): number;
  run(chunk: Buffer, keys: Buffer[], args: Buffer[], host: VmHost): RunResult;
}

export class LuaVm implements ScriptVm {
  private engine: LuaWasmEngine | null = null;
  /** A second VM, ready to take over synchronously when the first one aborts. */
  private spare: LuaWasmEngine | null = null;
  /** The host of the running script (one at a time: the server is single-threaded). */
  private host: VmHost | null = null;

  async start(): Promise<void> {
    this.engine = await this.create();
    this.prepareSpare();
  }

  private prepareSpare(): void {
    void this.create().then((e) => {
      if (this.engine === null) this.engine = e;
      else this.spare = e;
      if (this.spare === null) this.prepareSpare();
    });
  }

  get ready(): boolean {
    return this.engine !== null;
  }

  private create(): Promise<LuaWasmEngine> {
    return LuaWasmEngine.create({
      profile: 'redis-7.0',
      limits: { maxFuel: MAX_FUEL },
      redisProps: REDIS_PROPS,
      host: {
        redisCall: (args) => this.host!.call(args, true),
        redisPcall: (args) => this.host!.call(args, false),
        log: (level, message) => this.host?.log(level, message),
        onSetResp: (n: number) => this.host?.setResp(n),
      },
    } as Parameters<typeof LuaWasmEngine.create>[0]);
  }

  /** Returns Lua's compile error for a body ("user_script:1: ..."), or null when it compiles. */
  compileError(body: Buffer, shebangLength: number): string | null {
    const text = shebangLength > 0 ? Buffer.concat([Buffer.alloc(shebangLength, 0x20), body.subarray(shebangLength)]) : body;
    const r = this.guard(() => this.engine!.evalWithArgs(COMPILE_CHECK, [], [text]));
    if (r.failed) return r.message.replace(/^ERR /, '');
    return Buffer.isBuffer(r.value) ? r.value.latin1Slice(0, r.value.length) : null;
  }

  /** Bytes the Lua heap holds, as collectgarbage('count') reports (INFO used_memory_lua). */
  heapBytes(): number {
    if (this.engine === null) return 0;
    const r = this.guard(() => this.engine!.eval("return collectgarbage('count') * 1024"));
    return !r.failed && typeof r.value === 'number' ? r.value : 0;
  }

  run(chunk: Buffer, keys: Buffer[], args: Buffer[], host: VmHost): RunResult {
    this.host = host;
    try {
      return this.guard(() => this.engine!.evalWithArgs(chunk, keys, args));
    } finally {
      this.host = null;
    }
  }

  /** Runs one VM call; turns aborts into failures and replaces a dead VM with the spare. */
  private guard(fn: () => ReplyValue): RunResult {
    if (this.engine === null) return { failed: true, message: 'ERR the Lua VM is being rebuilt after an abort, try again', line: null };
    let value: ReplyValue;
    try {
      value = fn();
    } catch (e) {
      this.replaceEngine();
      const why = (e as Error).message.startsWith('Aborted(OOM)') ? 'Lua VM out of memory' : `Lua VM aborted: ${(e as Error).message}`;
      return { failed: true, message: `ERR ${why}`, line: null };
    }
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !Array.isArray(value) && 'err' in value && value.meta) {
      // The prelude's error() is a frame on line 1: the position in the text is the script's own.
      const text = errorString(value);
      const at = /^(?:[A-Z][A-Z0-9_]* )?user_script:(\d+): /.exec(text);
      // The wasm build's C stack is far smaller than Redis's: raising cjson's nesting error
      // 1000 frames deep overruns it and silently corrupts the heap, so that VM is retired.
      if (text.includes('excessive nesting')) this.replaceEngine();
      return { failed: true, message: failureText(value), line: at ? Number(at[1]) : (value.meta.line ?? null) };
    }
    return { failed: false, value };
  }

  private replaceEngine(): void {
    this.engine = this.spare;
    this.spare = null;
    this.prepareSpare();
  }
}

function errorString(v: { err: Buffer; code?: Buffer }): string {
  const msg = v.err.latin1Slice(0, v.err.length);
  return v.code ? `${v.code.latin1Slice(0, v.code.length)} ${msg}` : msg;
}

/** Redis 7.0's wording for errors the package classifies itself. */
function failureText(v: { err: Buffer; code?: Buffer; meta?: { kind?: string; name?: string; line: number } }): string {
  const code = v.code ? v.code.latin1Slice(0, v.code.length) : 'ERR';
  const msg = v.err.latin1Slice(0, v.err.length).replace(/\0+$/, '');
  // error({err = ...}): 7.0 replies with the table's text as it is; other non-strings as "ERR <value>".
  const marked = /^(?:user_script:\d+: )?\0reddish\.err(p?):/s.exec(msg);
  if (marked) return (marked[1] ? 'ERR ' : '') + msg.slice(marked[0].length);
  const line = v.meta?.line ?? 0;
  switch (v.meta?.kind) {
    case 'global-read':
      return `${code} user_script:${line}: Script attempted to access nonexistent global variable '${v.meta.name}'`;
    case 'command-arg-type':
      return `${code} Lua redis lib command arguments must be strings or integers`;
  }
  if (msg === 'Script killed by fuel limit') return `${code} Script ran too long: stopped after 4294967295 Lua instructions`;
  return `${code} ${msg}`;
}
