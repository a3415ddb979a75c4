/**
 * A sysadmin's config files and logs, side by side with redis-server 7.0.15: save lines in
 * files, octal unixsocketperm, a missing include, rename-command (MULTI, scripts, replication),
 * the startup warnings about the open-file limit and the TCP backlog, and the client and
 * database lines of loglevel verbose. Every server is started from a config file in a temp dir.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, hasRedisServer, REDDISH_BIN } from '../helpers/servers.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';
type Kind = 'redis' | 'reddish';
const KINDS: Kind[] = ['redis', 'reddish'];

interface Run {
  kind: Kind;
  port: number;
  dir: string;
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const running: Run[] = [];
const clients: RespClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const r of running) await r.stop();
});

/** The log line without "pid:role date time " (those differ between any two runs). */
function body(line: string): string {
  return line.replace(/^\d+:[CMSX] \d\d \w{3} \d{4} [\d:.]+ /, '');
}

/**
 * Starts `kind` on a config file written from `lines` (port and dir added), optionally under a
 * command prefix such as prlimit. Resolves once it is ready (or exited, when `untilExit`).
 */
async function run(kind: Kind, lines: string[], opts: { prefix?: string[]; untilExit?: boolean; port?: number } = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `admin-${kind}-`));
  const port = opts.port ?? (await freePort());
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, ...lines, ''].join('\n'));
  const cmd = kind === 'redis' ? ['redis-server', conf] : [process.execPath, REDDISH_BIN, conf];
  const full = [...(opts.prefix ?? []), ...cmd];
  const proc = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const r: Run = {
    kind,
    port,
    dir,
    proc,
    output: () => out,
    exited,
    async waitFor(re, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = out.split('\n').find((l) => re.test(l));
        if (m !== undefined) return m;
        if (Date.now() > deadline) throw new Error(`timeout waiting for ${re} in ${kind} output:\n${out}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        process.kill(proc.pid!, 'SIGKILL');
        await exited;
      }
    },
  };
  running.push(r);
  if (opts.untilExit) {
    await exited;
    // Let the pipes drain.
    await new Promise((res) => setTimeout(res, 100));
  } else {
    await Promise.race([r.waitFor(/Ready to accept connections/), exited.then((c) => Promise.reject(new Error(`${kind} exited with ${c}:\n${out}`)))]);
  }
  return r;
}

async function connect(r: Run): Promise<RespClient> {
  const c = await RespClient.connect(r.port);
  clients.push(c);
  return c;
}

/** Runs the same steps on a server of each kind; returns [redis replies, reddish replies]. */
async function bothConfigs(lines: string[], steps: string[][]): Promise<Reply[][]> {
  const out: Reply[][] = [];
  for (const kind of KINDS) {
    const r = await run(kind, lines);
    const c = await connect(r);
    const replies: Reply[] = [];
    for (const s of steps) replies.push(await c.call(...s));
    out.push(replies);
    c.close();
    await r.stop();
  }
  return out;
}

test('save lines in a config file: the first replaces the defaults, later ones append, "" clears', { skip }, async () => {
  const cases: string[][] = [
    [],
    ['save 100 10'],
    ['save 100 10', 'save 200 20'],
    ['save ""', 'save 50 5'],
    ['save 100 10', 'save ""'],
    ['save 100 10', 'save ""', 'save 7 7'],
    ['save 100 10 200 20'],
  ];
  for (const lines of cases) {
    const [a, b] = await bothConfigs(lines, [['CONFIG', 'GET', 'save']]);
    assert.deepEqual(b, a, `CONFIG GET save after ${JSON.stringify(lines)}`);
  }
});

test('save lines and include: after an included file ends, each later save line replaces (as 7.0)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'admin-inc-'));
  const withSave = join(dir, 'saves.conf');
  writeFileSync(withSave, 'save 30 3\nsave 31 3\n');
  const without = join(dir, 'other.conf');
  writeFileSync(without, 'hz 10\n');
  const cases: [string[], string][] = [
    [[`include ${withSave}`], '30 3 31 3'],
    [[`include ${withSave}`, 'save 40 4'], '40 4'],
    [[`include ${without}`, 'save 40 4', 'save 50 5'], '50 5'],
    [['save 20 2', `include ${withSave}`, 'save 40 4'], '40 4'],
    [['save 20 2', `include ${without}`], '20 2'],
    [[`include ${without}`, `include ${withSave}`], '30 3 31 3'],
  ];
  for (const [lines, expected] of cases) {
    const [a, b] = await bothConfigs(lines, [['CONFIG', 'GET', 'save']]);
    assert.deepEqual(b, a, `CONFIG GET save after ${JSON.stringify(lines)}`);
    assert.deepEqual(plain(a[0]), ['save', expected], JSON.stringify(lines));
  }
});

test('unixsocketperm 766 is octal: same CONFIG GET and the same mode on the socket file', { skip }, async () => {
  const modes: string[] = [];
  const replies: unknown[] = [];
  for (const kind of KINDS) {
    const dir = mkdtempSync(join(tmpdir(), 'admin-sock-'));
    const sock = join(dir, 's.sock');
    const r = await run(kind, [`unixsocket ${sock}`, 'unixsocketperm 766']);
    modes.push((statSync(sock).mode & 0o777).toString(8));
    const c = await RespClient.connectPath(sock);
    clients.push(c);
    replies.push(plain(await c.call('CONFIG', 'GET', 'unixsocketperm')));
    c.close();
    await r.stop();
  }
  assert.deepEqual(modes, ['766', '766']);
  assert.deepEqual(replies[1], replies[0]);
});

test('a missing include file: the same single fatal line and exit code', { skip }, async () => {
  const results: { code: number | null; lines: string[] }[] = [];
  const missing = join(tmpdir(), `admin-no-such-${process.pid}.conf`);
  for (const kind of KINDS) {
    const r = await run(kind, [`include ${missing}`], { untilExit: true });
    const lines = r.output().split('\n').filter((l) => l !== '').map(body);
    results.push({ code: await r.exited, lines });
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[0].lines, [`# Fatal error, can't open config file '${missing}': No such file or directory`]);
});

test('rename-command in a config file: new name, removed commands, COMMAND INFO, errors, MULTI, scripts', { skip }, async () => {
  const lines = ['rename-command set myset', 'rename-command flushall ""', 'rename-command get fetch'];
  const steps = [
    ['MYSET', 'k', 'v'],
    ['SET', 'k', 'v'],
    ['FETCH', 'k'],
    ['GET', 'k'],
    ['FLUSHALL'],
    ['FETCH'],
    ['COMMAND', 'INFO', 'fetch', 'get', 'flushall'],
    ['COMMAND', 'GETKEYS', 'myset', 'a', 'b'],
    ['MULTI'],
    ['MYSET', 'x', 'y'],
    ['FETCH', 'x'],
    ['EXEC'],
    ['MULTI'],
    ['SET', 'x', 'y'],
    ['EXEC'],
    ['EVAL', "return redis.call('myset', 'z', '1')", '0'],
    ['EVAL', "return redis.call('set', 'z', '1')", '0'],
    ['EVAL', "return redis.pcall('get', 'z')", '0'],
    ['FETCH', 'z'],
  ];
  const [a, b] = await bothConfigs(lines, steps);
  for (let i = 0; i < steps.length; i++) {
    // Script errors name the script's sha and line: same on both, compared whole.
    assert.deepEqual(b[i], a[i], `reply to ${JSON.stringify(steps[i])}`);
  }
});

test('rename-command and replication: a replica with the same renames applies the propagated command', { skip }, async () => {
  const lines = ['rename-command set myset', 'rename-command expire myexp', 'repl-diskless-sync-delay 0'];
  const results: unknown[] = [];
  for (const kind of KINDS) {
    const master = await run(kind, lines);
    const replica = await run(kind, [...lines, `replicaof 127.0.0.1 ${master.port}`]);
    const m = await connect(master);
    const s = await connect(replica);
    await replica.waitFor(/MASTER <-> REPLICA sync: Finished with success/);
    await m.call('MYSET', 'a', '1');
    await m.call('MYEXP', 'a', '1000');
    await m.call('MULTI');
    await m.call('MYSET', 'b', '2');
    await m.call('EXEC');
    await m.call('EVAL', "return redis.call('myset', 'c', '3')", '0');
    // WAIT makes sure the replica has acknowledged everything before we read it.
    await m.call('WAIT', '1', '5000');
    results.push([plain(await s.call('MGET', 'a', 'b', 'c')), (plain(await s.call('TTL', 'a')) as number) > 0]);
    m.close();
    s.close();
    await replica.stop();
    await master.stop();
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[0], [['1', '2', '3'], true]);
});

/** The soft open-file limit prlimit can set for a child here, or why not. */
function prlimitUsable(): string | false {
  if (spawnSync('prlimit', ['--version']).status !== 0) return 'prlimit(1) is not installed';
  return false;
}

test('maxclients above the open-file limit: Redis lines and the lowered maxclients', { skip: skip || prlimitUsable() }, async () => {
  const results: { lines: string[]; maxclients: unknown }[] = [];
  for (const kind of KINDS) {
    // Far beyond /proc/sys/fs/nr_open: no process can get that many, privileged or not.
    const r = await run(kind, ['maxclients 2000000'], { prefix: ['prlimit', '--nofile=200:200'] });
    const c = await connect(r);
    const lines = r
      .output()
      .split('\n')
      .map(body)
      .filter((l) => /maxclients|open files/.test(l));
    results.push({ lines, maxclients: plain(await c.call('CONFIG', 'GET', 'maxclients')) });
    c.close();
    await r.stop();
  }
  assert.deepEqual(results[1], results[0]);
  assert.equal(results[0].lines.length, 3);
  assert.deepEqual(results[0].maxclients, ['maxclients', '168']);
});

test('maxclients that fits the open-file limit: no warning from either', { skip }, async () => {
  for (const kind of KINDS) {
    const r = await run(kind, ['maxclients 100']);
    assert.doesNotMatch(r.output(), /maxclients|open files/);
    await r.stop();
  }
});

function somaxconn(): number | null {
  try {
    return parseInt(readFileSync('/proc/sys/net/core/somaxconn', 'latin1'), 10);
  } catch {
    return null;
  }
}

test('tcp-backlog above somaxconn: the same WARNING line, between the banner and "Server initialized"', { skip: skip || (somaxconn() === null ? 'no /proc/sys/net/core/somaxconn' : false) }, async () => {
  const backlog = somaxconn()! + 1;
  const seen: string[][] = [];
  for (const kind of KINDS) {
    const r = await run(kind, [`tcp-backlog ${backlog}`]);
    const lines = r.output().split('\n').map(body);
    const i = lines.findIndex((l) => l.includes('TCP backlog'));
    assert.ok(i > 0, `${kind} logged no backlog warning:\n${r.output()}`);
    assert.match(lines[i - 1], /Running mode=standalone/);
    assert.match(lines[i + 1], /Server initialized/);
    seen.push([lines[i]]);
    await r.stop();
  }
  assert.deepEqual(seen[1], seen[0]);
  assert.equal(seen[0][0], `# WARNING: The TCP backlog setting of ${backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of ${somaxconn()}.`);
});

function procLine(path: string): string | null {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return null;
  }
}

test('overcommit and THP: Redis warns for its fork where the kernel calls for it; reddish, which never forks, warns for neither', { skip }, async () => {
  const overcommit = procLine('/proc/sys/vm/overcommit_memory');
  const [redis, reddish] = [await run('redis', []), await run('reddish', [])];
  if (overcommit !== null && overcommit !== '1') assert.match(redis.output(), /WARNING Memory overcommit must be enabled!/);
  assert.doesNotMatch(reddish.output(), /overcommit|Transparent Huge Pages|THP/i);
  await redis.stop();
  await reddish.stop();
});

/** Fields of a "Client closed connection" line both servers fill the same way. */
function closedFields(line: string): string {
  const m = /^(- Client closed connection) id=\d+ (addr=\S+ laddr=\S+) fd=\d+ (name=\S* age=\d+ idle=\d+ flags=\S+ db=\d+ sub=\d+ psub=\d+ ssub=\d+ multi=-?\d+) /.exec(line);
  assert.ok(m, `unexpected line: ${line}`);
  // The client's port differs between runs.
  return `${m[1]} ${m[2].replace(/:\d+ laddr/, ':P laddr').replace(/laddr=127\.0\.0\.1:\d+/, 'laddr=127.0.0.1:S')} ${m[3].replace(/age=\d+ idle=\d+/, 'age idle')}`;
}

test('loglevel verbose: accepted and closed connections (TCP and unix socket), DB report every 5 s', { skip }, async () => {
  const seen: string[][] = [];
  for (const kind of KINDS) {
    const dir = mkdtempSync(join(tmpdir(), 'admin-verbose-'));
    const sock = join(dir, 'v.sock');
    const r = await run(kind, ['loglevel verbose', `unixsocket ${sock}`]);
    const c = await RespClient.connect(r.port);
    const port = c.socket.localPort!;
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2', 'EX', '100');
    c.close();
    const closed = await r.waitFor(new RegExp(`Client closed connection .*addr=127\\.0\\.0\\.1:${port} `));
    const u = await RespClient.connectPath(sock);
    await u.call('PING');
    u.close();
    const uclosed = await r.waitFor(/Client closed connection .*flags=U/);
    const db = await r.waitFor(/DB 0: /, 12000);
    const lines = r.output().split('\n').map(body);
    seen.push([
      lines.includes(`- Accepted 127.0.0.1:${port}`) ? 'accepted-tcp' : `missing Accepted 127.0.0.1:${port}`,
      lines.includes(`- Accepted connection to ${sock}`) ? 'accepted-unix' : 'missing unix Accepted',
      lines.includes(`* The server is now ready to accept connections at ${sock}`) ? 'ready-unix' : 'missing unix ready line',
      closedFields(body(closed)),
      closedFields(body(uclosed)).replace(sock, 'SOCK').replace(sock, 'SOCK'),
      body(db),
    ]);
    await r.stop();
  }
  assert.deepEqual(seen[1], seen[0]);
  assert.equal(seen[0][5], '- DB 0: 2 keys (1 volatile) in 4 slots HT.');
});

test('loglevel notice: none of the verbose lines', { skip }, async () => {
  for (const kind of KINDS) {
    const r = await run(kind, []);
    const c = await connect(r);
    await c.call('SET', 'a', '1');
    c.close();
    await new Promise((res) => setTimeout(res, 300));
    assert.doesNotMatch(r.output(), /Accepted|Client closed connection|DB 0:/);
    await r.stop();
  }
});

test('loglevel debug: the clients line every 5 s, after the DB lines', { skip }, async () => {
  const seen: string[] = [];
  for (const kind of KINDS) {
    const r = await run(kind, ['loglevel debug']);
    const c = await connect(r);
    await c.call('SET', 'a', '1');
    // The first report comes with the first cron tick (empty keyspace); wait for one after the SET.
    await r.waitFor(/DB 0: 1 keys/, 12000);
    let line = '';
    for (let tries = 0; line === '' && tries < 100; tries++) {
      const lines = r.output().split('\n').map(body);
      const i = lines.indexOf('- DB 0: 1 keys (0 volatile) in 4 slots HT.');
      if (i >= 0 && i + 1 < lines.length && lines[i + 1].includes('clients connected')) line = lines[i + 1];
      else await new Promise((res) => setTimeout(res, 50));
    }
    assert.notEqual(line, '', `${kind}: no clients line after the DB line:\n${r.output()}`);
    // The byte count is each allocator's own.
    seen.push(line.replace(/, \d+ bytes in use$/, ', N bytes in use'));
    c.close();
    await r.stop();
  }
  assert.deepEqual(seen, ['. 1 clients connected (0 replicas), N bytes in use', '. 1 clients connected (0 replicas), N bytes in use']);
});
