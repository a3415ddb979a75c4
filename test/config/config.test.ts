/** Unit tests of the directive table: parsing, validation, Redis's error texts, loader rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config, ConfigSetError, UnknownConfigError, ConfigLoadingError, CONFIG_DEFS, type SavePoint } from '../../src/config/config.js';
import { FatalConfigError, loadConfigText, loadServerConfig } from '../../src/config/loader.js';
import { applyRenames } from '../../src/config/renames.js';
import { CommandTable } from '../../src/commands/registry.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reddish-config-'));
}

/** The reason line of the FATAL report for one config line. */
function fatalReason(text: string): string {
  try {
    loadConfigText(new Config(), text);
  } catch (e) {
    assert.ok(e instanceof FatalConfigError, String(e));
    return e.reason;
  }
  assert.fail(`accepted: ${text}`);
}

function setError(pairs: [string, string][], opts = {}): string {
  try {
    new Config().setMany(pairs, opts);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`accepted: ${JSON.stringify(pairs)}`);
}

test('CONFIG GET * lists the 192 names of Redis 7.0 (aliases included, hidden ones excluded)', () => {
  const c = new Config();
  const names = c.getMatching(['*']).map(([k]) => k);
  assert.equal(names.length, 192);
  assert.equal(new Set(names).size, 192);
  for (const hidden of ['rdb-key-save-delay', 'key-load-delay', 'use-exit-on-panic', 'watchdog-period', 'loading-process-events-interval-bytes']) {
    assert.ok(!names.includes(hidden), hidden);
    assert.deepEqual(c.getMatching([hidden]).length, 1, hidden);
  }
  for (const alias of ['slaveof', 'lua-time-limit', 'hash-max-ziplist-entries', 'cluster-slave-no-failover', 'slave-read-only']) assert.ok(names.includes(alias), alias);
});

test('every no-effect directive says why, and refused features have no no-effect note', () => {
  for (const d of CONFIG_DEFS) {
    if (d.noEffect !== undefined) assert.ok(d.noEffect.length > 10, d.name);
    if (d.refuse) assert.equal(d.noEffect, undefined, d.name);
  }
});

test('value errors carry Redis texts', () => {
  const cases: [string, string][] = [
    ['appendonly maybe', "argument must be 'yes' or 'no'"],
    ['loglevel loud', 'argument(s) must be one of the following: debug, verbose, notice, warning'],
    ['port 70000', 'argument must be between 0 and 65535 inclusive'],
    ['port 08', "argument couldn't be parsed into an integer"],
    ['maxmemory 10zb', 'argument must be a memory value'],
    ['maxmemory -1', 'argument must be a memory value'],
    ['maxmemory-clients 200%', 'percentage argument must be less or equal to 100'],
    ['maxmemory-clients -5', 'argument must be a memory or percent value'],
    ['unixsocketperm 999', "argument couldn't be parsed as an octal number"],
    ['unixsocketperm 1777', 'argument must be between 0 and 777 inclusive'],
    ['hz abc', "argument couldn't be parsed into an integer"],
    ['slowlog-log-slower-than -2', 'argument must be between -1 and 9223372036854775807 inclusive'],
    ['shutdown-on-sigterm save nosave', "shutdown options SAVE and NOSAVE can't be used simultaneously"],
    ['shutdown-on-sigterm bogus', 'argument(s) must be one of the following: default, save, nosave, now, force'],
    ['oom-score-adj-values 1 2', 'wrong number of arguments'],
    ['oom-score-adj-values 1 2 3000', 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.'],
    ['latency-tracking-info-percentiles 50 101', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'],
    ['latency-tracking-info-percentiles abc', 'Invalid latency-tracking-info-percentiles parameters'],
    ['dbfilename a/b', "dbfilename can't be a path, just a filename"],
    ['appendfilename ""', "appendfilename can't be empty"],
    ['proc-title-template "{nope}"', 'template format is invalid or contains unknown variables'],
    ['cluster-announce-hostname "a b"', 'Hostnames may only contain alphanumeric characters, hyphens or dots'],
    ['activedefrag yes', 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'],
    ['save 10', 'Invalid save parameters'],
    ['dir /nonexistent-reddish-dir', 'No such file or directory'],
    ['io-threads 0', 'argument must be between 1 and 128 inclusive'],
    ['foo bar', 'Bad directive or wrong number of arguments'],
    ['port 1 2', 'wrong number of arguments'],
    ['foo.bar', 'Module config specified without value'],
    ['sentinel monitor x', 'sentinel directive while not in sentinel mode'],
    ['requirepass "a', 'Unbalanced quotes in configuration line'],
  ];
  for (const [line, reason] of cases) assert.equal(fatalReason(line), reason, line);
});

test('directives for missing features stop loading with a reason naming the feature', () => {
  assert.match(fatalReason('cluster-enabled yes'), /Cluster/);
  assert.match(fatalReason('loadmodule /usr/lib/redis/modules/x.so'), /modules/);
  // The values that keep the feature off are accepted and shown.
  const c = new Config();
  loadConfigText(c, 'appendonly no\nappendfsync always\ntls-port 0\ntls-cert-file /x.crt\naclfile ""\ncluster-enabled no\n');
  assert.deepEqual(c.getMatching(['appendonly', 'appendfsync', 'tls-cert-file', 'aclfile']), [
    ['appendonly', 'no'],
    ['appendfsync', 'always'],
    ['tls-cert-file', '/x.crt'],
    ['aclfile', ''],
  ]);
});

test('numbers: units, percentages, octal, big integers, hz capping', () => {
  const c = new Config();
  loadConfigText(
    c,
    [
      'maxmemory 1GB',
      'maxmemory-clients 10%',
      'unixsocketperm 766',
      'hz 1000',
      'slowlog-log-slower-than 9223372036854775807',
      'repl-backlog-size 2mb',
      'list-max-listpack-size -5',
    ].join('\n'),
  );
  assert.equal(c.num('maxmemory'), 1024 * 1024 * 1024);
  assert.equal(c.text('maxmemory-clients'), '10%');
  assert.equal(c.num('unixsocketperm'), 0o766);
  assert.equal(c.text('unixsocketperm'), '766');
  assert.equal(c.text('hz'), '500');
  assert.equal(c.text('slowlog-log-slower-than'), '9223372036854775807');
  assert.equal(c.num('repl-backlog-size'), 2 * 1024 * 1024);
  assert.equal(c.num('list-max-listpack-size'), -5);
  loadConfigText(c, 'maxmemory-clients 64mb\nhz 0');
  assert.equal(c.text('maxmemory-clients'), '67108864');
  assert.equal(c.text('hz'), '1');
});

test('flags enums show in table order; enums and booleans are case-insensitive', () => {
  const c = new Config();
  loadConfigText(c, 'shutdown-on-sigterm now SAVE\nshutdown-on-sigint "nosave force"\nloglevel WARNING\nprotected-mode No');
  assert.equal(c.text('shutdown-on-sigterm'), 'save now');
  assert.equal(c.text('shutdown-on-sigint'), 'nosave force');
  assert.equal(c.text('loglevel'), 'warning');
  assert.equal(c.text('protected-mode'), 'no');
  loadConfigText(c, 'shutdown-on-sigterm default');
  assert.equal(c.text('shutdown-on-sigterm'), 'default');
});

test('the first save line of a file replaces the default points, later ones add', () => {
  const c = new Config();
  assert.equal(c.text('save'), '3600 1 300 100 60 10000');
  loadConfigText(c, 'save 900 1\nsave 300 10');
  assert.deepEqual(c.get<SavePoint[]>('save'), [
    { seconds: 900, changes: 1 },
    { seconds: 300, changes: 10 },
  ]);
  const d = new Config();
  loadConfigText(d, 'save ""\nsave 60 5');
  assert.equal(d.text('save'), '60 5');
  // CONFIG SET always replaces.
  d.setMany([['save', '100 2']]);
  assert.equal(d.text('save'), '100 2');
  d.setMany([['save', '']]);
  assert.equal(d.text('save'), '');
});

test('command-line options follow the file: line numbers continue, save appends after the file', () => {
  const dir = tmp();
  const file = join(dir, 'r.conf');
  writeFileSync(file, 'port 1\nsave 900 1\n');
  const c = new Config();
  loadServerConfig(c, file, null, 'save 60 2');
  assert.equal(c.text('save'), '900 1 60 2');
  try {
    loadServerConfig(new Config(), file, null, 'port "70000"');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof FatalConfigError);
    assert.equal(e.message, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n>>> 'port \"70000\"'\nargument must be between 0 and 65535 inclusive\n");
  }
});

test('include: a missing file is one log line, a pattern matching nothing is skipped', () => {
  const dir = tmp();
  try {
    loadConfigText(new Config(), `include ${join(dir, 'nope.conf')}`);
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof FatalConfigError);
    assert.equal(e.stream, 'log');
    assert.match(e.message, new RegExp(`^${process.pid}:C \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} # Fatal error, can't open config file '${join(dir, 'nope.conf')}': No such file or directory\\n$`));
  }
  writeFileSync(join(dir, 'a.conf'), 'maxmemory 1mb\n');
  writeFileSync(join(dir, 'b.conf'), 'maxmemory 2mb\n');
  const c = new Config();
  loadConfigText(c, `include ${join(dir, 'none-*.conf')}\ninclude ${join(dir, '*.conf')}`);
  assert.equal(c.num('maxmemory'), 2 * 1024 * 1024);
});

test('deprecated directives of old files are skipped', () => {
  const c = new Config();
  loadConfigText(c, 'list-max-ziplist-entries 512\nlist-max-ziplist-value 64\nlua-replicate-commands yes');
  assert.equal(fatalReason('list-max-ziplist-entries 1 2'), 'Bad directive or wrong number of arguments');
});

test('rename-command renames and removes commands, with Redis errors', () => {
  const table = new CommandTable();
  const spec = (name: string) => ({ name, arity: 1, flags: [], group: 'server', handler: () => undefined }) as never;
  table.register([spec('get'), spec('set'), spec('flushall')]);
  const c = new Config();
  loadConfigText(c, 'rename-command get fetch\nrename-command FLUSHALL ""');
  applyRenames(c, table);
  assert.equal(table.get('get'), undefined);
  assert.equal(table.get('FETCH')?.name, 'get');
  assert.equal(table.get('flushall'), undefined);
  const bad = (line: string) => {
    const t = new CommandTable();
    t.register([spec('get'), spec('set')]);
    const k = new Config();
    loadConfigText(k, `port 1\n${line}`);
    try {
      applyRenames(k, t);
    } catch (e) {
      assert.ok(e instanceof FatalConfigError);
      return e.message;
    }
    return 'accepted';
  };
  assert.equal(bad('rename-command foo bar'), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'rename-command foo bar'\nNo such command in rename-command\n");
  assert.match(bad('rename-command get set'), /Target command name already exists\n$/);
});

test('CONFIG SET: Redis error texts and precedence', () => {
  assert.equal(setError([['nope', '1']]), "Unknown option or number of arguments for CONFIG SET - 'nope'");
  assert.equal(setError([['daemonize', 'yes']]), "CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  assert.equal(setError([['dir', '/tmp']]), "CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  assert.equal(setError([['databases', '1'], ['nope', '1']]), "CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
  assert.equal(setError([['nope', '1'], ['databases', '1']]), "Unknown option or number of arguments for CONFIG SET - 'nope'");
  assert.equal(setError([['maxmemory', '1'], ['MAXMEMORY', '2']]), "CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter");
  assert.equal(setError([['slave-read-only', 'x']]), "CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'");
  assert.equal(setError([['REPLICA-read-only', 'x']]), "CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'");
  assert.match(setError([['shutdown-on-sigterm', '']]), /argument\(s\) must be one of the following/);
  try {
    new Config().setMany([['dir', '/tmp']], { allowProtected: true, loading: true });
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ConfigLoadingError);
  }
  assert.ok(new UnknownConfigError('x') instanceof Error && new ConfigSetError('x', 'y') instanceof Error);
  // A failed pair leaves every value unchanged.
  const c = new Config();
  assert.throws(() => c.setMany([['maxmemory', '5mb'], ['port', '-1']]));
  assert.equal(c.num('maxmemory'), 0);
  c.setMany([['dir', tmpdir()]], { allowProtected: true });
  assert.equal(c.str('dir'), tmpdir());
});

test('CONFIG SET splits several arguments on single spaces', () => {
  const c = new Config();
  c.setMany([['oom-score-adj-values', '1 2 3'], ['latency-tracking-info-percentiles', '99 1.5'], ['shutdown-on-sigint', 'save now']]);
  assert.deepEqual(c.getMatching(['oom-score-adj-values', 'latency-tracking-info-percentiles', 'shutdown-on-sigint']), [
    ['oom-score-adj-values', '1 2 3'],
    ['latency-tracking-info-percentiles', '99 1.5'],
    ['shutdown-on-sigint', 'save now'],
  ]);
  c.setMany([['latency-tracking-info-percentiles', '']]);
  assert.equal(c.text('latency-tracking-info-percentiles'), '');
});

test('rewrite lines: flags, percentiles, special formats', () => {
  const c = new Config();
  loadConfigText(c, 'shutdown-on-sigterm nosave now\nlatency-tracking-info-percentiles ""\nmaxmemory-clients 5%\nunixsocketperm 700\nsave 60 1');
  const l = c.rewriteLines();
  assert.deepEqual(l.get('shutdown-on-sigterm'), ['shutdown-on-sigterm nosave now']);
  assert.deepEqual(l.get('latency-tracking-info-percentiles'), ['latency-tracking-info-percentiles ""']);
  assert.deepEqual(l.get('maxmemory-clients'), ['maxmemory-clients 5%']);
  assert.deepEqual(l.get('unixsocketperm'), ['unixsocketperm 700']);
  assert.deepEqual(l.get('save'), ['save 60 1']);
  // Reading the lines back gives the same values.
  const d = new Config();
  loadConfigText(d, [...l.values()].flat().join('\n'));
  for (const name of ['shutdown-on-sigterm', 'latency-tracking-info-percentiles', 'maxmemory-clients', 'unixsocketperm', 'save']) assert.equal(d.text(name), c.text(name), name);
});

test('docs/config.md lists every no-effect directive with its reason, and nothing else', async () => {
  const { ROOT } = await import('../helpers/servers.js');
  const doc = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
  const start = doc.indexOf('| Directive | Why it has no effect |');
  assert.ok(start > 0);
  const rows = doc
    .slice(start)
    .split('\n')
    .slice(2)
    .filter((l) => l.startsWith('| `'));
  const documented = new Map(rows.map((r) => [/^\| `([^`]+)`/.exec(r)![1], r]));
  const expected = CONFIG_DEFS.filter((d) => d.noEffect !== undefined);
  assert.equal(documented.size, expected.length);
  for (const d of expected) {
    const row = documented.get(d.name);
    assert.ok(row, `${d.name} missing from docs/config.md`);
    assert.ok(row.includes(d.noEffect!), `${d.name}: reason differs`);
  }
});

test('lazyfree-lazy-expire and lazyfree-lazy-eviction: deletions propagate as UNLINK, as in Redis', async () => {
  const { startServer } = await import('../../src/index.js');
  const { RespClient } = await import('../helpers/resp.js');
  const srv = await startServer({ config: { save: '' } });
  // Everything propagated, kept across commands: a key may expire actively or on access.
  const log: string[][] = [];
  srv.server.propagator = { propagate: (db, argv) => void log.push([String(db), ...argv]) };
  const c = await RespClient.connect(srv.port, srv.host);
  try {
    for (const lazy of ['no', 'yes']) {
      const cmd = lazy === 'yes' ? 'UNLINK' : 'DEL';
      await c.call('CONFIG', 'SET', 'lazyfree-lazy-expire', lazy, 'lazyfree-lazy-eviction', lazy);
      log.length = 0;
      await c.call('SET', `k${lazy}`, 'v');
      await c.call('PEXPIRE', `k${lazy}`, '1');
      await new Promise((r) => setTimeout(r, 20));
      await c.call('GET', `k${lazy}`);
      assert.deepEqual(
        log.filter((p) => p[2] === `k${lazy}`).map((p) => p[1]),
        ['SET', 'PEXPIREAT', cmd],
        `expire, lazy ${lazy}`,
      );
      await c.call('SET', `e${lazy}`, 'v');
      // The eviction may run right after CONFIG SET (as Redis's) or at the next write.
      log.length = 0;
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random', 'maxmemory', '1');
      await c.call('SET', 'other', 'v');
      assert.ok(log.some((p) => p[1] === cmd && p[2] === `e${lazy}`), `eviction, lazy ${lazy}: ${JSON.stringify(log)}`);
      await c.call('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction');
      await c.call('FLUSHALL');
    }
  } finally {
    c.close();
    await srv.close();
  }
});
