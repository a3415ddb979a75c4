#!/usr/bin/env node
/**
 * reddish-server [/path/to/redis.conf] [--directive value ...]
 *
 * Starts like redis-server, as one process: the PID a shell or supervisor gets is the server's.
 *
 *   main thread ──config OK──▶ server thread (worker, heap sized) ──exit(code)──▶ process exits
 *        │  SIGTERM / SIGINT relayed ─────────▲
 *
 * V8's heap limit is fixed when an isolate is created, and Node's default (about 4 GB) is too
 * small for the datasets a Redis holds. Re-running the process with --max-old-space-size would
 * change the PID, so the server runs in a worker thread of this process whose heap is sized from
 * `maxmemory` (or 3/4 of the machine's memory). The main thread only validates the config
 * (errors are reported before anything starts), relays signals and exits with the server.
 */
import os from 'node:os';
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { FatalConfigError, reportFatalConfig } from '../config/loader.js';
import { REDIS_VERSION, REDDISH_VERSION } from '../version.js';
import { daemonize, isDaemonChild, loadServerConfig, readStdin, type ServerThreadData } from './server-thread.js';

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

/** Heap the server should be allowed: maxmemory plus headroom, else 3/4 of physical memory. */
export function desiredHeapMb(config: Config): number {
  const maxmemory = config.num('maxmemory');
  const total = os.totalmem();
  const bytes = maxmemory > 0 ? Math.min(total, maxmemory * 2 + 256 * 1024 * 1024) : total * 0.75;
  return Math.floor(bytes / (1024 * 1024));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=v8 bits=64 build=reddish-${REDDISH_VERSION}\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') usage();

  const stdinText = argv[0] === '-' ? await readStdin() : null;
  let config: Config;
  try {
    config = loadServerConfig(argv, stdinText).config;
  } catch (e) {
    if (e instanceof FatalConfigError) {
      reportFatalConfig(e);
      process.exit(1);
    }
    throw e;
  }
  if (config.bool('daemonize') && !isDaemonChild()) {
    daemonize(argv);
    return;
  }

  const data: ServerThreadData = { argv, stdinText };
  const worker = new Worker(new URL('./server-thread.js', import.meta.url), {
    argv,
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: desiredHeapMb(config) },
    stdout: false,
    stderr: false,
  });
  // Redis ignores SIGHUP and SIGPIPE; TERM and INT start its shutdown.
  process.on('SIGHUP', () => {});
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => worker.postMessage({ signal: sig }));
  worker.on('error', (e) => {
    writeSync(2, `reddish-server: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
  worker.on('exit', (code) => process.exit(code));
}

main().catch((e) => {
  writeSync(2, `reddish-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
