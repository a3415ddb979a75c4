#!/usr/bin/env node
/**
 * reddish-server [/path/to/redis.conf] [--directive value ...]
 *
 * Starts like redis-server. V8's heap limit cannot be raised once running, so when the limit
 * is smaller than the dataset may need (from `maxmemory`, or 3/4 of the machine's memory) the
 * process re-runs itself once with --max-old-space-size and forwards signals to that child.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';
import { Config } from '../config/config.js';
import { argvToConfig, FatalConfigError, loadServerConfig, reportFatalConfig } from '../config/loader.js';
import { SHUTDOWN } from '../config/config.js';
import { Server, ListenError } from '../server.js';
import { FatalLoadError } from '../persistence/persistence.js';
import { REDIS_VERSION, REDDISH_VERSION } from '../version.js';

const HEAP_ENV = 'REDDISH_HEAP_SIZED';
const DAEMON_ENV = 'REDDISH_DAEMONIZED';

function usage(): never {
  process.stderr.write(
    [
      'Usage: reddish-server [/path/to/redis.conf] [options]',
      '       reddish-server - (read config from stdin)',
      '       reddish-server -v or --version',
      '       reddish-server -h or --help',
      '',
      'Examples:',
      '       reddish-server (run the server with default conf)',
      '       reddish-server /etc/redis/6379.conf',
      '       reddish-server --port 7777',
      '       reddish-server --port 7777 --replicaof 127.0.0.1 8888',
      '       reddish-server /etc/myredis.conf --loglevel verbose',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

async function loadConfig(argv: string[]): Promise<{ config: Config; file: string }> {
  const config = new Config();
  const { file, options } = argvToConfig(argv);
  if (file === '-') loadServerConfig(config, null, await readStdin(), options);
  else {
    loadServerConfig(config, file, null, options);
    if (file !== null) config.configFile = file;
  }
  return { config, file: file && file !== '-' ? file : '' };
}

/** Heap the server should be allowed: maxmemory plus headroom, else 3/4 of physical memory. */
function desiredHeapMb(config: Config): number {
  const maxmemory = config.num('maxmemory');
  const total = os.totalmem();
  const bytes = maxmemory > 0 ? Math.min(total, maxmemory * 2 + 256 * 1024 * 1024) : total * 0.75;
  return Math.floor(bytes / (1024 * 1024));
}

function relaunch(heapMb: number): void {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [HEAP_ENV]: String(process.pid) },
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) {
    process.on(sig, () => child.kill(sig));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** When started by the launcher, exit if the launcher disappears (e.g. killed with SIGKILL). */
function watchLauncher(): void {
  const launcher = Number(process.env[HEAP_ENV]);
  if (!launcher) return;
  const t = setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGTERM');
  }, 500);
  t.unref();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=v8 bits=64 build=reddish-${REDDISH_VERSION}\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') usage();

  let loaded: { config: Config; file: string };
  try {
    loaded = await loadConfig(argv);
  } catch (e) {
    if (e instanceof FatalConfigError) {
      reportFatalConfig(e);
      process.exit(1);
    }
    throw e;
  }
  const { config, file } = loaded;

  if (config.bool('daemonize') && !process.env[DAEMON_ENV]) {
    // Like Redis: detach from the terminal; the daemon writes its own pid file and logs.
    const heap = `--max-old-space-size=${desiredHeapMb(config)}`;
    const child = spawn(process.execPath, [heap, ...process.execArgv, process.argv[1], ...argv], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [DAEMON_ENV]: '1', [HEAP_ENV]: '0' },
    });
    child.unref();
    return;
  }
  if (!process.env[HEAP_ENV]) {
    const want = desiredHeapMb(config);
    const have = v8.getHeapStatistics().heap_size_limit / (1024 * 1024);
    if (want > have * 1.05) {
      relaunch(want);
      return;
    }
  }
  watchLauncher();

  if (process.env[DAEMON_ENV] && config.str('pidfile') === '') {
    // Redis writes a pid file when daemonized even if none is configured.
    config.applyDirective(['pidfile', `/var/run/redis_${config.num('port')}.pid`]);
  }
  let server: Server;
  try {
    server = new Server(config);
  } catch (e) {
    // rename-command lines are checked against the command table the server builds.
    if (e instanceof FatalConfigError) {
      reportFatalConfig(e);
      process.exit(1);
    }
    throw e;
  }
  server.configFile = file;
  server.startedWithoutConfig = argv.length === 0;
  try {
    server.log.setFile(config.str('logfile'));
  } catch (e) {
    process.stderr.write(`Can't open the log file: ${(e as Error).message}\n`);
    process.exit(1);
  }
  server.onShutdown = (code) => process.exit(code);

  let signalled = false;
  const onSignal = (name: string) => {
    if (signalled) {
      server.log.warning(`You insist... exiting now.`);
      process.exit(1);
    }
    signalled = true;
    server.log.plain(`signal-handler (${Math.floor(Date.now() / 1000)}) Received ${name} scheduling shutdown...`);
    // shutdown-on-sigterm / shutdown-on-sigint: save, nosave and now are honoured; force is
    // not (a failing shutdown is reported and the server keeps running, which loses nothing).
    const flags = config.num(name === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm');
    const save = flags & SHUTDOWN.SAVE ? true : flags & SHUTDOWN.NOSAVE ? false : null;
    void server.shutdown({ save, fromSignal: name, now: (flags & SHUTDOWN.NOW) !== 0 }).then((err) => {
      if (err !== null) signalled = false;
    });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  try {
    await server.start();
  } catch (e) {
    if (e instanceof ListenError || e instanceof FatalLoadError) process.exit(1);
    throw e;
  }
}

main().catch((e) => {
  process.stderr.write(`reddish-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
