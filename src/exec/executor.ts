/**
 * Command execution, shared by clients, transactions, scripts, the replica link and held
 * (paused) clients — Redis's processCommand() and call():
 *
 *   execute: lookup ─▶ arity ─▶ auth ─▶ MULTI-allowed ─▶ ACL ─▶ checkAndRun
 *   checkAndRun: write guards ─▶ maxmemory/OOM ─▶ pub/sub context ─▶ command guards ─▶ LOADING
 *                ─▶ CLIENT PAUSE hold ─▶ queue in MULTI ─▶ call
 *   call: handler ─▶ statistics, latency, slowlog ─▶ MONITOR ─▶ propagation ─▶ (outermost only)
 *         flush the execution unit, serve clients whose keys became ready
 *
 * Scripts enter at call() with their own checks (scriptCall's order differs from a client's).
 */
import type { Client } from '../net/client.js';
import { ReplyMode } from '../net/client.js';
import type { Command, CommandTable } from '../commands/registry.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Keyspace } from '../store/keyspace.js';
import type { Stats } from '../stats.js';
import type { SlowLog, LatencyMonitor } from '../diagnostics.js';
import { Histogram } from '../util/histogram.js';
import { catRepr } from '../util/repr.js';
import type { Propagator, ServerHooks } from './hooks.js';
import { ExecutionUnit } from './unit.js';

/** What the executor needs from the server. */
export interface ExecHost {
  readonly commands: CommandTable;
  readonly hooks: ServerHooks;
  readonly config: Config;
  readonly log: Logger;
  readonly keyspace: Pick<Keyspace, 'setNow'>;
  readonly stats: Stats;
  readonly slowlog: Pick<SlowLog, 'add'>;
  readonly latency: Pick<LatencyMonitor, 'maybeAdd'>;
  readonly monitors: Set<Client>;
  readonly hot: { slowlogThreshold: number; latencyThreshold: number; maxmemory: number };
  readonly latencyTracking: boolean;
  readonly evictor: { noteWrite(argv: string[]): void; perform(): boolean };
  readonly replication: { readonly masterReplOffset: number };
  readonly blocking: { handleReady(): void };
  readonly pause: { until: number; writesOnly: boolean };
  readonly pausedClients: Set<Client>;
  readonly propagator: Propagator | null;
  loading: boolean;
  dirty: number;
  preCommandOom: boolean;
  unpause(): void;
  scheduleFlush(c: Client): void;
}

/** Commands a client may run while in MULTI without them being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands that may lazily expire keys they were not given (KEYS, SCAN, RANDOMKEY). */
const TOUCHES_ARBITRARY_KEYS = new Set(['keys', 'scan', 'randomkey']);
/** Commands whose whole reply is (un)subscribe confirmations. */
const SUBSCRIPTION_COMMANDS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);
/** Commands allowed in a RESP2 subscribed context. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

const trunc = (s: string): string => (s.length > 128 ? s.slice(0, 128) : s);

/** Watches every command run (client-side caching needs the running client and what it read). */
export interface CallObserver {
  /** Before a call's handler; false when there is nothing to watch (leave is then not called). */
  enter(c: Client): boolean;
  /** After the call, its reply and, for the outermost call, its propagation. */
  leave(c: Client, cmd: Command, argv: string[]): void;
  /** After a client's command went through execute(), whether it ran, queued or was refused. */
  afterExecute(c: Client, argv: string[]): void;
}

export class Executor {
  private readonly unit: ExecutionUnit;
  /** Per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats). */
  readonly latencyHistograms = new Map<string, Histogram>();

  constructor(private readonly host: ExecHost) {
    this.unit = new ExecutionUnit(() => host.propagator);
  }

  observer: CallObserver | null = null;
  /** Told of each command about to run (the watchdog names it if the server then stalls). */
  onStart: ((c: Client, name: string) => void) | null = null;

  /** Whether a command or an execution unit is running (nested calls join it). */
  get executing(): boolean {
    return this.unit.active;
  }

  /** Redis's processCommand: checks in Redis's order, then runs or queues the command. */
  execute(c: Client, argv: string[]): void {
    this.dispatch(c, argv);
    if (this.observer !== null) this.observer.afterExecute(c, argv);
  }

  private dispatch(c: Client, argv: string[]): void {
    const h = this.host;
    const cmd = h.commands.lookup(argv);
    if (cmd === undefined) {
      const base = h.commands.get(argv[0]);
      if (base?.sub) {
        c.error(`ERR unknown subcommand '${trunc(argv[1])}'. Try ${argv[0].toUpperCase()} HELP.`);
      } else {
        let args = '';
        for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${argv[i].slice(0, 128 - args.length)}' `;
        c.error(`ERR unknown command '${trunc(argv[0])}', with args beginning with: ${args}`);
      }
      this.flagTransactionError(c);
      return;
    }
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
      this.reject(c, cmd, `ERR wrong number of arguments for '${cmd.fullName}' command`);
      return;
    }
    const acl = h.hooks.acl;
    if ((acl ? acl.authRequired(c) : !c.authenticated) && !cmd.flagSet.has('no_auth')) {
      this.reject(c, cmd, 'NOAUTH Authentication required.');
      return;
    }
    if (c.inMulti && cmd.flagSet.has('no_multi')) {
      this.reject(c, cmd, 'ERR Command not allowed inside a transaction');
      return;
    }
    if (acl) {
      // 7.0 checks ACL rules right after authentication and MULTI-allowed, before anything else.
      const denied = acl.checkCommand(c, cmd, argv, c.inMulti ? 'multi' : 'toplevel');
      if (denied !== null) {
        this.reject(c, cmd, denied);
        return;
      }
    }
    if (cmd.name === 'exec' && c.multiQueue !== null) return this.executeExec(c, cmd, argv);
    this.checkAndRun(c, cmd.checkedAs ? cmd.checkedAs(cmd, argv) : cmd, argv);
  }

  /**
   * EXEC is checked as the transaction it runs (7.0): a write if any queued command writes,
   * deny-OOM if any is, deny-stale unless all are allowed on a stale replica. A refusal aborts
   * the transaction with EXECABORT.
   */
  private executeExec(c: Client, exec: Command, argv: string[]): void {
    const flags = new Set(exec.flagSet);
    let write = false;
    let mayReplicate = exec.mayReplicate;
    for (const q of c.multiQueue!) {
      const found = this.host.commands.lookup(q);
      if (!found) continue;
      const qc = found.checkedAs ? found.checkedAs(found, q) : found;
      if (qc.isWrite) write = true;
      if (qc.flagSet.has('denyoom')) flags.add('denyoom');
      if (qc.mayReplicate) mayReplicate = true;
      if (!qc.flagSet.has('stale')) flags.delete('stale');
    }
    if (write) flags.add('write');
    this.checkAndRun(c, { ...exec, flagSet: flags, isWrite: write, mayReplicate, viewOf: exec }, argv);
  }

  private checkAndRun(c: Client, cmd: Command, argv: string[]): void {
    const h = this.host;
    const isWrite = cmd.isWrite;
    if (isWrite) {
      for (const guard of h.hooks.writeGuards) {
        const err = guard(c, cmd);
        if (err !== null) {
          this.reject(c, cmd, err);
          return;
        }
      }
    }
    if (h.hot.maxmemory > 0 && !(c.isMaster && h.config.bool('replica-ignore-maxmemory'))) {
      if (cmd.flagSet.has('denyoom')) h.evictor.noteWrite(argv);
      const outOfMemory = !h.evictor.perform();
      h.preCommandOom = outOfMemory;
      // Inside MULTI every queued command may grow memory; DISCARD/QUIT/RESET always pass, and
      // EXEC unless it holds a deny-OOM command.
      const denyOom = cmd.flagSet.has('denyoom') || (c.inMulti && !MULTI_IMMEDIATE.has(cmd.name));
      if (outOfMemory && denyOom) {
        this.reject(c, cmd, "OOM command not allowed when used memory > 'maxmemory'.");
        return;
      }
    }
    if (c.inPubSub && c.resp === 2 && !PUBSUB_ALLOWED.has(cmd.name)) {
      this.reject(
        c,
        cmd,
        `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
      return;
    }
    for (const guard of h.hooks.commandGuards) {
      const err = guard(c, cmd);
      if (err !== null) {
        this.reject(c, cmd, err);
        return;
      }
    }
    if (h.loading && !cmd.flagSet.has('loading')) {
      this.reject(c, cmd, 'LOADING Redis is loading the dataset in memory');
      return;
    }
    if (this.isPausedFor(c, cmd, isWrite)) {
      // Hold the client (and this command) until the pause ends.
      c.pausedByServer = true;
      c.heldCommand = argv;
      h.pausedClients.add(c);
      return;
    }
    if (c.inMulti && !MULTI_IMMEDIATE.has(cmd.name)) {
      c.multiQueue!.push(argv);
      c.w.raw('+QUEUED\r\n');
      return;
    }
    this.call(c, cmd.viewOf ?? cmd, argv);
  }

  private reject(c: Client, cmd: Command, err: string): void {
    // Statistics belong to the table's command behind EXEC's transaction view.
    (cmd.viewOf ?? cmd).rejectedCalls++;
    if (cmd.name === 'exec' && c.inMulti) {
      for (const abort of this.host.hooks.abortTransaction) abort(c);
      c.error(`EXECABORT Transaction discarded because of: ${err}`);
      return;
    }
    c.error(err);
    this.flagTransactionError(c);
  }

  /** A command refused while queuing a transaction makes EXEC fail with EXECABORT. */
  private flagTransactionError(c: Client): void {
    if (c.inMulti) c.multiError = true;
  }

  private isPausedFor(c: Client, cmd: Command, isWrite: boolean): boolean {
    const h = this.host;
    if (h.pause.until === 0 || c.isMaster || c.isReplica) return false;
    if (Date.now() >= h.pause.until) {
      h.unpause();
      return false;
    }
    if (!h.pause.writesOnly) return true;
    // PAUSE WRITE holds writes, EVAL/publish-like may_replicate commands, and EXEC of writes.
    return isWrite || cmd.mayReplicate;
  }

  /** Redis's call(): runs a command with statistics, slowlog, MONITOR feed and propagation. */
  call(c: Client, cmd: Command, argv: string[]): void {
    const obs = this.observer;
    if (obs === null || !obs.enter(c)) return this.run(c, cmd, argv);
    try {
      this.run(c, cmd, argv);
    } finally {
      obs.leave(c, cmd, argv);
    }
  }

  private run(c: Client, cmd: Command, argv: string[]): void {
    const h = this.host;
    if (this.onStart !== null) this.onStart(c, cmd.fullName);
    const prevCmd = c.cmd;
    c.cmd = cmd;
    c.lastCommand = cmd.fullName;
    c.errored = false;
    const dirtyBefore = h.dirty;
    const offBefore = h.replication.masterReplOffset;
    const replyStart = c.w.len;
    const replyModeBefore = c.replyMode;
    const nested = this.unit.active;
    this.unit.active = true;
    if (!nested) h.keyspace.setNow(Date.now());
    const t0 = performance.now();
    try {
      cmd.handler!(c, argv);
    } catch (e) {
      // A bug must not take the server down: answer with an error and log it.
      h.log.warning(`Error executing '${cmd.fullName}': ${(e as Error).stack ?? e}`);
      c.error(`ERR internal error while executing '${cmd.fullName}': ${(e as Error).message}`);
    } finally {
      if (!nested) h.keyspace.setNow(0);
    }
    const usec = (performance.now() - t0) * 1000;
    cmd.calls++;
    cmd.usec += usec;
    if (c.errored) cmd.failedCalls++;
    if (h.latencyTracking) {
      let hist = this.latencyHistograms.get(cmd.fullName);
      if (!hist) this.latencyHistograms.set(cmd.fullName, (hist = new Histogram()));
      hist.record(usec);
    }
    h.stats.totalCommands++;
    c.lastCommand = cmd.fullName;
    c.cmd = prevCmd;
    if (replyModeBefore !== ReplyMode.On && !c.isMaster) {
      // CLIENT REPLY OFF/SKIP: drop what the command wrote; CLIENT REPLY ON itself is answered,
      // and (un)subscribe confirmations are pushes, which 7.0 delivers regardless.
      if (!(cmd.fullName === 'client|reply' && c.replyMode === ReplyMode.On) && !SUBSCRIPTION_COMMANDS.has(cmd.name)) c.w.len = replyStart;
      if (replyModeBefore === ReplyMode.Skip && c.replyMode === ReplyMode.Skip) c.replyMode = ReplyMode.On;
    }
    const hot = h.hot;
    const slow = hot.slowlogThreshold >= 0 && usec >= hot.slowlogThreshold && !cmd.flagSet.has('skip_slowlog');
    const monitored = h.monitors.size > 0 && !cmd.flagSet.has('skip_monitor') && !cmd.flagSet.has('admin') && (!nested || c.luaClient);
    // What logs show hides passwords and ACL rules (7.0 redacts them while running the command).
    const shown = (slow || monitored) && h.hooks.acl ? h.hooks.acl.redact(cmd, argv) : argv;
    if (slow) h.slowlog.add(c, shown, usec);
    if (hot.latencyThreshold > 0) h.latency.maybeAdd(cmd.flagSet.has('fast') ? 'fast-command' : 'command', usec / 1000, hot.latencyThreshold);
    if (monitored) this.feedMonitors(c, shown);
    // A command that resets dirty (DEBUG LOADAOF, DEBUG RELOAD) changed nothing to propagate (call()'s dirty < 0).
    if ((h.dirty > dirtyBefore || c.forcePropagation) && !c.preventPropagation) {
      this.unit.add(c.db.id, c.propagateArgv ?? argv, c.propagateTarget);
    }
    c.propagateArgv = null;
    c.preventPropagation = false;
    c.forcePropagation = false;
    if (!nested) {
      // Still executing until here: the command joins its unit after what it caused (an
      // expired key's DEL), instead of going out alone before it.
      this.unit.active = false;
      // Run directly, a command that may expire arbitrary keys sends their DELs bare, like
      // active expiry (7.0's CMD_TOUCHES_ARBITRARY_KEYS); inside EXEC they stay in the unit.
      this.unit.flush(!TOUCHES_ARBITRARY_KEYS.has(cmd.name));
      if (h.replication.masterReplOffset !== offBefore) c.woff = h.replication.masterReplOffset;
      h.blocking.handleReady();
    }
  }

  /**
   * Runs `fn` as one execution unit outside the command loop (frozen clock, propagation
   * collected and emitted together): used to serve blocked clients and reply their timeouts.
   */
  runUnit<T>(fn: () => T): T {
    if (this.unit.active) return fn();
    this.unit.active = true;
    this.host.keyspace.setNow(Date.now());
    try {
      return fn();
    } finally {
      this.unit.active = false;
      this.host.keyspace.setNow(0);
      this.unit.flush(true);
    }
  }

  /**
   * Queues a command for replicas/backlog as part of the running execution unit (a command,
   * a whole MULTI/EXEC). Outside a command (active expiry, eviction) it is emitted at once.
   */
  alsoPropagate(dbId: number, argv: string[]): void {
    this.unit.add(dbId, argv);
  }

  feedMonitors(c: Client, argv: string[]): void {
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    const usec = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
    const origin = c.luaClient ? 'lua' : c.unixSocket ? `unix:${this.host.config.str('unixsocket')}` : c.addr;
    let line = `+${sec}.${String(usec).padStart(6, '0')} [${c.db.id} ${origin}]`;
    for (const a of argv) line += ' ' + catRepr(a);
    line += '\r\n';
    for (const m of this.host.monitors) {
      if (m === c || m.isClosed) continue;
      m.w.raw(line);
      this.host.scheduleFlush(m);
    }
  }
}
