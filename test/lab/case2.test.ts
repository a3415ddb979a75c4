/**
 * reddish lab case2: the log/INFO parsing it relies on, the write pace, the report, the CLI's
 * argument errors, and the whole case at --scale 0.1 (200,000 + 100,000 hashes, about a minute)
 * against redis-server and against reddish: the loop must happen and the course's fix must work.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyLine, parseLogLine, parseInfo, parseClientList, parseReplicaLine, LogReader } from '../../src/lab/watch.js';
import { runCase2, chooseRate, scaledLimits, COURSE, type Case2Result } from '../../src/lab/case2.js';
import { reportHtml, writeReport, samplesTsv } from '../../src/lab/report.js';
import { hasRedisServer, ROOT } from '../../src/lab/processes.js';

const CLI = join(ROOT, 'dist', 'src', 'bin', 'reddish.js');
const MB = 1024 * 1024;

describe('case2: reading the servers', () => {
  test('Redis 7.0 log lines become replication events', () => {
    const l = (s: string) => classifyLine(parseLogLine(s));
    const hard = l(
      '32308:M 24 Nov 2026 04:57:22.329 # Client id=10 addr=127.0.0.1:47614 laddr=127.0.0.1:7200 fd=7 name= age=2 idle=2 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=52 omem=1066208 tot-mem=1088480 events=r cmd=psync user=default redir=-1 resp=2 scheduled to be closed ASAP for overcoming of output buffer limits.',
    );
    assert.equal(hard?.kind, 'buffer-limit');
    assert.equal(hard?.omem, 1066208);
    assert.equal(hard?.oll, 52);
    assert.equal(hard?.async, true);
    const soft = l('13919:M 24 Nov 2026 04:59:35.096 # Client id=9 addr=127.0.0.1:50246 flags=S oll=42 omem=861168 cmd=psync closed for overcoming of output buffer limits.');
    assert.equal(soft?.kind, 'buffer-limit');
    assert.equal(soft?.async, false);
    assert.equal(soft?.omem, 861168);
    // the seed's 5.0 line (no laddr, no user=)
    assert.equal(
      l('4434:M 07 Mar 2020 13:40:17.452 # Client id=16 addr=192.168.158.11:34400 fd=9 name= age=41 idle=41 flags=S db=0 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=0 obl=16351 oll=8173 omem=134233352 events=r cmd=psync scheduled to be closed ASAP for overcoming of output buffer limits.')?.omem,
      134233352,
    );
    assert.equal(l('32308:M 24 Nov 2026 04:57:22.329 # Connection with replica 127.0.0.1:7201 lost.')?.kind, 'replica-lost');
    const bg = l('32308:M 24 Nov 2026 04:57:20.653 * Starting BGSAVE for SYNC with target: disk');
    assert.equal(bg?.kind, 'bgsave-for-sync');
    assert.equal(bg?.target, 'disk');
    assert.equal(l('32308:M 24 Nov 2026 04:57:59.436 * Can\'t attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC')?.kind, 'cannot-attach');
    assert.equal(l('32308:M 24 Nov 2026 04:58:46.751 * Synchronization with replica 127.0.0.1:7201 succeeded')?.kind, 'replica-synced');
    const rx = l('32358:S 24 Nov 2026 04:58:46.722 * MASTER <-> REPLICA sync: receiving 22359977 bytes from master to disk');
    assert.equal(rx?.kind, 'receiving');
    assert.equal(rx?.bytes, 22359977);
    assert.equal(l('32358:S 24 Nov 2026 04:58:47.312 * MASTER <-> REPLICA sync: Finished with success')?.kind, 'sync-finished');
    assert.equal(l('32358:S 24 Nov 2026 04:57:59.435 # I/O error reading bulk count from MASTER: Success')?.kind, 'io-error');
    assert.equal(l('32358:S 24 Nov 2026 04:57:20.656 * Full resync from master: df3bef2958cb4d187877b37fbee50dddbe6eaca1:0')?.kind, 'full-resync');
    assert.equal(l('32358:S 24 Nov 2026 04:57:20.650 * Reconnecting to MASTER 127.0.0.1:7200 after failure')?.kind, 'connecting');
    assert.equal(l('32308:M 24 Nov 2026 04:57:20.653 * DB saved on disk'), undefined);
    const p = parseLogLine('32308:M 24 Nov 2026 04:57:20.653 * Replica 127.0.0.1:7201 asks for synchronization');
    assert.deepEqual([p.pid, p.role, p.stamp, p.level], [32308, 'M', '24 Nov 2026 04:57:20.653', '*']);
  });

  test('LogReader splits chunks into lines', () => {
    const r = new LogReader([]);
    const got: string[] = [];
    r.onLine((l) => got.push(l.msg));
    r.push('1:M 24 Nov 2026 04:57:20.653 * one\n1:M 24 Nov 2026 04:57:20.6');
    r.push('54 * two\n');
    assert.deepEqual(got, ['one', 'two']);
    assert.equal(r.text().split('\n').length, 3);
  });

  test('INFO, replica lines and CLIENT LIST', () => {
    const i = parseInfo('# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=7201,state=wait_bgsave,offset=0,lag=0\r\n\r\n# Stats\r\nsync_full:2\r\n');
    assert.equal(i.role, 'master');
    assert.equal(i.sync_full, '2');
    assert.deepEqual(parseReplicaLine(i.slave0), { ip: '127.0.0.1', port: '7201', state: 'wait_bgsave', offset: '0', lag: '0' });
    const cl = parseClientList('id=9 addr=127.0.0.1:1 flags=S oll=10 omem=205040 cmd=psync\nid=3 addr=127.0.0.1:2 flags=N oll=0 omem=0 cmd=client|list\n');
    assert.equal(cl.length, 2);
    assert.equal(cl[0].omem, '205040');
  });
});

describe('case2: parameters', () => {
  test('limits scale with the sizes, seconds with the durations', () => {
    assert.deepEqual(scaledLimits(COURSE.limit, 1, 1), { hard: 134217728, soft: 33554432, softSeconds: 30 });
    assert.deepEqual(scaledLimits(COURSE.fix, 1, 1), { hard: 536870912, soft: 134217728, softSeconds: 120 });
    assert.deepEqual(scaledLimits(COURSE.limit, 0.1, 0.2), { hard: 13421773, soft: 3355443, softSeconds: 6 });
  });

  test('the write pace lands between its two bounds', () => {
    const r = chooseRate({
      snapshotBytes: 245 * MB,
      linkBytesPerSec: 3 * MB,
      linkWindowBytes: 3 * MB,
      linkDelayMs: 1000,
      snapshotSec: 10,
      bytesPerKey: 201,
      writeQty: 1_000_000,
      limit: scaledLimits(COURSE.limit, 1, 1),
    });
    assert.ok(r.min < r.rate && r.rate < r.max, JSON.stringify(r));
    // the replica is dropped well within the first sync (~91 s to push the snapshot)
    const bps = r.rate * 201;
    assert.ok(32 * MB / bps + 30 < 0.8 * 91, `drop at ${32 * MB / bps + 30}s`);
    // no soft limit: aim at the hard one
    const h = chooseRate({ snapshotBytes: 24 * MB, linkBytesPerSec: 3 * MB, linkWindowBytes: 3 * MB, linkDelayMs: 1000, snapshotSec: 1, bytesPerKey: 200, writeQty: 1e5, limit: { hard: 12 * MB, soft: 0, softSeconds: 0 } });
    assert.match(h.why, /hard limit/);
  });
});

describe('case2: report', () => {
  const fake: Case2Result = {
    ok: true,
    loop: { reproduced: true, fullSyncs: 2, drops: 1, verdict: 'LOOP REPRODUCED (2 full syncs, 1 buffer-limit disconnection)' },
    fix: { applied: true, works: true, verdict: 'FIX WORKS (sync completed in 3.0 seconds)', syncSec: 3 },
    params: {
      server: 'redis',
      scale: 0.1,
      timeScale: 0.2,
      loadQty: 10,
      writeQty: 5,
      linkDelayMs: 1000,
      linkWindowBytes: MB,
      linkBytesPerSec: MB,
      limit: { hard: 10, soft: 5, softSeconds: 1 },
      fix: { hard: 40, soft: 20, softSeconds: 4 },
      diskless: false,
      rate: 100,
      rateWhy: 'test',
      loops: 1,
      intervalMs: 250,
      seed: 'x',
    },
    figures: {},
    events: [{ t: 1, at: 1, source: 'master', kind: 'buffer-limit', text: 'dropped </script><b>', why: 'because' }],
    samples: [{ t: 0, at: 0, phase: 'loop', omem: 3, hard: 10, soft: 5, softSeconds: 1 }],
    masterLog: 'a <log>',
    replicaLog: '',
    checks: [],
    ports: {},
    pids: {},
  };

  test('report.html inlines Chart.js and escapes what it shows', () => {
    const html = reportHtml(fake, 'window.Chart = function () {}; /* </script> */');
    assert.ok(!/<script[^>]+src=/i.test(html), 'no external script');
    assert.ok(html.includes('window.Chart = function'));
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two closing tags of our own scripts');
    assert.ok(html.includes('a &lt;log&gt;'));
    assert.ok(html.includes('LOOP REPRODUCED'));
  });

  test('the report folder has the timeline, the logs and the page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'case2-report-'));
    try {
      const files = writeReport(dir, fake);
      for (const f of ['timeline.json', 'timeline.tsv', 'events.tsv', 'master.log', 'replica.log', 'slowlink.json', 'report.html']) assert.ok(existsSync(join(dir, f)), f);
      assert.ok(readFileSync(files.html, 'utf8').length > 150_000, 'Chart.js is inside');
      const tsv = samplesTsv(fake.samples).split('\n');
      assert.equal(tsv[0].split('\t')[0], 't');
      assert.equal(JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8')).loop.drops, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('case2: command line', () => {
  test('bad arguments exit with status 2', () => {
    for (const args of [['--server', 'memcached'], ['--scale', '0'], ['--scale', 'x'], ['--loops', '0']]) {
      const r = spawnSync(process.execPath, [CLI, 'lab', 'case2', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

function assertCase(r: Case2Result): void {
  const story = r.events.map((e) => `${e.t.toFixed(1)} ${e.source} ${e.text}`).join('\n');
  assert.equal(r.error, undefined, `${r.error}\n${story}`);
  assert.ok(r.loop.reproduced, `${r.loop.verdict}: ${r.loop.why}\n${story}`);
  assert.ok(r.loop.drops >= 1 && r.loop.fullSyncs >= 2, r.loop.verdict);
  assert.match(r.loop.verdict, /^LOOP REPRODUCED \(\d+ full syncs, \d+ buffer-limit disconnections?\)$/);
  assert.ok(r.fix.works, `${r.fix.verdict}: ${r.fix.why}\n${story}`);
  assert.match(r.fix.verdict, /^FIX WORKS \(sync completed in \d+\.\d seconds\)$/);
  for (const c of r.checks) assert.ok(c.ok, `${c.name}: ${c.detail}`);
  assert.ok(r.checks.some((c) => c.name === 'DBSIZE' && c.detail.includes('300000')));
  assert.ok(r.ok);
  // the drop is in the master's log, with Redis's wording
  assert.match(r.masterLog, /for overcoming of output buffer limits\./);
  assert.match(r.replicaLog, /MASTER <-> REPLICA sync: Finished with success/);
  // the buffer really went past the small soft limit before the first drop
  assert.ok((r.figures.peakOmemBeforeFix ?? 0) >= r.params.limit.soft, `peak ${r.figures.peakOmemBeforeFix}`);
  assert.ok(r.samples.length > 20);
}

describe('case2: the whole case at --scale 0.1', { concurrency: false }, () => {
  for (const server of ['redis', 'reddish'] as const) {
    const skip = server === 'redis' && !hasRedisServer() ? 'redis-server is not installed' : false;
    test(`${server === 'redis' ? 'redis-server' : 'reddish'}: the loop, then the fix`, { skip, timeout: 240_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `case2-${server}-`));
      try {
        const r = await runCase2({ server, scale: 0.1, outDir: dir, timeoutMs: 200_000 });
        writeReport(dir, r);
        assertCase(r);
        // reddish is told to use the classic sync (whatever its default); redis-server is not asked
        const rdbCh = r.events.filter((e) => e.kind === 'rdb-channel');
        if (server === 'reddish') assert.match(rdbCh[0]?.text ?? '', /^CONFIG SET repl-rdb-channel no on both nodes$/);
        else assert.equal(rdbCh.length, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
