/**
 * The server thread of `reddish-server`: loads the config (already validated by the main thread),
 * runs the Server, and turns the signals the main thread relays into Redis's shutdown.
 * Also the config and daemon helpers both threads share.
 */
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Config, SHUTDOWN } from '../config/config.js';
import { argvToConfig, FatalConfigError, loadServerConfig as loadConfig, reportFatalConfig } from '../config/loader.js';
import { Server, ListenError } from '../server.js';
import { FatalLoadError } from '../persistence/persistence.js';

export interface ServerThreadData {
  argv: string[];
  /** The config text read from standard input (`reddish-server -`), or null. */
  stdinText: string | null;
}

const DAEMON_ENV = 'REDDISH_DAEMONIZED';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

/** Builds the Config from argv (file first, then --options); throws FatalConfigError. */
export function loadServerConfig(argv: string[], stdinText: string | null): { config: Config; file: string } {
  const config = new Config();
  const { file, options } = argvToConfig(argv);
  if (file === '-') loadConfig(config, null, stdinText ?? '', options);
  else {
    loadConfig(config, file, null, options);
    if (file !== null) config.configFile = file;
  }
  return { config, file: file && file !== '-' ? file : '' };
}

export function isDaemonChild(): boolean {
  return process.env[DAEMON_ENV] !== undefined;
}

/** Like Redis's daemonize(): the server goes on in a detached process; this one returns. */
export function daemonize(argv: string[]): void {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  child.unref();
}

async function runServer(data: ServerThreadData): Promise<void> {
  const { config, file } = loadServerConfig(data.argv, data.stdinText);
  if (isDaemonChild() && config.str('pidfile') === '') {
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
  server.startedWithoutConfig = data.argv.length === 0;
  try {
    server.log.setFile(config.str('logfile'));
  } catch (e) {
    writeSync(2, `Can't open the log file: ${(e as Error).message}\n`);
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
  parentPort?.on('message', (m: { signal?: string }) => {
    if (m.signal) onSignal(m.signal);
  });

  try {
    await server.start();
  } catch (e) {
    if (e instanceof ListenError || e instanceof FatalLoadError) process.exit(1);
    throw e;
  }
}

if (!isMainThread && parentPort) {
  runServer(workerData as ServerThreadData).catch((e) => {
    writeSync(2, `reddish-server: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
