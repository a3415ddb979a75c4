/**
 * Runs one script at a time on the server's Lua VM, as 7.0's script.c does:
 *
 *   prepare (flag checks against the caller) ─▶ run ─▶ redis.call ─▶ checks ─▶ call() ─▶ reply to Lua
 *                                               │                                        ▲
 *                                               └──────────── (any number of times) ─────┘
 *   ─▶ reset (the caller's reply; EVAL/FCALL itself is not propagated, its effects are)
 *
 * Commands from a script run on a dedicated client that is never listed: it takes the caller's
 * database, starts in RESP2, cannot block, and its writes join the caller's execution unit, so
 * replicas get them wrapped in MULTI/EXEC when there is more than one (effects replication).
 */
import type { ReplyValue } from 'lua-redis-wasm';
import type { Server } from '../server.js';
import { Client } from '../net/client.js';
import type { Command } from '../commands/registry.js';
import { PROPAGATE_ALL } from '../exec/hooks.js';
import { LogLevel } from '../log/logger.js';
import { ScriptFlag } from './flags.js';
import { HOST_PREFIX, type ScriptVm, type RunResult, type VmHost } from './lua-vm.js';
import { errorText, readReply } from './reply-codec.js';
import type { BusyScript } from './busy.js';
import { errorTable, respToLua } from './lua/convert.js';
import type { LuaValue } from './lua/types.js';

/** Redis's PROPAGATE_AOF | PROPAGATE_REPL bits, as redis.set_repl takes them. */
const REPL_AOF = 1;
const REPL_REPLICA = 2;

export interface RunRequest {
  caller: Client;
  /** SHA1 of an EVAL script or a function's name (logs, FUNCTION STATS, busy replies). */
  name: string;
  /** EVAL/EVALSHA (true) or FCALL (false): decides which KILL may stop it. */
  evalMode: boolean;
  /** The caller's command, for FUNCTION STATS. */
  argv: string[];
  chunk: Buffer;
  keys: Buffer[];
  args: Buffer[];
  flags: number;
  /** EVAL_RO / EVALSHA_RO / FCALL_RO */
  readOnlyCommand: boolean;
}

interface RunState {
  caller: Client;
  readOnly: boolean;
  allowOom: boolean;
  writeDirty: boolean;
  replFlags: number;
  oomAtStart: boolean;
}

const errReply = (text: string): ReplyValue => ({ err: Buffer.from(text, 'latin1') });

/** What the guards are asked about: "may a write run?" and "may a non-stale command run?" */
const WRITE_PROBE = { isWrite: true, flagSet: new Set(['write']) } as unknown as Command;
const STALE_PROBE = { isWrite: false, flagSet: new Set<string>() } as unknown as Command;

export class ScriptRunner implements VmHost {
  /** The client scripts' commands run as (Redis's lua client; not in CLIENT LIST). */
  readonly client: Client;
  private state: RunState | null = null;
  /** math.random's generator: one sequence for the server's life, as 7.0 has (never reseeded per script). */
  private readonly rand = new Lrand48();
  /**
   * Error texts the last script got back from redis.call/pcall: already counted in errorstats
   * when the command failed, so the script's reply passing them on is not counted again (7.0
   * marks such error tables with ignore_err_stats_update).
   */
  private readonly countedErrors = new Set<string>();

  /**
   * The Lua debugger's log of redis.call while a session steps (the `<redis>`, `<reply>` and
   * `<error>` lines); null outside debugging sessions.
   */
  ldb: {
    logsCalls(): boolean;
    logCommand(argv: string[]): void;
    logRefusal(text: string): void;
    logReply(buf: Buffer, start: number): void;
  } | null = null;
  /** False during a SCRIPT DEBUG YES session: its writes are rolled back, so nothing is propagated. */
  propagate = true;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may run commands flagged noscript (7.0, for tests). */
  disableDenyScripts = false;

  alreadyCounted(text: string): boolean {
    return this.countedErrors.has(text);
  }

  constructor(
    private readonly server: Server,
    private readonly vm: ScriptVm,
    private readonly busy: BusyScript,
  ) {
    this.client = new Client(server, null, 0);
    this.client.luaClient = true;
    this.client.authenticated = true;
  }

  /** Whether the running script has written (BusyScript asks, to refuse SCRIPT KILL). */
  private readonly wroteYet = (): boolean => this.state?.writeDirty ?? false;

  get running(): boolean {
    return this.state !== null;
  }

  /**
   * The checks 7.0 makes before a script with declared flags runs (scriptPrepareForRun);
   * returns the error to reply, or null.
   */
  refusal(caller: Client, flags: number, readOnlyCommand: boolean): string | null {
    const s = this.server;
    const stale = this.staleFor(caller, false);
    if (flags & ScriptFlag.EvalCompat) {
      return stale ? "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." : null;
    }
    if (stale && !(flags & ScriptFlag.AllowStale)) {
      return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";
    }
    if (!(flags & ScriptFlag.NoWrites)) {
      if (s.masterHost !== null && s.config.bool('replica-read-only') && !caller.isMaster) {
        return 'READONLY Can not run script with write flag on readonly replica';
      }
      const guard = this.writeGuardError(caller);
      if (guard?.startsWith('MISCONF') && !caller.isMaster) {
        return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
      }
      if (readOnlyCommand) return 'ERR Can not execute a script with write flag using *_ro command.';
      if (guard?.startsWith('NOREPLICAS')) return guard;
    }
    if (s.preCommandOom && s.hot.maxmemory > 0 && !(flags & (ScriptFlag.AllowOom | ScriptFlag.NoWrites))) {
      return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
    }
    return null;
  }

  run(req: RunRequest): RunResult {
    return this.within(req, () => this.vm.run(req.chunk, req.keys, req.args, this));
  }

  /**
   * Runs `body` as the script of `req`: the script client set up as the caller's, the busy
   * watch started, everything restored afterwards (the compiled engine's runs come here).
   */
  within<T>(req: Omit<RunRequest, 'chunk' | 'keys' | 'args'>, body: () => T): T {
    const s = this.server;
    const sc = this.client;
    const compat = (req.flags & ScriptFlag.EvalCompat) !== 0;
    this.state = {
      caller: req.caller,
      readOnly: req.readOnlyCommand || (!compat && (req.flags & ScriptFlag.NoWrites) !== 0),
      allowOom: !compat && (req.flags & ScriptFlag.AllowOom) !== 0,
      writeDirty: false,
      replFlags: REPL_AOF | REPL_REPLICA,
      oomAtStart: s.preCommandOom,
    };
    // Clearing an empty Set still allocates a new table in V8.
    if (this.countedErrors.size > 0) this.countedErrors.clear();
    sc.db = req.caller.db;
    sc.w.resp = 2;
    sc.w.len = 0;
    sc.isMaster = req.caller.isMaster;
    // Commands of the script run as the caller's ACL user (7.0's scriptCall sets c->user).
    sc.aclUser = req.caller.aclUser;
    const inExecBefore = s.inExec;
    // Commands called from scripts never block (7.0's CLIENT_DENY_BLOCKING for the lua client).
    s.inExec = true;
    this.busy.begin(req.name, req.evalMode, req.caller, req.argv, this.wroteYet);
    try {
      return body();
    } finally {
      this.busy.end();
      s.inExec = inExecBefore;
      sc.w.len = 0;
      sc.isMaster = false;
      sc.aclUser = null;
      sc.propagateTarget = PROPAGATE_ALL;
      this.state = null;
    }
  }

  // ---------------------------------------------------------------- RedisLibHost (compiled engine)

  /** Whether the last callCommand answered with an error. */
  failed = false;

  /** A command the script may not run: counted as a rejected call and an error reply, as 7.0 does. */
  private countRefusal(cmd: Command | undefined, refused: string): void {
    if (cmd) cmd.rejectedCalls++;
    this.server.stats.totalErrorReplies++;
    this.server.stats.countError(refused);
  }

  /** redis.call/pcall of the compiled engine: the reply as a Lua value (errors as error tables). */
  call2Lua(argv: string[]): LuaValue {
    const st = this.state!;
    const s = this.server;
    const sc = this.client;
    const cmd = s.commands.lookup(argv);
    const ldb = this.ldb !== null && this.ldb.logsCalls() ? this.ldb : null;
    if (ldb !== null) ldb.logCommand(argv);
    const refused = this.check(st, cmd, argv);
    if (refused !== null) {
      this.countRefusal(cmd, refused);
      this.failed = true;
      if (ldb !== null) ldb.logRefusal(refused);
      return errorTable('-' + refused, true);
    }
    if (cmd!.isWrite) st.writeDirty = true;
    const start = sc.w.len;
    sc.propagateTarget = this.propagate ? st.replFlags : 0;
    s.exec.call(sc, cmd!, argv);
    const buf = sc.w.buf;
    this.failed = buf[start] === 0x2d;
    const value = respToLua(buf, start);
    if (ldb !== null) ldb.logReply(buf, start);
    sc.w.len = start;
    return value;
  }

  verbosity(): number {
    return this.server.log.level;
  }

  logText(level: number, text: string): void {
    const lv = [LogLevel.Debug, LogLevel.Verbose, LogLevel.Notice, LogLevel.Warning][level];
    if (lv !== undefined) this.server.log.log(lv, text);
  }

  setRepl(flags: number): void {
    this.state!.replFlags = flags;
  }

  aclCheck(argv: string[]): boolean | undefined {
    const cmd = this.server.commands.lookup(argv);
    if (!cmd) return undefined;
    return this.server.hooks.acl?.allows(this.state!.caller, cmd, argv) ?? true;
  }

  random(): number {
    return this.rand.next();
  }

  seed(n: number): void {
    this.rand.seed(n);
  }

  // ---------------------------------------------------------------- VmHost

  call(args: Buffer[], _raise: boolean): ReplyValue {
    const st = this.state;
    if (st === null) return errReply('ERR redis.call/pcall can only be called inside a script invocation');
    if (args.length === 0) return errReply('ERR Please specify at least one argument for this redis lib call');
    const argv = new Array<string>(args.length);
    for (let i = 0; i < args.length; i++) argv[i] = args[i].latin1Slice(0, args[i].length);
    if (argv[0].startsWith(HOST_PREFIX)) return this.hostCall(argv[0].slice(HOST_PREFIX.length), argv.slice(1));
    const s = this.server;
    const sc = this.client;
    const cmd = s.commands.lookup(argv);
    const refused = this.check(st, cmd, argv);
    if (refused !== null) {
      this.countRefusal(cmd, refused);
      this.countedErrors.add(refused);
      return errReply(refused);
    }
    if (cmd!.isWrite) st.writeDirty = true;
    const start = sc.w.len;
    sc.propagateTarget = st.replFlags;
    s.exec.call(sc, cmd!, argv);
    const [value] = readReply(sc.w.buf, start);
    sc.w.len = start;
    if (value !== null && typeof value === 'object' && 'err' in value) this.countedErrors.add(errorText(value));
    return value;
  }

  log(level: number, message: Buffer): void {
    const lv = [LogLevel.Debug, LogLevel.Verbose, LogLevel.Notice, LogLevel.Warning][level];
    if (lv !== undefined) this.server.log.log(lv, message.latin1Slice(0, message.length));
  }

  setResp(version: number): void {
    this.client.w.resp = version === 3 ? 3 : 2;
  }

  // ---------------------------------------------------------------- checks

  /** scriptCall's checks, in 7.0's order; returns the error text or null. */
  private check(st: RunState, cmd: Command | undefined, argv: string[]): string | null {
    const s = this.server;
    if (!cmd) return 'ERR Unknown Redis command called from script';
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) return 'ERR Wrong number of args calling Redis command from script';
    if (cmd.flagSet.has('noscript') && !this.disableDenyScripts) return 'ERR This Redis command is not allowed from script';
    if (this.staleFor(st.caller, cmd.flagSet.has('stale'))) return 'ERR Can not execute the command on a stale replica';
    const denied = s.hooks.acl?.checkScript(st.caller, cmd, argv) ?? null;
    if (denied !== null) return denied;
    if (st.readOnly && (cmd.isWrite || cmd.mayReplicate)) return 'ERR Write commands are not allowed from read-only scripts.';
    if (cmd.isWrite && !st.writeDirty) {
      if (s.masterHost !== null && s.config.bool('replica-read-only') && !st.caller.isMaster) return "READONLY You can't write against a read only replica.";
      const guard = this.writeGuardError(st.caller);
      if (guard !== null && !guard.startsWith('READONLY')) return guard;
    }
    if (
      !st.allowOom &&
      s.hot.maxmemory > 0 &&
      !st.caller.isMaster &&
      !st.writeDirty &&
      st.oomAtStart &&
      cmd.flagSet.has('denyoom')
    ) {
      return "OOM command not allowed when used memory > 'maxmemory'.";
    }
    return null;
  }

  /** The first write guard's refusal (MISCONF, NOREPLICAS, READONLY), or null. */
  private writeGuardError(caller: Client): string | null {
    for (const guard of this.server.hooks.writeGuards) {
      const err = guard(caller, WRITE_PROBE);
      if (err !== null) return err;
    }
    return null;
  }

  /** Whether the server is a replica whose link is down and may not serve stale data. */
  private staleFor(caller: Client, commandAllowsStale: boolean): boolean {
    if (this.server.masterHost === null || commandAllowsStale) return false;
    for (const guard of this.server.hooks.commandGuards) {
      if (guard(caller, STALE_PROBE)?.startsWith('MASTERDOWN')) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- redis.* functions over the host call

  private hostCall(name: string, args: string[]): ReplyValue {
    const st = this.state!;
    switch (name) {
      case 'set_repl': {
        if (args.length !== 1) return errReply('ERR redis.set_repl() requires two arguments.');
        // lua_tonumber: anything not numeric is 0 (REPL_NONE).
        const n = Number(args[0]);
        const flags = Number.isFinite(n) ? Math.trunc(n) : 0;
        if ((flags & ~(REPL_AOF | REPL_REPLICA)) !== 0) {
          return errReply('ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
        }
        st.replFlags = flags;
        return null;
      }
      case 'rand':
        return this.rand.next();
      case 'srand':
        this.rand.seed(Math.trunc(Number(args[0])) | 0);
        return null;
      case 'acl_check_cmd': {
        if (args.length === 0) return errReply('ERR Please specify at least one argument for this redis lib call');
        const cmd = this.server.commands.lookup(args);
        if (!cmd) {
          return errReply('ERR Invalid command passed to redis.acl_check_cmd()');
        }
        return this.server.hooks.acl?.allows(this.state!.caller, cmd, args) ?? true;
      }
    }
    return errReply('ERR Unknown Redis command called from script');
  }
}

/** 7.0's redisLrand48: x = (0x5DEECE66D * x + 0xB) mod 2^48, yielding the top 31 bits. */
class Lrand48 {
  private x = 0x1234abcd330en;

  seed(v: number): void {
    const low = BigInt(v & 0xffff);
    const high = BigInt((v >>> 16) & 0xffff);
    this.x = 0x330en | (low << 16n) | (high << 32n);
  }

  /** A value in [0, 2^31 - 1), as redis_math_random reduces it modulo REDIS_LRAND48_MAX. */
  next(): number {
    this.x = (0x5deece66dn * this.x + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n) % 2147483647;
  }
}
