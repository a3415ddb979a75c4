/**
 * The composition root: builds configuration, logging, the keyspace and the command table,
 * listens for clients, dispatches commands with Redis's checks in Redis's order, and runs the
 * periodic cron (active expiry, client timeouts, output-limit checks, statistics).
 */
import net from 'node:net';
import { existsSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { Config, type OutputBufferLimits, type BufferLimit } from './config/config.js';
import { Logger, LogLevel, LEVEL_NAMES } from './log/logger.js';
import { asciiLogo, shouldShowLogo } from './log/banner.js';
import { isatty } from 'node:tty';
import { Keyspace } from './store/keyspace.js';
import { CommandTable, type Command } from './commands/registry.js';
import { Client, ClientClass, ReplyMode, READS_SHARED } from './net/client.js';

/** One read buffer for every client: reads are consumed synchronously, one at a time. */
const SHARED_READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
import { Stats } from './stats.js';
import { SlowLog, LatencyMonitor } from './diagnostics.js';
import { REDIS_VERSION } from './version.js';
import { registerAllCommands } from './commands/index.js';
import { catRepr } from './util/repr.js';
import { Histogram } from './util/histogram.js';
import { MemoryTracker } from './memory.js';
import { BlockingManager } from './net/blocking.js';
import { Evictor } from './store/eviction.js';
import { Persistence } from './persistence/persistence.js';
import { installReplication } from './replication/index.js';
import type { ReplicationCore } from './replication/core.js';

export interface Propagator {
  /** Feeds a write to replicas / the backlog. */
  propagate(dbId: number, argv: string[]): void;
}

/** Hooks that optional subsystems (transactions, pub/sub, replication, persistence) install. */
export interface ServerHooks {
  /** Extra INFO sections: name → lines. */
  infoSections: Map<string, () => string[]>;
  /** Reasons to refuse a write before it runs ("-MISCONF ...", "-NOREPLICAS ..."), or null. */
  writeGuards: ((c: Client, cmd: Command) => string | null)[];
  /** RESET: each subsystem drops the client's state (MULTI, WATCH, subscriptions). */
  clientReset: ((c: Client) => void)[];
  /** EXEC refused before it ran: the transactions module discards the client's transaction. */
  abortTransaction: ((c: Client) => void)[];
  /** After FLUSHDB (db id) or FLUSHALL (-1). */
  afterFlush: ((c: Client, dbId: number) => void)[];
  /** Reasons to refuse any command, checked after the pub/sub context and before -LOADING (-MASTERDOWN). */
  commandGuards: ((c: Client, cmd: Command) => string | null)[];
}

const PROTECTED_MODE_ERROR =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

/** Commands a client may run while in MULTI without them being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands that may lazily expire keys they were not given (KEYS, SCAN, RANDOMKEY). */
const TOUCHES_ARBITRARY_KEYS = new Set(['keys', 'scan', 'randomkey']);
/** Commands whose whole reply is (un)subscribe confirmations. */
const SUBSCRIPTION_COMMANDS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);
/** Commands allowed in a RESP2 subscribed context. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export class Server {
  readonly config: Config;
  readonly log = new Logger();
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable();
  readonly stats = new Stats();
  readonly slowlog: SlowLog;
  readonly latency = new LatencyMonitor();
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly hooks: ServerHooks = { infoSections: new Map(), writeGuards: [], clientReset: [], abortTransaction: [], afterFlush: [], commandGuards: [] };
  /** DEBUG subcommands contributed by subsystems (RELOAD, DIGEST, ...). */
  readonly debugSubcommands = new Map<string, { usage: string; help: string; handler: (c: Client, argv: string[]) => void }>();
  propagator: Propagator | null = null;
  readonly blocking: BlockingManager;
  readonly evictor = new Evictor(this);
  readonly persistence: Persistence;
  /** Replication ids, offsets and backlog; master and replica sides hang off it. */
  readonly replication: ReplicationCore;
  /** Replication module: AUX fields (repl-id, repl-offset, repl-stream-db) for RDB files. */
  replicationAux: (() => { replId?: string; replOffset?: number; replStreamDb?: number }) | null = null;
  /** Replication module: AUX fields read while loading an RDB. */
  rdbAux: ((key: string, value: string) => void) | null = null;
  /** Changes since the last save (Redis's server.dirty). */
  dirty = 0;
  /** Unix time (s) of the last successful save. */
  lastSave = Math.floor(Date.now() / 1000);
  /** Host/port of our master, or null when we are a master (replication module sets it). */
  masterHost: string | null = null;
  /** While true, commands without the 'loading' flag get -LOADING. */
  loading = false;
  /** Optional: replicas' empty-line keepalives (replication module). */
  replicaNewline: ((c: Client) => void) | null = null;
  /** CLIENT PAUSE state: 0 = none, until = ms deadline, writesOnly = PAUSE WRITE. */
  pause = { until: 0, writesOnly: false };
  /** Clients waiting for the pause to end. */
  readonly pausedClients = new Set<Client>();
  /** Clients with output produced outside their own read loop, flushed on the next tick. */
  private readonly pendingFlush = new Set<Client>();
  private flushScheduled = false;
  private nextClientId = 1;
  private servers: net.Server[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  readonly startedAt = Date.now();
  /** Replies executed per command, for the "cmd" field and stats. */
  executing = false;
  /** True while EXEC runs a transaction's commands (blocking commands then do not block). */
  inExec = false;
  /** Set while shutting down. */
  shuttingDown = false;
  /** Called when the server has fully closed (the CLI exits the process). */
  onShutdown: ((code: number) => void) | null = null;
  tcpPort = 0;
  readonly runId: string;
  configFile = '';
  /** Actual bound addresses ("127.0.0.1:6379"). */
  boundAddresses: string[] = [];
  /** Sub-systems that want to run at each cron tick. */
  readonly cronTasks: ((now: number) => void)[] = [];
  /** Sub-systems that must be stopped on close. */
  readonly closeTasks: (() => void | Promise<void>)[] = [];

  constructor(config: Config) {
    this.config = config;
    this.keyspace = new Keyspace(config.num('databases'));
    this.slowlog = new SlowLog(config);
    this.runId = randomHex(40);
    this.applyLogConfig();
    this.refreshHot();
    config.onChange((name) => this.onConfigChange(name));
    this.blocking = new BlockingManager(this);
    this.persistence = new Persistence(this);
    this.replication = installReplication(this);
    registerAllCommands(this);
    // Expired keys are propagated to replicas as DEL (UNLINK with lazyfree-lazy-expire), like Redis.
    this.keyspace.addListener({
      expired: (db, key) => this.propagate(db.id, [this.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]),
    });
  }

  private applyLogConfig(): void {
    this.log.level = LEVEL_NAMES.indexOf(this.config.str('loglevel') as (typeof LEVEL_NAMES)[number]) as LogLevel;
    this.log.role = () => (this.masterHost !== null ? 'S' : 'M');
    this.keyspace.lfu = this.config.str('maxmemory-policy').includes('lfu');
    this.keyspace.lfuLogFactor = this.config.num('lfu-log-factor');
    this.keyspace.lfuDecayTime = this.config.num('lfu-decay-time');
  }

  /** Config values read on every command, refreshed whenever the config changes. */
  hot = { slowlogThreshold: 10000, latencyThreshold: 0, queryBufferLimit: 1024 * 1024 * 1024, maxmemory: 0 };

  private refreshHot(): void {
    this.hot = {
      slowlogThreshold: this.config.num('slowlog-log-slower-than'),
      latencyThreshold: this.config.num('latency-monitor-threshold'),
      queryBufferLimit: this.config.num('client-query-buffer-limit'),
      maxmemory: this.config.num('maxmemory'),
    };
    this.latencyTracking = this.config.bool('latency-tracking');
  }

  private onConfigChange(name: string): void {
    this.refreshHot();
    switch (name) {
      case 'maxmemory': {
        const limit = this.hot.maxmemory;
        if (limit === 0) break;
        const used = this.evictor.used();
        if (limit < used) {
          this.log.warning(
            `WARNING: the new maxmemory value set via CONFIG SET (${limit}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
          );
        }
        // Like Redis's eviction time proc: evict now, outside any command, not at the next write.
        setImmediate(() => {
          if (this.hot.maxmemory > 0) this.evictor.perform();
        });
        break;
      }
      case 'loglevel':
      case 'maxmemory-policy':
      case 'lfu-log-factor':
      case 'lfu-decay-time':
        this.applyLogConfig();
        break;
      case 'hz':
        this.restartCron();
        break;
      case 'proto-max-bulk-len':
        for (const c of this.clients.values()) c.parser.limits.maxBulkLen = this.config.num('proto-max-bulk-len');
        break;
    }
  }

  requiresAuth(): boolean {
    return this.config.str('requirepass') !== '';
  }

  // ---------------------------------------------------------------- listening

  /** Binds every configured address and the unix socket. Resolves once listening. */
  async listen(): Promise<void> {
    const port = this.config.num('port');
    const binds = this.config.get<string[]>('bind');
    if (port !== 0 || binds.length > 0) {
      const addrs = binds.length > 0 ? binds : ['0.0.0.0', '-::'];
      let chosenPort = port;
      for (const raw of addrs) {
        const optional = raw.startsWith('-');
        const host = optional ? raw.slice(1) : raw;
        try {
          const s = await this.listenOne({ host, port: chosenPort });
          const a = s.address() as net.AddressInfo;
          chosenPort = a.port; // port 0: every address shares the first one the OS picked
          this.boundAddresses.push(`${host}:${a.port}`);
          this.tcpPort = a.port;
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT' || err.code === 'EINVAL')) {
            this.log.warning(`Could not create server TCP listening socket ${host}:${chosenPort}: ${describeListenError(err)}`);
            continue;
          }
          this.log.warning(`Warning: Could not create server TCP listening socket ${host}:${chosenPort}: ${describeListenError(err)}`);
          this.log.warning(`Failed listening on port ${chosenPort} (TCP), aborting.`);
          throw new ListenError(`Failed listening on port ${chosenPort} (TCP): ${describeListenError(err)}`);
        }
      }
    }
    const unixPath = this.config.str('unixsocket');
    if (unixPath !== '') {
      if (existsSync(unixPath)) unlinkSync(unixPath);
      try {
        await this.listenOne({ path: unixPath });
      } catch (e) {
        this.log.warning(`Failed opening Unix socket: ${(e as Error).message}`);
        throw new ListenError(`Failed opening Unix socket: ${(e as Error).message}`);
      }
      const perm = this.config.num('unixsocketperm');
      if (perm) chmodSync(unixPath, perm);
    }
  }

  private listenOne(opts: net.ListenOptions): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const s = net.createServer({ noDelay: true, pauseOnConnect: true }, (sock) => this.accept(sock, s));
      s.once('error', reject);
      s.listen({ ...opts, backlog: this.config.num('tcp-backlog'), ipv6Only: opts.host?.includes(':') }, () => {
        s.off('error', reject);
        s.on('error', (err) => this.log.warning(`Accepting client connection: ${err.message}`));
        this.servers.push(s);
        resolve(s);
      });
    });
  }

  /**
   * Takes over an accepted connection. Its handle is re-wrapped in a socket that reads into one
   * shared 64 KB buffer (Node's `onread` option): no buffer allocation per read and no 'data'
   * event machinery; the client consumes each read synchronously and copies only leftovers.
   */
  private accept(raw: net.Socket, listener: net.Server): void {
    const sock = this.adopt(raw, listener);
    if (sock) this.acceptSocket(sock);
  }

  private adopt(raw: net.Socket, listener: net.Server): net.Socket | null {
    const internal = raw as unknown as { _handle: unknown; _server: unknown };
    const handle = internal._handle;
    if (!handle) return null;
    let client: Client | null = null;
    const sock = new net.Socket({
      handle: handle as never,
      readable: true,
      writable: true,
      onread: {
        buffer: SHARED_READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          if (client) client.onRead(Buffer.from(buf.buffer, buf.byteOffset, n));
          return true;
        },
      },
    } as net.SocketConstructorOpts);
    internal._handle = null;
    // Keep the listener's connection count right (it is decremented when this socket closes).
    const adopted = sock as unknown as { _server: unknown; server: unknown; [READS_SHARED]: boolean };
    adopted._server = listener;
    adopted.server = listener;
    adopted[READS_SHARED] = true;
    this.onAdopt = (c) => (client = c);
    return sock;
  }

  /** Set by adopt(): gives the new client to the socket's read callback. */
  private onAdopt: ((c: Client) => void) | null = null;

  private acceptSocket(sock: net.Socket): void {
    if (this.shuttingDown) {
      sock.destroy();
      return;
    }
    if (this.clients.size >= this.config.num('maxclients')) {
      sock.end('-ERR max number of clients reached\r\n');
      this.stats.rejectedConnections++;
      return;
    }
    if (this.config.bool('protected-mode') && !this.requiresAuth() && sock.remoteAddress !== undefined && !isLoopback(sock.remoteAddress)) {
      sock.end(PROTECTED_MODE_ERROR);
      this.stats.rejectedConnections++;
      return;
    }
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0) sock.setKeepAlive(true, ka * 1000);
    const c = new Client(this, sock, this.nextClientId++);
    this.onAdopt?.(c);
    this.onAdopt = null;
    this.clients.set(c.id, c);
    sock.resume();
    this.stats.totalConnections++;
    this.log.verbose(`Accepted ${c.addr}`);
  }

  /** A client not tied to a socket (the replication link's master client, tests). */
  createClient(socket: net.Socket | null): Client {
    const c = new Client(this, socket, this.nextClientId++);
    this.clients.set(c.id, c);
    return c;
  }

  removeClient(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
    this.pausedClients.delete(c);
    this.pendingFlush.delete(c);
  }

  // ---------------------------------------------------------------- dispatch

  /** Redis's processCommand: checks in Redis's order, then runs or queues the command. */
  execute(c: Client, argv: string[]): void {
    const cmd = this.commands.lookup(argv);
    if (cmd === undefined) {
      const base = this.commands.get(argv[0]);
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
    if (!c.authenticated && !cmd.flagSet.has('no_auth')) {
      this.reject(c, cmd, 'NOAUTH Authentication required.');
      return;
    }
    if (c.inMulti && cmd.flagSet.has('no_multi')) {
      this.reject(c, cmd, 'ERR Command not allowed inside a transaction');
      return;
    }
    if (cmd.name === 'exec' && c.multiQueue !== null) return this.executeExec(c, cmd, argv);
    this.checkAndRun(c, cmd, argv);
  }

  /**
   * EXEC is checked as the transaction it runs (7.0): a write if any queued command writes,
   * deny-OOM if any is, deny-stale unless all are allowed on a stale replica. A refusal aborts
   * the transaction with EXECABORT.
   */
  private executeExec(c: Client, exec: Command, argv: string[]): void {
    const flags = new Set(exec.flagSet);
    let write = false;
    for (const q of c.multiQueue!) {
      const qc = this.commands.lookup(q);
      if (!qc) continue;
      if (qc.isWrite) write = true;
      if (qc.flagSet.has('denyoom')) flags.add('denyoom');
      if (!qc.flagSet.has('stale')) flags.delete('stale');
    }
    if (write) flags.add('write');
    this.checkAndRun(c, { ...exec, flagSet: flags, isWrite: write }, argv);
  }

  private checkAndRun(c: Client, cmd: Command, argv: string[]): void {
    const isWrite = cmd.isWrite;
    if (isWrite) {
      for (const guard of this.hooks.writeGuards) {
        const err = guard(c, cmd);
        if (err !== null) {
          this.reject(c, cmd, err);
          return;
        }
      }
    }
    if (this.hot.maxmemory > 0 && !(c.isMaster && this.config.bool('replica-ignore-maxmemory'))) {
      if (cmd.flagSet.has('denyoom')) this.evictor.noteWrite(argv);
      const outOfMemory = !this.evictor.perform();
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
    for (const guard of this.hooks.commandGuards) {
      const err = guard(c, cmd);
      if (err !== null) {
        this.reject(c, cmd, err);
        return;
      }
    }
    if (this.loading && !cmd.flagSet.has('loading')) {
      this.reject(c, cmd, 'LOADING Redis is loading the dataset in memory');
      return;
    }
    if (this.isPausedFor(c, cmd, isWrite)) {
      // Hold the client (and this command) until the pause ends.
      c.pausedByServer = true;
      c.heldCommand = argv;
      this.pausedClients.add(c);
      return;
    }
    if (c.inMulti && !MULTI_IMMEDIATE.has(cmd.name)) {
      c.multiQueue!.push(argv);
      c.w.raw('+QUEUED\r\n');
      return;
    }
    this.call(c, this.realCommand(cmd), argv);
  }

  /** The table's command behind EXEC's transaction view (statistics belong to it). */
  private realCommand(cmd: Command): Command {
    return cmd.name === 'exec' ? this.commands.get('exec')! : cmd;
  }

  private reject(c: Client, cmd: Command, err: string): void {
    this.realCommand(cmd).rejectedCalls++;
    if (cmd.name === 'exec' && c.inMulti) {
      for (const abort of this.hooks.abortTransaction) abort(c);
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
    if (this.pause.until === 0 || c.isMaster || c.isReplica) return false;
    if (Date.now() >= this.pause.until) {
      this.unpause();
      return false;
    }
    if (!this.pause.writesOnly) return true;
    // PAUSE WRITE holds writes, EVAL/publish-like may_replicate commands, and EXEC of writes.
    return isWrite || cmd.flagSet.has('may_replicate');
  }

  /** Ends CLIENT PAUSE and lets held clients run their command. */
  unpause(): void {
    this.pause.until = 0;
    const held = [...this.pausedClients];
    this.pausedClients.clear();
    for (const c of held) {
      c.pausedByServer = false;
      const argv = c.heldCommand;
      c.heldCommand = null;
      if (argv && !c.isClosed) {
        this.execute(c, argv);
        c.resume();
      }
    }
  }

  /** Redis's call(): runs a command with statistics, slowlog, MONITOR feed and propagation. */
  call(c: Client, cmd: Command, argv: string[]): void {
    const prevCmd = c.cmd;
    c.cmd = cmd;
    c.lastCommand = cmd.fullName;
    c.errored = false;
    const dirtyBefore = this.dirty;
    const offBefore = this.replication.masterReplOffset;
    const replyStart = c.w.len;
    const replyModeBefore = c.replyMode;
    const nested = this.executing;
    this.executing = true;
    if (!nested) this.keyspace.setNow(Date.now());
    const t0 = performance.now();
    try {
      cmd.handler!(c, argv);
    } catch (e) {
      // A bug must not take the server down: answer with an error and log it.
      this.log.warning(`Error executing '${cmd.fullName}': ${(e as Error).stack ?? e}`);
      c.error(`ERR internal error while executing '${cmd.fullName}': ${(e as Error).message}`);
    } finally {
      if (!nested) this.keyspace.setNow(0);
    }
    const usec = (performance.now() - t0) * 1000;
    cmd.calls++;
    cmd.usec += usec;
    if (c.errored) cmd.failedCalls++;
    if (this.latencyTracking) {
      let h = this.latencyHistograms.get(cmd.fullName);
      if (!h) this.latencyHistograms.set(cmd.fullName, (h = new Histogram()));
      h.record(usec);
    }
    this.stats.totalCommands++;
    c.lastCommand = cmd.fullName;
    c.cmd = prevCmd;
    if (replyModeBefore !== ReplyMode.On && !c.isMaster) {
      // CLIENT REPLY OFF/SKIP: drop what the command wrote; CLIENT REPLY ON itself is answered,
      // and (un)subscribe confirmations are pushes, which 7.0 delivers regardless.
      if (!(cmd.fullName === 'client|reply' && c.replyMode === ReplyMode.On) && !SUBSCRIPTION_COMMANDS.has(cmd.name)) c.w.len = replyStart;
      if (replyModeBefore === ReplyMode.Skip && c.replyMode === ReplyMode.Skip) c.replyMode = ReplyMode.On;
    }
    const hot = this.hot;
    if (hot.slowlogThreshold >= 0 && usec >= hot.slowlogThreshold && !cmd.flagSet.has('skip_slowlog')) this.slowlog.add(c, argv, usec);
    if (hot.latencyThreshold > 0) this.latency.maybeAdd(cmd.flagSet.has('fast') ? 'fast-command' : 'command', usec / 1000, hot.latencyThreshold);
    if (this.monitors.size > 0 && !cmd.flagSet.has('skip_monitor') && !cmd.flagSet.has('admin') && !nested) {
      this.feedMonitors(c, argv);
    }
    if ((this.dirty !== dirtyBefore || c.forcePropagation) && !c.preventPropagation) {
      this.alsoPropagate(c.db.id, c.propagateArgv ?? argv);
    }
    c.propagateArgv = null;
    c.preventPropagation = false;
    c.forcePropagation = false;
    if (!nested) {
      // Still executing until here: the command joins its unit after what it caused (an
      // expired key's DEL), instead of going out alone before it.
      this.executing = false;
      // Run directly, a command that may expire arbitrary keys sends their DELs bare, like
      // active expiry (7.0's CMD_TOUCHES_ARBITRARY_KEYS); inside EXEC they stay in the unit.
      this.flushPropagation(!TOUCHES_ARBITRARY_KEYS.has(cmd.name));
      if (this.replication.masterReplOffset !== offBefore) c.woff = this.replication.masterReplOffset;
      this.blocking.handleReady();
    }
  }

  /**
   * Runs `fn` as one execution unit outside the command loop (frozen clock, propagation
   * collected and emitted together): used to serve blocked clients and reply their timeouts.
   */
  runUnit<T>(fn: () => T): T {
    if (this.executing) return fn();
    this.executing = true;
    this.keyspace.setNow(Date.now());
    try {
      return fn();
    } finally {
      this.executing = false;
      this.keyspace.setNow(0);
      this.flushPropagation();
    }
  }

  /** Commands of the current execution unit, emitted together when it ends. */
  private unit: { db: number; argv: string[] }[] = [];

  /**
   * Queues a command for replicas/backlog as part of the running execution unit (a command,
   * a whole MULTI/EXEC). Outside a command (active expiry, eviction) it is emitted at once.
   */
  alsoPropagate(dbId: number, argv: string[]): void {
    if (!this.propagator) return;
    if (!this.executing) {
      this.propagator.propagate(dbId, argv);
      return;
    }
    this.unit.push({ db: dbId, argv });
  }

  /** Emits the unit: bare when it has one command, wrapped in MULTI/EXEC when more (7.0 rule). */
  flushPropagation(wrap = true): void {
    const unit = this.unit;
    if (unit.length === 0) return;
    this.unit = [];
    const p = this.propagator;
    if (!p) return;
    if (unit.length === 1 || !wrap) {
      for (const u of unit) p.propagate(u.db, u.argv);
      return;
    }
    p.propagate(unit[0].db, ['MULTI']);
    for (const u of unit) p.propagate(u.db, u.argv);
    p.propagate(unit[unit.length - 1].db, ['EXEC']);
  }

  /** Kept for callers that propagate outside the command path. */
  propagate(dbId: number, argv: string[]): void {
    this.alsoPropagate(dbId, argv);
  }

  private feedMonitors(c: Client, argv: string[]): void {
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    const usec = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
    const origin = c.unixSocket ? `unix:${this.config.str('unixsocket')}` : c.isMaster ? c.addr : c.addr;
    let line = `+${sec}.${String(usec).padStart(6, '0')} [${c.db.id} ${origin}]`;
    for (const a of argv) line += ' ' + catRepr(a);
    line += '\r\n';
    for (const m of this.monitors) {
      if (m === c || m.isClosed) continue;
      m.w.raw(line);
      this.scheduleFlush(m);
    }
  }

  /** Flushes a client's output on the next tick (replies pushed by other clients). */
  scheduleFlush(c: Client): void {
    this.pendingFlush.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const list = [...this.pendingFlush];
      this.pendingFlush.clear();
      for (const x of list) x.flush();
    });
  }

  /** Counts an error reply by its code for INFO errorstats. */
  countError(msg: string): void {
    let sp = msg.indexOf(' ');
    if (sp < 0) sp = msg.length;
    const code = msg.slice(0, sp);
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  // ---------------------------------------------------------------- output limits

  limitsFor(c: Client): BufferLimit {
    const all = this.config.get<OutputBufferLimits>('client-output-buffer-limit');
    const cls = c.outputClass;
    const l = cls === ClientClass.Replica ? all.replica : cls === ClientClass.PubSub ? all.pubsub : all.normal;
    if (cls === ClientClass.Replica && l.hard !== 0 && l.hard < this.config.num('repl-backlog-size')) {
      // 7.0 never closes a replica below the backlog size.
      return { ...l, hard: this.config.num('repl-backlog-size') };
    }
    return l;
  }

  /** Memory a replica's output holds (overridden by the replication module's shared buffer). */
  replicaOutputMemory(c: Client): number {
    return this.replicationBuffers?.memoryOf(c) ?? c.pendingOutput();
  }

  replicaOutputBlocks(c: Client): number {
    return this.replicationBuffers?.blocksOf(c) ?? 0;
  }

  /** Pub/sub module: [channels, patterns] for INFO stats. */
  pubsubCounts: (() => [number, number]) | null = null;
  /** Replication module: memory held by the backlog and replica buffers for INFO memory. */
  replicationMemory: (() => { backlog: number; buffers: number; replicasExtra: number }) | null = null;
  /** Per-command latency histograms (INFO latencystats). */
  readonly latencyHistograms = new Map<string, Histogram>();
  readonly memory = new MemoryTracker();

  /** Set by the replication module: accounts replicas' output in shared blocks like 7.0. */
  replicationBuffers: { memoryOf(c: Client): number; blocksOf(c: Client): number } | null = null;

  /**
   * Redis's checkClientOutputBufferLimits + close: returns true if the client was scheduled to
   * be closed. `async` closes from the write path (logged "scheduled to be closed ASAP"),
   * otherwise from the cron ("closed for overcoming...").
   */
  checkOutputLimits(c: Client, fromCron = false): boolean {
    if (c.closeAsap || c.isClosed) return false;
    const l = this.limitsFor(c);
    if (l.hard === 0 && l.soft === 0) return false;
    const used = c.outputClass === ClientClass.Replica ? this.replicaOutputMemory(c) : c.pendingOutput() - Math.min(c.pendingOutput(), 16 * 1024);
    const hardHit = l.hard !== 0 && used >= l.hard;
    let softHit = false;
    if (l.soft !== 0 && used >= l.soft) {
      const nowSec = Math.floor(Date.now() / 1000);
      if (c.softLimitSince === 0) c.softLimitSince = nowSec;
      else softHit = nowSec - c.softLimitSince > l.softSeconds;
    } else {
      c.softLimitSince = 0;
    }
    if (!hardHit && !softHit) return false;
    const info = c.info();
    this.stats.clientOutputBufferLimitDisconnections++;
    if (!fromCron) {
      this.log.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      c.closeAsap = true;
      setImmediate(() => c.close());
    } else {
      c.closeAsap = true;
      c.close();
      this.log.warning(`Client ${info} closed for overcoming of output buffer limits.`);
    }
    return true;
  }

  // ---------------------------------------------------------------- cron

  startCron(): void {
    this.restartCron();
  }

  private restartCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.max(1, Math.min(500, this.config.num('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  private cron(): void {
    if (this.cronPaused) return;
    const now = Date.now();
    this.stats.sample(now);
    const hz = Math.max(1, this.config.num('hz'));
    // Active expiry: 25% of each cron period at effort 1, as Redis's slow cycle.
    const effort = this.config.num('active-expire-effort');
    if (this.activeExpireEnabled) {
      const t0 = performance.now();
      this.keyspace.activeExpireCycle(((1000 / hz) * (25 + 2 * (effort - 1))) / 100);
      // An expired stream wakes its XREADGROUP readers with an error, as in Redis's beforeSleep.
      this.blocking.handleReady();
      this.latency.maybeAdd('expire-cycle', performance.now() - t0, this.hot.latencyThreshold);
    }
    if (this.pause.until !== 0 && now >= this.pause.until) this.unpause();
    const timeout = this.config.num('timeout');
    for (const c of this.clients.values()) {
      if (timeout > 0 && !c.isReplica && !c.isMaster && !c.blocked && !c.inPubSub && now - c.lastInteraction > timeout * 1000) {
        this.log.verbose('Closing idle client');
        c.close();
        continue;
      }
      if (c.isReplica || c.softLimitSince !== 0 || c.pendingOutput() > 0) this.checkOutputLimits(c, true);
      c.resizeReplyBuffer(now);
    }
    for (const task of this.cronTasks) task(now);
  }

  /** Mirrors the latency-tracking config (read on every command). */
  latencyTracking = true;

  /** DEBUG SET-ACTIVE-EXPIRE toggles this. */
  activeExpireEnabled = true;
  /** DEBUG PAUSE-CRON: the periodic tasks are skipped while set. */
  cronPaused = false;

  // ---------------------------------------------------------------- lifecycle

  /** Work to do after "Server initialized" and before accepting clients (loading the RDB). */
  readonly startupTasks: (() => void | Promise<void>)[] = [];
  /** True when no config file and no options were given (Redis warns about it). */
  startedWithoutConfig = false;

  /**
   * Starts like redis-server: the banner lines, listening sockets, pid file, startup tasks,
   * then "Ready to accept connections". Throws ListenError if a socket cannot be bound.
   */
  async start(): Promise<void> {
    const W = LogLevel.Warning;
    this.log.raw(W, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'C');
    this.log.raw(W, `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`, 'C');
    if (this.startedWithoutConfig) {
      this.log.raw(
        W,
        'Warning: no config file specified, using the default config. In order to specify a config file use reddish-server /path/to/redis.conf',
        'C',
      );
    } else {
      this.log.raw(W, 'Configuration loaded', 'C');
    }
    this.log.notice('monotonic clock: POSIX clock_gettime');
    await this.listen();
    this.showBanner();
    this.log.warning('Server initialized');
    for (const t of this.startupTasks) await t();
    this.writePidFile();
    this.startCron();
    this.log.notice('Ready to accept connections');
  }

  private showBanner(): void {
    const show = shouldShowLogo({
      alwaysShowLogo: this.config.bool('always-show-logo'),
      syslogEnabled: this.config.bool('syslog-enabled'),
      logfile: this.log.getFile(),
      stdoutIsTty: !this.log.quietStdout && isatty(1),
    });
    if (show) this.log.block(LogLevel.Notice, asciiLogo(REDIS_VERSION, 'standalone', this.tcpPort, process.pid));
    else this.log.notice(`Running mode=standalone, port=${this.tcpPort}.`);
  }

  writePidFile(): void {
    const pidfile = this.config.str('pidfile');
    if (pidfile !== '') {
      try {
        writeFileSync(pidfile, `${process.pid}\n`);
      } catch (e) {
        this.log.warning(`Failed to write PID file: ${(e as Error).message}`);
      }
    }
  }

  /** Stops listening, closes clients and runs shutdown tasks. */
  async close(): Promise<void> {
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    const closing = this.servers.map(
      (s) =>
        new Promise<void>((r) => {
          s.close(() => r());
        }),
    );
    this.servers = [];
    // net.Server.close waits for open connections, so drop the clients first.
    for (const c of [...this.clients.values()]) c.close();
    await Promise.all(closing);
    for (const t of this.closeTasks) await t();
    const unixPath = this.config.str('unixsocket');
    if (unixPath !== '' && existsSync(unixPath)) {
      try {
        unlinkSync(unixPath);
      } catch {
        // already gone
      }
    }
  }

  /**
   * SHUTDOWN / SIGTERM: logs like Redis, runs the pre-shutdown tasks (final save), removes
   * the pid file and closes. Returns an error message if a required save failed.
   */
  shutdownTasks: ((opts: { save: boolean | null }) => string | null)[] = [];

  /**
   * Replication: before shutting down, give lagging replicas up to shutdown-timeout to catch up
   * (writes paused), then report them. Resolves false when SHUTDOWN ABORT cancelled the wait.
   */
  replicasBeforeShutdown: ((now: boolean) => Promise<boolean>) | null = null;
  /**
   * Replication: `report` logs the lagging replicas before the final save; `flush` hands every
   * replica its pending stream once the shutdown is certain (a failed save cancels it).
   */
  replicasAtShutdown: { report(): void; flush(): void } | null = null;
  /** Set while a shutdown waits for replicas (SHUTDOWN ABORT cancels it). */
  shutdownPending: { cancel: () => void } | null = null;

  async shutdown(opts: { save: boolean | null; fromSignal?: string; now?: boolean }): Promise<string | null> {
    if (this.shuttingDown || this.shutdownPending !== null) return null;
    this.log.warning('User requested shutdown...');
    if (this.replicasBeforeShutdown && !(await this.replicasBeforeShutdown(opts.now ?? false))) return 'Errors trying to SHUTDOWN. Check logs.';
    this.replicasAtShutdown?.report();
    for (const t of this.shutdownTasks) {
      const err = t(opts);
      if (err !== null) {
        this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
        return err;
      }
    }
    this.shuttingDown = true;
    this.replicasAtShutdown?.flush();
    const pidfile = this.config.str('pidfile');
    if (pidfile !== '') {
      this.log.notice('Removing the pid file.');
      try {
        unlinkSync(pidfile);
      } catch {
        // nothing to remove
      }
    }
    await this.close();
    this.log.warning('Redis is now ready to exit, bye bye...');
    this.onShutdown?.(0);
    return null;
  }

  get uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }

  get version(): string {
    return REDIS_VERSION;
  }

}

export class ListenError extends Error {}

function describeListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'Address already in use';
    case 'EADDRNOTAVAIL':
      return 'Cannot assign requested address';
    case 'EACCES':
      return 'Permission denied';
    case 'EAFNOSUPPORT':
      return 'Address family not supported by protocol';
    default:
      return err.message;
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function trunc(s: string): string {
  return s.length > 128 ? s.slice(0, 128) : s;
}

export function randomHex(n: number): string {
  let s = '';
  const hex = '0123456789abcdef';
  for (let i = 0; i < n; i++) s += hex[Math.floor(Math.random() * 16)];
  return s;
}
