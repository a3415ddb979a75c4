import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDDISH_BIN, startServer, expectLog, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';
import { startServer as startEmbedded } from '../../src/index.js';

const LOG_LINE = /^(\d+):([MSCX]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) (.*)$/;

const running: SpawnedServer[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reddish-startup-'));
}

test('startup lines follow Redis format and order', async () => {
  const s = await startServer('reddish');
  running.push(s);
  const lines = s.output().trim().split('\n');
  for (const l of lines) assert.match(l, LOG_LINE, l);
  const msgs = lines.map((l) => LOG_LINE.exec(l)![11]);
  assert.equal(msgs[0], 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  assert.match(msgs[1], new RegExp(`^Redis version=7\\.0\\.15, bits=64, commit=00000000, modified=0, pid=${s.pid}, just started$`));
  assert.equal(msgs[2], 'Configuration loaded');
  assert.ok(msgs.includes(`Running mode=standalone, port=${s.port}.`));
  assert.equal(msgs[msgs.length - 1], 'Ready to accept connections');
  assert.equal(LOG_LINE.exec(lines[0])![2], 'C');
  assert.equal(LOG_LINE.exec(lines[lines.length - 1])![2], 'M');
  assert.equal(Number(LOG_LINE.exec(lines[0])![1]), s.pid);
});

test('redis.conf with include, quoting and units', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'extra.conf'), 'maxmemory 64mb\nclient-output-buffer-limit "slave 128mb 32mb 30"\n');
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, `# a comment\n\n  databases 4\ninclude ${join(dir, 'extra.conf')}\nrequirepass "p w"\nhz 20\n`);
  const s = await startServer('reddish', [], { configFile: conf });
  running.push(s);
  const c = await RespClient.connect(s.port);
  assert.deepEqual(plain(await c.call('PING')), { error: 'NOAUTH Authentication required.' });
  assert.equal(plain(await c.call('AUTH', 'p w')), 'OK');
  assert.deepEqual(plain(await c.call('CONFIG', 'GET', 'maxmemory')), ['maxmemory', '67108864']);
  assert.deepEqual(plain(await c.call('CONFIG', 'GET', 'databases')), ['databases', '4']);
  assert.deepEqual(plain(await c.call('CONFIG', 'GET', 'client-output-buffer-limit')), [
    'client-output-buffer-limit',
    'normal 0 0 0 slave 134217728 33554432 30 pubsub 33554432 8388608 60',
  ]);
  assert.deepEqual(plain(await c.call('SELECT', '4')), { error: 'ERR DB index is out of range' });
  c.close();
});

function runBad(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [REDDISH_BIN, ...args], { encoding: 'latin1', timeout: 10000 });
  return { status: r.status, stderr: r.stderr + r.stdout };
}

test('a bad directive stops startup with the FATAL CONFIG FILE ERROR report', () => {
  const dir = tmp();
  const conf = join(dir, 'bad.conf');
  writeFileSync(conf, 'port 7000\nfoo bar\n');
  const r = runBad([conf]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n");
});

test('bad values report Redis texts', () => {
  const cases: [string, string][] = [
    ['port abc', "argument couldn't be parsed into an integer"],
    ['port 70000', 'argument must be between 0 and 65535 inclusive'],
    ['maxmemory 12xb', 'argument must be a memory value'],
    ['protected-mode maybe', "argument must be 'yes' or 'no'"],
    ['loglevel loud', 'argument(s) must be one of the following: debug, verbose, notice, warning'],
    ['client-output-buffer-limit foo 1 2 3', 'Invalid client class specified in buffer limit configuration.'],
    ['save 10', 'Invalid save parameters'],
    ['requirepass "a', 'Unbalanced quotes in configuration line'],
  ];
  for (const [line, reason] of cases) {
    const dir = tmp();
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, line + '\n');
    const r = runBad([conf]);
    assert.equal(r.status, 1, line);
    assert.ok(r.stderr.endsWith(`>>> '${line}'\n${reason}\n`), `${line}: ${r.stderr}`);
  }
});

test('command-line options override the file and --version works', () => {
  const v = spawnSync(process.execPath, [REDDISH_BIN, '--version'], { encoding: 'latin1' });
  assert.match(v.stdout, /^Redis server v=7\.0\.15 /);
  const r = runBad(['--port', '1', '--maxmemory']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /wrong number of arguments/);
});

test('SIGTERM shuts down cleanly with Redis log lines, pidfile and unix socket', async () => {
  const dir = tmp();
  const pidfile = join(dir, 'r.pid');
  const sock = join(dir, 'r.sock');
  const s = await startServer('reddish', ['--pidfile', pidfile, '--unixsocket', sock]);
  assert.equal(readFileSync(pidfile, 'latin1').trim(), String(s.pid));
  const u = await RespClient.connectPath(sock);
  assert.equal(plain(await u.call('PING')), 'PONG');
  assert.match(plain(await u.call('CLIENT', 'INFO')) as string, / flags=U /);
  u.close();
  const code = await s.stop('SIGTERM');
  assert.equal(code, 0);
  await expectLog(s, /:signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\./, /# User requested shutdown\.\.\./, /# Redis is now ready to exit, bye bye\.\.\./);
  assert.ok(!existsSync(pidfile), 'pidfile removed');
  assert.ok(!existsSync(sock), 'unix socket removed');
});

test('logfile receives the log instead of stdout', async () => {
  const dir = tmp();
  const logfile = join(dir, 'r.log');
  const proc = spawn(process.execPath, [REDDISH_BIN, '--port', '0', '--logfile', logfile, '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  try {
    let text = '';
    for (let i = 0; i < 100 && !text.includes('Ready to accept connections'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = existsSync(logfile) ? readFileSync(logfile, 'latin1') : '';
    }
    assert.match(text, /\* Ready to accept connections/);
    assert.equal(stdout, '');
  } finally {
    proc.kill('SIGKILL');
  }
});

test('embeddable API: startServer() on a free port, close()', async () => {
  const lines: string[] = [];
  const srv = await startEmbedded({ port: 0, config: { maxmemory: '10mb' }, onLog: (l) => lines.push(l) });
  assert.equal(srv.host, '127.0.0.1');
  assert.ok(srv.port > 0);
  const c = await RespClient.connect(srv.port);
  assert.equal(plain(await c.call('PING')), 'PONG');
  assert.deepEqual(plain(await c.call('CONFIG', 'GET', 'maxmemory')), ['maxmemory', '10485760']);
  c.close();
  await srv.close();
  assert.ok(lines.some((l) => l.includes('Ready to accept connections')));
});
