/**
 * Spawning real servers for tests, benchmarks and the lab: reddish (the compiled binary) and
 * Debian's redis-server. Ports come from the OS (listen on 0); processes are stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/lab → repository root */
export const ROOT = join(here, '..', '..', '..');
export const REDDISH_BIN = join(ROOT, 'dist', 'src', 'bin', 'reddish-server.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SpawnedServer {
  kind: 'reddish' | 'redis';
  port: number;
  pid: number;
  dir: string;
  proc: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves when a line matching `re` has been printed (rejects after timeoutMs). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/**
 * Starts a server on a free port with `--save ""` (no snapshots) in a fresh temp dir unless
 * the caller passes its own. Extra args are redis-server style (`--maxmemory`, `100mb`).
 */
export async function spawnServer(kind: 'reddish' | 'redis', args: string[] = [], opts: { configFile?: string; dir?: string } = {}): Promise<SpawnedServer> {
  // The free port can be taken by someone else between our probe and the server's bind:
  // try again with another port in that case.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(kind, args, opts);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function spawnOnce(kind: 'reddish' | 'redis', args: string[], opts: { configFile?: string; dir?: string }): Promise<SpawnedServer> {
  const port = await freePort();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `${kind}-test-`));
  const base = [...(opts.configFile ? [opts.configFile] : []), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  const hasSave = args.includes('--save');
  const full = [...base, ...(hasSave ? [] : ['--save', '']), ...args];
  const proc =
    kind === 'reddish'
      ? spawn(process.execPath, [REDDISH_BIN, ...full], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('redis-server', full, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString('latin1');
    for (const w of [...waiters]) {
      const m = out.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const server: SpawnedServer = {
    kind,
    port,
    pid: proc.pid!,
    dir,
    proc,
    output: () => out,
    waitForLog(re, timeoutMs = 10000) {
      const m = out.split('\n').find((l) => re.test(l));
      if (m !== undefined) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout waiting for ${re} in ${kind} output:\n${out}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
    async stop(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      try {
        process.kill(proc.pid!, signal);
      } catch {
        // already gone
      }
      return exited;
    },
  };
  const ready = server.waitForLog(/Ready to accept connections/, 15000);
  const early = exited.then((code) => {
    throw new Error(`${kind} exited early with code ${code}:\n${out}`);
  });
  early.catch(() => undefined);
  try {
    await Promise.race([ready, early]);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
