/**
 * One process: the PID a shell gets for `reddish-server &` is the server (log lines, pidfile,
 * INFO, signals), and the startup banner shows it the way Redis's logo does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDDISH_BIN, freePort, hasRedisServer, startServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';
import { waitFor } from '../helpers/replication.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Starts the server the way a shell script does, and returns what `$!` said. */
function startFromShell(dir: string, port: number, extra: string): number {
  const out = execFileSync(
    'bash',
    [
      '-c',
      `"${process.execPath}" "${REDDISH_BIN}" --port ${port} --dir "${dir}" --save "" --pidfile "${dir}/r.pid" ${extra} >"${dir}/out.log" 2>&1 & echo $!`,
    ],
    { encoding: 'latin1' },
  );
  return Number(out.trim());
}

test('the PID of `reddish-server &` is the server: log, pidfile, INFO, SIGTERM, and kill -9 leaves nothing listening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-pid-'));
  const port = await freePort();
  const pid = startFromShell(dir, port, '--always-show-logo yes');
  try {
    await waitFor('ready', async () => existsSync(`${dir}/out.log`) && readFileSync(`${dir}/out.log`, 'latin1').includes('Ready to accept'));
    const log = readFileSync(`${dir}/out.log`, 'latin1');
    for (const line of log.split('\n').filter((l) => /^\d+:[MSC] /.test(l))) assert.ok(line.startsWith(`${pid}:`), line);
    assert.match(log, new RegExp(` PID: ${pid}\n`));
    assert.match(log, new RegExp(`Port: ${port}\n`));
    assert.equal(readFileSync(`${dir}/r.pid`, 'latin1').trim(), String(pid));
    const c = await RespClient.connect(port);
    assert.match(plain(await c.call('INFO', 'server')) as string, new RegExp(`\r\nprocess_id:${pid}\r\n`));
    c.close();
    // No child process stands between the shell and the server.
    const children = execFileSync('bash', ['-c', `pgrep -P ${pid} || true`], { encoding: 'latin1' }).trim();
    assert.equal(children, '');
    process.kill(pid, 'SIGKILL');
    await waitFor('process gone', async () => !alive(pid));
    assert.equal(await listening(port), false);
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('SIGTERM sent to the shell PID shuts the server down like Redis', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-pid-'));
  const port = await freePort();
  const pid = startFromShell(dir, port, '');
  try {
    await waitFor('ready', async () => existsSync(`${dir}/out.log`) && readFileSync(`${dir}/out.log`, 'latin1').includes('Ready to accept'));
    process.kill(pid, 'SIGTERM');
    await waitFor('exit', async () => !alive(pid));
    const log = readFileSync(`${dir}/out.log`, 'latin1');
    assert.match(log, new RegExp(`^${pid}:signal-handler \\(\\d+\\) Received SIGTERM scheduling shutdown\\.\\.\\.$`, 'm'));
    assert.match(log, /Redis is now ready to exit, bye bye\.\.\./);
    assert.ok(!existsSync(`${dir}/r.pid`), 'pidfile removed');
    assert.equal(await listening(port), false);
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('without a terminal and without always-show-logo, one "Running mode" line instead of the logo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-pid-'));
  const port = await freePort();
  const pid = startFromShell(dir, port, '');
  try {
    await waitFor('ready', async () => existsSync(`${dir}/out.log`) && readFileSync(`${dir}/out.log`, 'latin1').includes('Ready to accept'));
    const log = readFileSync(`${dir}/out.log`, 'latin1');
    assert.match(log, new RegExp(`Running mode=standalone, port=${port}\\.\n`));
    assert.doesNotMatch(log, /PID: /);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

test('always-show-logo prints the logo of redis-server 7.0.15, byte for byte but port and PID', { skip: !hasRedisServer() && 'redis-server not installed' }, async () => {
  const logos: string[] = [];
  for (const kind of ['redis', 'reddish'] as const) {
    const s = await startServer(kind, ['--always-show-logo', 'yes']);
    try {
      const out = s.output();
      const start = out.indexOf('                _._');
      const end = out.indexOf('\n\n', start);
      assert.ok(start >= 0 && end > start, `${kind} printed a logo:\n${out}`);
      logos.push(out.slice(start, end + 2).replace(`Port: ${s.port}\n`, 'Port: P\n').replace(`PID: ${s.pid}\n`, 'PID: X\n'));
    } finally {
      await s.stop();
    }
  }
  assert.equal(logos[1], logos[0]);
});
