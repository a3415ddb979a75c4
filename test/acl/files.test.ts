/**
 * ACL users from files, against redis-server 7.0.15: `user` lines in redis.conf and `aclfile`
 * (and their fatal errors), ACL SAVE / ACL LOAD with the file format Redis writes (and its
 * errors), ACL LOAD closing connections of replaced users, and CONFIG REWRITE keeping users.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, startServer, freePort, REDDISH_BIN, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';
const KINDS = ['redis', 'reddish'] as const;

/** Sorts runs of single-command rules (7.0 prints them in its dictionary's random order). */
function normLine(s: string): string {
  const out: string[] = [];
  let run: string[] = [];
  for (const t of s.split(' ')) {
    if (/^[+-][^@(]/.test(t) && !t.endsWith(')')) run.push(t);
    else {
      out.push(...run.sort(), t);
      run = [];
    }
  }
  out.push(...run.sort());
  return out.join(' ');
}
const normList = (r: Reply): string[] => (r.t === 'array' ? r.v.map((x) => normLine((x as { v: string }).v)) : [JSON.stringify(r)]);

async function withServers<T>(fn: (kind: (typeof KINDS)[number], dir: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const kind of KINDS) {
    const dir = mkdtempSync(join(tmpdir(), `acl-files-${kind}-`));
    try {
      out.push(await fn(kind, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

const USERS = [
  'user alice on #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 ~cached:* &news* -@all +get +set',
  'user bob off resetchannels -@all +@read (~x* resetchannels -@all +hget)',
  'user default on nopass ~* &* +@all',
];

test('aclfile: loaded at startup, ACL SAVE writes the same file, ACL LOAD reloads it (as redis-server)', { skip }, async () => {
  const results = await withServers(async (kind, dir) => {
    writeFileSync(join(dir, 'users.acl'), USERS.join('\n') + '\n');
    const s = await startServer(kind, ['--aclfile', join(dir, 'users.acl')], { dir });
    const c = await RespClient.connect(s.port);
    try {
      const list1 = normList(await c.call('ACL', 'LIST'));
      assert.deepEqual(await c.call('ACL', 'SETUSER', 'carol', 'on', '>pw', '+@hash', '~h*'), { t: 'simple', v: 'OK' });
      assert.deepEqual(await c.call('ACL', 'SAVE'), { t: 'simple', v: 'OK' });
      const saved = readFileSync(join(dir, 'users.acl'), 'latin1').split('\n').map(normLine);
      // A user logged in as carol is closed by ACL LOAD (every non-default user is replaced).
      const carol = await RespClient.connect(s.port);
      assert.deepEqual(await carol.call('AUTH', 'carol', 'pw'), { t: 'simple', v: 'OK' });
      writeFileSync(join(dir, 'users.acl'), USERS.join('\n') + '\n');
      assert.deepEqual(await c.call('ACL', 'LOAD'), { t: 'simple', v: 'OK' });
      await carol.waitClose();
      const list2 = normList(await c.call('ACL', 'LIST'));
      // A broken file changes nothing and reports every problem.
      writeFileSync(join(dir, 'users.acl'), 'user alice on +nosuch ~x\nnotuser x\nuser alice on\nuser bad bogus\nuser p (+get\n');
      const err = await c.call('ACL', 'LOAD');
      const list3 = normList(await c.call('ACL', 'LIST'));
      return { list1, saved, list2, err: err.t === 'error' ? err.v.split(join(dir, 'users.acl')).join('FILE') : err, list3 };
    } finally {
      c.close();
      await s.stop();
    }
  });
  assert.deepEqual(results[1], results[0]);
});

test('user lines in the config file; CONFIG REWRITE writes users; ACL SAVE/LOAD without aclfile are refused', { skip }, async () => {
  const results = await withServers(async (kind, dir) => {
    const conf = join(dir, 'redis.conf');
    writeFileSync(conf, `# users\n${USERS[0]}\nuser bob on >pw +@all ~*\n`);
    const s = await startServer(kind, [], { dir, configFile: conf });
    const c = await RespClient.connect(s.port);
    try {
      const list1 = normList(await c.call('ACL', 'LIST'));
      const other = await RespClient.connect(s.port);
      const auth = await other.call('AUTH', 'bob', 'pw');
      other.close();
      await c.call('ACL', 'SETUSER', 'zed', 'on', 'nopass', '+ping');
      await c.call('ACL', 'DELUSER', 'bob');
      const refused = [await c.call('ACL', 'SAVE'), await c.call('ACL', 'LOAD')];
      assert.deepEqual(await c.call('CONFIG', 'REWRITE'), { t: 'simple', v: 'OK' });
      const lines = readFileSync(conf, 'latin1')
        .split('\n')
        .filter((l) => l.startsWith('user ') || l.startsWith('# users'))
        .map(normLine);
      await s.stop();
      const s2 = await startServer(kind, [], { dir, configFile: conf });
      const c2 = await RespClient.connect(s2.port);
      const list2 = normList(await c2.call('ACL', 'LIST'));
      c2.close();
      await s2.stop();
      return { list1, auth, refused, lines, list2 };
    } finally {
      c.close();
      await s.stop();
    }
  });
  assert.deepEqual(results[1], results[0]);
});

/** Runs a server that must fail to start: its exit status and output without pids and times. */
function failedStart(kind: 'redis' | 'reddish', args: string[], port: number): { status: number | null; out: string[] } {
  const r =
    kind === 'redis'
      ? spawnSync('redis-server', [...args, '--port', String(port)], { timeout: 15000, encoding: 'latin1' })
      : spawnSync(process.execPath, [REDDISH_BIN, ...args, '--port', String(port)], { timeout: 15000, encoding: 'latin1' });
  const text = (r.stdout ?? '') + (r.stderr ?? '');
  const out = text
    .split('\n')
    .filter((l) => /FATAL|>>>|Reading the|Error|error|Spaces|Critical|Configuring Redis|Aborting|Duplicate/.test(l))
    .map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, ''));
  return { status: r.status, out };
}

test('fatal ACL configuration errors: same messages and exit status as redis-server', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'acl-fatal-'));
  try {
    const cases: Record<string, string> = {
      both: `user alice on >pw ~* +@all\naclfile ${join(dir, 'users.acl')}\n`,
      badrule: 'user alice on >pw bogus\n',
      badcmd: 'user alice on >pw +nosuchcmd\n',
      dup: 'user alice on\nuser alice off\n',
      space: 'user "a b" on\n',
      paren: 'user alice on (+get\n',
      hash: 'user alice on #1234\n',
      missingfile: `aclfile ${join(dir, 'nope.acl')}\n`,
      badfile: `aclfile ${join(dir, 'bad.acl')}\n`,
    };
    writeFileSync(join(dir, 'users.acl'), 'user default on nopass ~* &* +@all\n');
    writeFileSync(join(dir, 'bad.acl'), 'user x on +nosuch\nuser x off\n');
    for (const [name, text] of Object.entries(cases)) {
      const conf = join(dir, `${name}.conf`);
      writeFileSync(conf, text + `dir ${dir}\nsave ""\n`);
      const port = await freePort();
      const expected = failedStart('redis', [conf], port);
      const actual = failedStart('reddish', [conf], port);
      assert.deepEqual(actual, expected, `config case ${name}`);
      assert.equal(expected.status, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('acl-pubsub-default: new users and reset follow it, existing users keep their channels', { skip }, async () => {
  const results = await withServers(async (kind, dir) => {
    const s: SpawnedServer = await startServer(kind, ['--acl-pubsub-default', 'allchannels'], { dir });
    const c = await RespClient.connect(s.port);
    try {
      await c.call('ACL', 'SETUSER', 'a1', 'on');
      await c.call('CONFIG', 'SET', 'acl-pubsub-default', 'resetchannels');
      await c.call('ACL', 'SETUSER', 'a2', 'on');
      await c.call('ACL', 'SETUSER', 'a3', 'reset');
      const list = normList(await c.call('ACL', 'LIST'));
      // CONFIG GET lists in 7.0's dictionary order: compare the pairs sorted.
      const raw = await c.call('CONFIG', 'GET', 'acl*');
      const flat = raw.t === 'array' ? raw.v.map((x) => (x as { v: string }).v) : [];
      const cfg = flat.reduce<string[]>((acc, v, i) => (i % 2 === 0 ? [...acc, `${v}=${flat[i + 1]}`] : acc), []).sort();
      return { list, cfg };
    } finally {
      c.close();
      await s.stop();
    }
  });
  assert.deepEqual(results[1], results[0]);
});
