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
import { Client, ClientClass, READS_SHARED } from './net/client.js';
import type { Propagator, ServerHooks } from './exec/hooks.js';
import { Executor } from './exec/executor.js';

/** One read buffer for every client: reads are consumed synchronously, one at a time. */
const SHARED_READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
import { Stats } from './stats.js';
import { SlowLog, LatencyMonitor } from './diagnostics.js';
import { REDIS_VERSION } from './version.js';
import { adjustOpenFilesLimit, checkTcpBacklog, OpenFilesLimitError } from './config/limits.js';
import { registerAllCommands } from './commands/index.js';
import { MemoryTracker } from './memory.js';
import { SyslogSink } from './log/syslog.js';
import { BlockingManager } from './net/blocking.js';
import { Evictor } from './store/eviction.js';
import { Persistence } from './persistence/persistence.js';
import { installReplication } from './replication/index.js';
import { installTls, type TlsModule } from './tls/index.js';
import { installAof } from './aof/index.js';
import { installWatchdog } from './watchdog/index.js';
import type { ReplicationCore } from './replication/core.js';
import type { ScriptingMemory } from './scripting/index.js';
import type { RdbFunctions } from './persistence/rdb-types.js';

const PROTECTED_MODE_ERROR =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

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
  /** Asked before a client's replies are written: true holds them (the AOF's appendfsync always). */
  outputGate: ((c: Client) => boolean) | null = null;
  readonly blocking: BlockingManager;
  /** Command execution (checks, call, propagation) for clients, scripts and the replica link. */
  readonly exec: Executor;
  readonly evictor = new Evictor(this);
  readonly persistence: Persistence;
  /** Replication ids, offsets and backlog; master and replica sides hang off it. */
  readonly replication: ReplicationCore;
  /** tls-port listeners, TLS context reloads and the replica's TLS connections. */
  readonly tls: TlsModule;
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
  /** True while EXEC runs a transaction's commands (blocking commands then do not block). */
  inExec = false;
  /** Set while shutting down. */
  shuttingDown = false;
  /** Set as soon as a shutdown starts (before it waits for anything): a busy script then stops. */
  shutdownRequested = false;
  /** Called when the server has fully closed (the CLI exits the process). */
  onShutdown: ((code: number) => void) | null = null;
  tcpPort = 0;
  readonly runId: string;
  configFile = '';
  /** Actual bound addresses ("127.0.0.1:6379"). */
  boundAddresses: string[] = [];
  /** Function libraries as RDB files hold them (set by the scripting module). */
  rdbFunctions: RdbFunctions | null = null;
  /** Scripting: memory figures for INFO (set by the scripting module). */
  scriptingMemory: (() => ScriptingMemory) | null = null;
  /** Whether memory was over maxmemory when the running command was checked (Redis's pre_command_oom_state). */
  preCommandOom = false;
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
    this.exec = new Executor(this);
    this.persistence = new Persistence(this);
    this.tls = installTls(this);
    this.replication = installReplication(this);
    installAof(this);
    installWatchdog(this);
    registerAllCommands(this);
    // Expired keys are propagated to replicas as DEL (UNLINK with lazyfree-lazy-expire), like Redis.
    this.keyspace.addListener({
      expired: (db, key) => this.exec.alsoPropagate(db.id, [this.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]),
    });
  }

  private applyLogConfig(): void {
    this.log.level = LEVEL_NAMES.indexOf(this.config.str('loglevel') as (typeof LEVEL_NAMES)[number]) as LogLevel;
    this.log.role = () => (this.masterHost !== null ? 'S' : 'M');
    if (this.log.syslog === null && this.config.bool('syslog-enabled')) {
      this.log.syslog = new SyslogSink(this.config.str('syslog-ident'), this.config.str('syslog-facility'));
    }
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
        this.evictor.startProc();
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
    return this.hooks.acl ? this.hooks.acl.defaultRequiresAuth() : this.config.str('requirepass') !== '';
  }

  // ---------------------------------------------------------------- listening

  /** Binds every configured address and the unix socket. Resolves once listening. */
  async listen(): Promise<void> {
    const port = this.config.num('port');
    const binds = this.config.get<string[]>('bind');
    const addrs = binds.length > 0 ? binds : ['0.0.0.0', '-::'];
    // port 0 with a tls-port means TLS only (without one, port 0 + bind picks a free port).
    if (port !== 0 || (binds.length > 0 && this.config.num('tls-port') === 0)) {
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
    await this.tls.listen(addrs);
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

  /** Makes a client of an accepted (plain, unix or TLS) socket, or refuses it: null then. */
  acceptSocket(sock: net.Socket): Client | null {
    if (this.shuttingDown) {
      sock.destroy();
      return null;
    }
    if (this.clients.size >= this.config.num('maxclients')) {
      sock.end('-ERR max number of clients reached\r\n');
      this.stats.rejectedConnections++;
      return null;
    }
    if (this.config.bool('protected-mode') && !this.requiresAuth() && sock.remoteAddress !== undefined && !isLoopback(sock.remoteAddress)) {
      sock.end(PROTECTED_MODE_ERROR);
      this.stats.rejectedConnections++;
      return null;
    }
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0) sock.setKeepAlive(true, ka * 1000);
    const c = new Client(this, sock, this.nextClientId++);
    this.onAdopt?.(c);
    this.onAdopt = null;
    this.clients.set(c.id, c);
    if (this.startupHeld !== null) {
      sock.pause();
      this.startupHeld.push(sock);
    } else {
      sock.resume();
    }
    this.stats.totalConnections++;
    if (c.unixSocket) this.log.verbose(`Accepted connection to ${this.config.str('unixsocket')}`);
    else if (!(sock as { encrypted?: boolean }).encrypted) this.log.verbose(`Accepted ${c.addr}`);
    return c;
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

  // ---------------------------------------------------------------- CLIENT PAUSE

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
        this.exec.execute(c, argv);
        c.resume();
      }
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
  /** Replica side: bytes held in the rdb channel's full sync buffer (INFO mem_replica_full_sync_buffer). */
  replicaFullSyncBufferMemory: (() => number) | null = null;
  /** Per-command latency histograms (INFO latencystats). */
  readonly memory = new MemoryTracker(this);

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
    // Redis samples the peak in its cron too (and on every allocation).
    this.memory.sample();
    if (this.log.level <= LogLevel.Verbose && now - this.lastDbReport >= 5000) {
      this.lastDbReport = now;
      this.logDatabases();
      if (this.log.level <= LogLevel.Debug) {
        let replicas = 0;
        for (const c of this.clients.values()) if (c.isReplica && !c.isMonitor) replicas++;
        this.log.debug(`${this.clients.size - replicas} clients connected (${replicas} replicas), ${this.memory.used()} bytes in use`);
      }
    }
  }

  // 0: like run_with_period, the first cron tick reports.
  private lastDbReport = 0;

  /** serverCron's verbose report of non-empty databases, every 5 seconds. */
  private logDatabases(): void {
    for (const db of this.keyspace.dbs) {
      if (db.size === 0 && db.expires.size === 0) continue;
      this.log.verbose(`DB ${db.id}: ${db.size} keys (${db.expires.size} volatile) in ${htSlots(db.size)} slots HT.`);
    }
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
  /** Sockets accepted while starting: read once the startup tasks are done. */
  private startupHeld: net.Socket[] | null = null;
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
    // An embedded server leaves its host process's descriptor limit alone.
    if (!this.log.quietStdout) {
      try {
        adjustOpenFilesLimit(this.config, this.log);
      } catch (e) {
        if (e instanceof OpenFilesLimitError) throw new ListenError(e.message);
        throw e;
      }
    }
    this.tls.configureAtStartup();
    this.log.notice('monotonic clock: POSIX clock_gettime');
    // Connections accepted before the dataset is loaded wait unread, as in Redis's listen
    // backlog until its event loop starts; a command that still gets through answers -LOADING.
    this.loading = true;
    this.startupHeld = [];
    await this.listen();
    this.showBanner();
    checkTcpBacklog(this.config, this.log);
    this.log.warning('Server initialized');
    try {
      for (const t of this.startupTasks) await t();
    } finally {
      this.loading = false;
      const held = this.startupHeld ?? [];
      this.startupHeld = null;
      for (const sock of held) if (!sock.destroyed) sock.resume();
    }
    this.writePidFile();
    this.startCron();
    this.log.notice('Ready to accept connections');
    const unixPath = this.config.str('unixsocket');
    if (unixPath !== '') this.log.notice(`The server is now ready to accept connections at ${unixPath}`);
    const maxmemory = this.config.num('maxmemory');
    if (maxmemory > 0 && maxmemory < 1024 * 1024) {
      this.log.warning(`WARNING: You specified a maxmemory value that is less than 1MB (current value is ${maxmemory} bytes). Are you sure this is what you really want?`);
    }
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
    this.shutdownRequested = true;
    this.log.warning('User requested shutdown...');
    if (this.replicasBeforeShutdown && !(await this.replicasBeforeShutdown(opts.now ?? false))) {
      this.shutdownRequested = false;
      return 'Errors trying to SHUTDOWN. Check logs.';
    }
    this.replicasAtShutdown?.report();
    for (const t of this.shutdownTasks) {
      const err = t(opts);
      if (err !== null) {
        this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
        this.shutdownRequested = false;
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
    if (this.config.str('unixsocket') !== '') this.log.notice('Removing the unix socket file.');
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

/**
 * Buckets of Redis's main dict holding n keys: a power of two from 4 that doubles when it
 * fills (resize when used >= size) and is shrunk by the cron below 10% use, so the smallest
 * power of two >= n in steady state.
 */
function htSlots(n: number): number {
  let size = 4;
  while (size < n) size *= 2;
  return size;
}

export function describeListenError(err: NodeJS.ErrnoException): string {
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

export function randomHex(n: number): string {
  let s = '';
  const hex = '0123456789abcdef';
  for (let i = 0; i < n; i++) s += hex[Math.floor(Math.random() * 16)];
  return s;
}
