import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

test('connection commands and their errors match Redis', async () => {
  await same(pair, [
    ['PING'],
    ['PING', 'hello'],
    ['PING', 'a', 'b'],
    ['ping'],
    ['ECHO', 'x\x00y'],
    ['ECHO'],
    ['SELECT', '15'],
    ['SELECT', '16'],
    ['SELECT', '-1'],
    ['SELECT', 'abc'],
    ['SELECT', '0'],
    ['NOSUCHCOMMAND', 'a', 'b'],
    ['nosuch'],
    ['AUTH', 'x'],
    ['AUTH', 'default', 'x'],
    ['AUTH', 'a', 'b', 'c'],
    ['HELLO', 'abc'],
    ['HELLO', '4'],
    ['HELLO', '2', 'FOO'],
    ['HELLO', '2', 'SETNAME', 'bad name'],
    ['CLIENT', 'SETNAME', 'my name'],
    ['CLIENT', 'SETNAME', 'ok-name'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', ''],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'NOPE'],
    ['CLIENT'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'ID', 'abc'],
    ['CLIENT', 'KILL', 'ID', '0'],
    ['CLIENT', 'KILL', 'TYPE', 'foo'],
    ['CLIENT', 'KILL', 'USER', 'nobody'],
    ['CLIENT', 'KILL', 'ID', '99999'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
    ['CLIENT', 'LIST', 'TYPE', 'foo'],
    ['CLIENT', 'LIST', 'ID', 'x'],
    ['CLIENT', 'LIST', 'foo'],
    ['CLIENT', 'PAUSE', 'abc'],
    ['CLIENT', 'PAUSE', '-1'],
    ['CLIENT', 'PAUSE', '10', 'SOME'],
    ['CLIENT', 'REPLY', 'MAYBE'],
    ['CLIENT', 'NO-EVICT', 'maybe'],
    ['CLIENT', 'NO-EVICT', 'on'],
    ['CLIENT', 'UNPAUSE'],
  ]);
});

test('server commands and their errors match Redis', async () => {
  await same(pair, [
    ['DBSIZE'],
    ['FLUSHDB', 'FOO'],
    ['FLUSHDB', 'ASYNC'],
    ['FLUSHALL', 'SYNC'],
    ['FLUSHALL', 'a', 'b'],
    ['SWAPDB', 'a', '1'],
    ['SWAPDB', '1', 'b'],
    ['SWAPDB', '0', '99'],
    ['SWAPDB', '0', '1'],
    ['CONFIG', 'GET'],
    ['CONFIG', 'GET', 'nonexistent'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'GET', 'MAXMEMORY-POLICY'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'GET', 'slaveof'],
    ['CONFIG', 'GET', 'hash-max-ziplist-entries'],
    ['CONFIG', 'SET', 'maxmemory'],
    ['CONFIG', 'SET', 'nonexistent', 'x'],
    ['CONFIG', 'SET', 'maxmemory', 'abc'],
    ['CONFIG', 'SET', 'hz', 'abc'],
    ['CONFIG', 'SET', 'hz', '-5'],
    ['CONFIG', 'SET', 'protected-mode', 'maybe'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'nope'],
    ['CONFIG', 'SET', 'databases', '5'],
    ['CONFIG', 'SET', 'maxmemory', '1mb', 'maxmemory', '2mb'],
    ['CONFIG', 'SET', 'maxmemory', '1mb', 'hz', 'x'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '10mb', 'hz', '15'],
    ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'slave 134217728 33554432 30'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1gb 64mb 60 pubsub 1k 2kb 3'],
    ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'master 1 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1x 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 -3'],
    ['CONFIG', 'SET', 'save', '100 10 50 5'],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', ''],
    ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'save', '100'],
    ['CONFIG', 'SET', 'save', '0 1'],
    ['CONFIG', 'SET', 'loglevel', 'verbose'],
    ['CONFIG', 'GET', 'loglevel'],
    ['CONFIG', 'SET', 'loglevel', 'notice'],
    ['CONFIG', 'REWRITE'],
    ['CONFIG', 'RESETSTAT'],
    ['CONFIG', 'FOO'],
    ['LASTSAVE', 'x'],
    ['TIME', 'x'],
    ['SLOWLOG', 'GET', 'x'],
    ['SLOWLOG', 'GET', '-2'],
    ['SLOWLOG', 'RESET'],
    ['SLOWLOG', 'LEN'],
    ['LATENCY', 'LATEST'],
    ['LATENCY', 'HISTORY', 'command'],
    ['LATENCY', 'RESET'],
    ['DEBUG', 'SLEEP', '0'],
    ['SHUTDOWN', 'FOO'],
    ['SHUTDOWN', 'SAVE', 'NOSAVE'],
    ['SHUTDOWN', 'ABORT', 'NOW'],
    ['SHUTDOWN', 'ABORT'],
    ['COMMAND', 'INFO', 'nosuchcommand'],
    ['COMMAND', 'GETKEYS', 'nosuch'],
    ['COMMAND', 'GETKEYS', 'ping'],
    ['COMMAND', 'GETKEYS', 'get'],
    ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'],
    ['COMMAND', 'FOO'],
  ]);
});

test('COMMAND INFO describes commands exactly like Redis', async () => {
  // Every command both servers have must be described identically (name, arity, flags,
  // key positions, categories, key specs shape).
  const names = plain(await pair.b.call('COMMAND', 'LIST')) as string[];
  const known = plain(await pair.a.call('COMMAND', 'LIST')) as string[];
  const common = names.filter((n) => known.includes(n) && !n.includes('|'));
  assert.ok(common.length >= 15, `only ${common.length} commands in common`);
  for (const name of common) {
    const [ra, rb] = await Promise.all([pair.a.call('COMMAND', 'INFO', name), pair.b.call('COMMAND', 'INFO', name)]);
    // name, arity, flags, first/last/step, ACL categories, tips; then each subcommand that
    // reddish has (Redis has a few more, e.g. CLIENT TRACKING) must be described the same.
    const describe = (p: unknown[]): unknown[] => [
      p[0],
      p[1],
      [...(p[2] as string[])].sort(),
      p[3],
      p[4],
      p[5],
      [...(p[6] as string[])].sort(),
      [...(p[7] as string[])].sort(),
    ];
    const info = (r: Reply) => (plain(r) as unknown[][])[0] as unknown[];
    const pick = (r: Reply) => describe(info(r));
    const subs = (r: Reply) => new Map((info(r)[9] as unknown[][]).map((x) => [x[0] as string, describe(x)]));
    const [subsA, subsB] = [subs(ra), subs(rb)];
    for (const [sub, d] of subsB) assert.deepEqual(d, subsA.get(sub), `COMMAND INFO ${name}: subcommand ${sub}`);
    assert.deepEqual(pick(rb), pick(ra), `COMMAND INFO ${name}`);
  }
});

test('TIME, LASTSAVE and INFO have the right shapes', async () => {
  const t = plain(await pair.b.call('TIME')) as string[];
  assert.equal(t.length, 2);
  assert.ok(Math.abs(Number(t[0]) - Date.now() / 1000) < 5);
  assert.ok(Number(t[1]) >= 0 && Number(t[1]) < 1e6);
  const info = (await pair.b.call('INFO')) as { t: 'bulk'; v: string };
  const redisInfo = (await pair.a.call('INFO')) as { t: 'bulk'; v: string };
  const sections = (s: string) => s.split('\r\n').filter((l) => l.startsWith('# '));
  assert.deepEqual(sections(info.v), sections(redisInfo.v));
  // Every field Redis reports in these sections, reddish reports too.
  const fields = (s: string, section: string) => {
    const part = s.split('# ' + section + '\r\n')[1].split('\r\n\r\n')[0];
    return part.split('\r\n').filter(Boolean).map((l) => l.split(':')[0]);
  };
  for (const section of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU']) {
    const mine = fields(info.v, section);
    for (const f of fields(redisInfo.v, section)) assert.ok(mine.includes(f), `INFO ${section} lacks ${f}`);
  }
});

test('HELLO 3 switches to RESP3 and returns the server map', async () => {
  const c = await RespClient.connect(pair.reddish.port);
  const r = await c.call('HELLO', '3', 'SETNAME', 'resp3client');
  assert.equal(r.t, 'map');
  const m = Object.fromEntries((plain(r) as [string, unknown][]).map(([k, v]) => [k, v]));
  assert.equal(m.server, 'redis');
  assert.equal(m.version, '7.0.15');
  assert.equal(m.proto, 3);
  assert.equal(m.mode, 'standalone');
  assert.equal(m.role, 'master');
  assert.deepEqual(await c.call('CLIENT', 'GETNAME'), { t: 'bulk', v: 'resp3client' });
  assert.deepEqual(await c.call('CLIENT', 'GETNAME', 'x'), { t: 'error', v: "ERR wrong number of arguments for 'client|getname' command" });
  const cfg = await c.call('CONFIG', 'GET', 'port');
  assert.equal(cfg.t, 'map');
  const info = await c.call('CLIENT', 'INFO');
  assert.equal(info.t, 'verbatim');
  assert.match((info as { v: string }).v, /^txt:id=\d+ .* resp=3\n$/);
  c.close();
});

test('protocol errors are answered and the connection is closed, like Redis', async () => {
  for (const bad of ['*1\r\n+foo\r\n', '*abc\r\n', 'SET "a\r\n', '*1\r\n$-3\r\n']) {
    const replies: Reply[] = [];
    for (const port of [pair.redis.port, pair.reddish.port]) {
      const c = await RespClient.connect(port);
      replies.push(await c.send(bad));
      await c.waitClose();
    }
    assert.deepEqual(replies[1], replies[0], JSON.stringify(bad));
  }
});

test('pipelining of any depth and inline commands', async () => {
  const c = await RespClient.connect(pair.reddish.port);
  const n = 5000;
  let s = '';
  for (let i = 0; i < n; i++) s += i % 2 ? `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n` : `ECHO ${i}\r\n`;
  const replies = await c.sendMany(s, n);
  replies.forEach((r, i) => assert.deepEqual(r, { t: 'bulk', v: String(i) }));
  c.close();
});

test('requirepass: NOAUTH before AUTH, big unauthenticated requests refused', async () => {
  const p = await startPair(['--requirepass', 'secret']);
  try {
    await same(p, [['PING'], ['AUTH', 'wrong'], ['HELLO', '3'], ['HELLO', '2', 'AUTH', 'default', 'bad'], ['AUTH', 'secret'], ['PING'], ['AUTH', 'default', 'secret']]);
    const replies: Reply[] = [];
    for (const port of [p.redis.port, p.reddish.port]) {
      const c = await RespClient.connect(port);
      replies.push(await c.send('*20\r\n'));
      await c.waitClose();
    }
    assert.deepEqual(replies[1], replies[0]);
  } finally {
    await p.close();
  }
});

test('CLIENT LIST shows the 7.0 fields and CLIENT KILL closes clients', async () => {
  const victim = await RespClient.connect(pair.reddish.port);
  await victim.call('CLIENT', 'SETNAME', 'victim');
  const list = plain(await pair.b.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes('name=victim'))!;
  assert.match(
    line,
    /^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name=victim age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=0 oll=0 omem=0 tot-mem=\d+ events=r cmd=client\|setname user=default redir=-1 resp=2$/,
  );
  const id = /^id=(\d+)/.exec(line)![1];
  assert.deepEqual(plain(await pair.b.call('CLIENT', 'KILL', 'ID', id)), 1);
  await victim.waitClose();
});

test('CLIENT PAUSE WRITE holds writes but not reads; UNPAUSE releases them', async () => {
  const c = await RespClient.connect(pair.reddish.port);
  assert.equal(plain(await pair.b.call('CLIENT', 'PAUSE', '5000', 'WRITE')), 'OK');
  assert.equal(plain(await c.call('PING')), 'PONG');
  let done = false;
  const held = c.call('FLUSHDB').then((r) => {
    done = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(done, false, 'write must wait during PAUSE WRITE');
  // PUBLISH and SPUBLISH are may_replicate in 7.0 (not shown in COMMAND INFO): held too.
  const p = await RespClient.connect(pair.reddish.port);
  const s = await RespClient.connect(pair.reddish.port);
  let published = 0;
  const pub = p.call('PUBLISH', 'ch', 'x').then(() => published++);
  const spub = s.call('SPUBLISH', 'ch', 'x').then(() => published++);
  assert.equal(plain(await pair.b.call('PING')), 'PONG');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(published, 0, 'PUBLISH/SPUBLISH must wait during PAUSE WRITE');
  assert.equal(plain(await pair.b.call('CLIENT', 'UNPAUSE')), 'OK');
  assert.equal(plain(await held), 'OK');
  await Promise.all([pub, spub]);
  assert.equal(published, 2);
  c.close();
  p.close();
  s.close();
});

test('MONITOR streams commands in Redis format', async () => {
  const m = await RespClient.connect(pair.reddish.port);
  assert.equal(plain(await m.call('MONITOR')), 'OK');
  const c = await RespClient.connect(pair.reddish.port);
  await c.call('ECHO', 'he"llo\n');
  for (let i = 0; i < 50 && m.unclaimed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  const line = m.unclaimed[0] as { t: 'simple'; v: string };
  assert.equal(line.t, 'simple');
  assert.match(line.v, /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "ECHO" "he\\"llo\\n"$/);
  m.close();
  c.close();
});

test('CLIENT REPLY OFF/SKIP/ON', async () => {
  const c = await RespClient.connect(pair.reddish.port);
  // SKIP: the next reply is dropped, so the ECHO 2 reply answers the first wait.
  const replies = await c.sendMany('CLIENT REPLY SKIP\r\nECHO 1\r\nECHO 2\r\nCLIENT REPLY OFF\r\nECHO 3\r\nCLIENT REPLY ON\r\nECHO 4\r\n', 3);
  assert.deepEqual(replies.map(plain), ['2', 'OK', '4']);
  c.close();
});
