/**
 * reddish doctor: the model's arithmetic (pure), log parsing, the CLI's errors, and the case
 * scaled down against real servers — a master with a few MB of data, a replica behind a
 * SlowLink at ~1 MB/s, writes at a fixed rate:
 *   (a) small replica limit → doctor predicts failure (hard limit), and the sync really is
 *       dropped for output buffer limits, in a loop doctor names;
 *   (c) doctor's recommended client-output-buffer-limit, applied with CONFIG SET, lets the
 *       sync finish (replica link up);
 *   (b) the course's fix scaled down → doctor predicts success (CLI, --json, exit 0) and the
 *       replica links up;
 *   and the other causes it names: a soft limit held too long, and a cut link with a 16kb
 *   backlog (the full sync that follows is the backlog's fault).
 * Runs against redis-server 7.0, and against reddish when it answers REPLICAOF.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { statSync, writeFileSync, appendFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  predictSync,
  recommend,
  minLinkRate,
  maxWriteRate,
  omemFor,
  effectiveHard,
  parseReplicaLimit,
  parseInfo,
  parseClientList,
  confSize,
  logEvents,
  runDoctor,
  analyze,
  formatReport,
  MB,
  KB,
  type ModelInput,
  type DoctorEvent,
  type DoctorReport,
  type MasterConfig,
  replicaBufferNotes,
  type Sample,
} from '../../src/lab/doctor.js';
import { SlowLink } from '../../src/lab/slowlink.js';
import { generate } from '../../src/lab/datagen.js';
import { spawnServer, hasRedisServer, freePort, ROOT, type SpawnedServer } from '../../src/lab/processes.js';

const CLI = join(ROOT, 'dist', 'src', 'bin', 'reddish.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runCli(args: string[], timeoutMs = 60000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

// -------------------------------------------------------------------------------------------
// The model

const BASE: ModelInput = {
  writeRate: 400 * KB,
  rdbBytes: 4 * MB,
  saveSeconds: 0.1,
  loadSeconds: 0.04,
  linkRate: 1 * MB,
  diskless: false,
  limit: { hard: 1 * MB, soft: 256 * KB, softSeconds: 30 },
  backlogSize: 16 * KB,
  hardFloorFromBacklog: true,
};

describe('doctor: model', () => {
  test('omem counts 20504 bytes per 16 KB block, plus the tail block (1mb fires at oll=52 omem=1066208)', () => {
    assert.equal(omemFor(0), 0);
    assert.equal(omemFor(51 * 20440), 52 * 20504);
    assert.equal(omemFor(51 * 20440), 1066208);
  });

  test('7.0 raises the replica hard limit to repl-backlog-size; 0 stays disabled', () => {
    const lim = { hard: 256 * KB, soft: 0, softSeconds: 0 };
    assert.equal(effectiveHard(lim, MB, true), MB);
    assert.equal(effectiveHard(lim, MB, false), 256 * KB);
    assert.equal(effectiveHard({ ...lim, hard: 0 }, MB, true), 0);
  });

  test('T = snapshot + transfer + load; a 1 MB hard limit fails a 4 MB sync at 1 MB/s under 400 KB/s of writes', () => {
    const p = predictSync(BASE);
    assert.ok(Math.abs(p.syncSeconds - (0.1 + 4 + 0.04)) < 1e-9);
    assert.ok(Math.abs(p.accumulated - 400 * KB * p.syncSeconds) < 1);
    assert.equal(p.ok, false);
    assert.equal(p.failure, 'hard limit');
    assert.ok(p.hardAt! > 2.4 && p.hardAt! < 2.6, `hardAt ${p.hardAt}`);
    assert.ok(p.arithmetic.some((l) => l.startsWith('T = snapshot')));
  });

  test('diskless: the snapshot overlaps the transfer', () => {
    const p = predictSync({ ...BASE, diskless: true, saveSeconds: 1 });
    assert.ok(Math.abs(p.syncSeconds - (4 + 0.04)) < 1e-9);
  });

  test('the course fix scaled down (replica 4mb 1mb 120) succeeds', () => {
    const p = predictSync({ ...BASE, limit: { hard: 4 * MB, soft: 1 * MB, softSeconds: 120 } });
    assert.equal(p.ok, true, p.arithmetic.join('\n'));
    assert.equal(p.hardFires, false);
    assert.equal(p.softFires, false);
  });

  test('soft limit: 512kb for 5 s with 60 KB/s of writes during a 47 s sync (spec C2) fires ~13.5 s after the fork', () => {
    const p = predictSync({ ...BASE, writeRate: 60 * KB, rdbBytes: 22 * MB, linkRate: 22 * MB / 47, saveSeconds: 0, loadSeconds: 0, limit: { hard: 0, soft: 512 * KB, softSeconds: 5 } });
    assert.equal(p.failure, 'soft limit');
    assert.ok(p.softAt! > 12.5 && p.softAt! < 14.5, `softAt ${p.softAt}`);
  });

  test('a link slower than the writes never catches up', () => {
    const p = predictSync({ ...BASE, limit: { hard: 0, soft: 0, softSeconds: 0 }, writeRate: 2 * MB });
    assert.equal(p.ok, false);
    assert.equal(p.failure, 'link slower than the write stream');
  });

  test('minLinkRate / maxWriteRate are the break-even points', () => {
    const { linkRate: _l, ...rest } = BASE;
    const m = minLinkRate(rest);
    assert.ok(predictSync({ ...BASE, linkRate: m * 1.01 }).ok);
    assert.ok(!predictSync({ ...BASE, linkRate: m * 0.99 }).ok);
    const { writeRate: _w, ...rest2 } = BASE;
    const w = maxWriteRate(rest2);
    assert.ok(predictSync({ ...BASE, writeRate: w * 0.99 }).ok);
    assert.ok(!predictSync({ ...BASE, writeRate: w * 1.01 }).ok);
  });

  test('the recommendation makes the predicted sync succeed, with the arithmetic, rounded to MB', () => {
    const p = predictSync(BASE);
    const rec = recommend({ prediction: p, writeRate: BASE.writeRate, limit: BASE.limit, backlogSize: BASE.backlogSize, outageSeconds: 60, hardFloorFromBacklog: true });
    assert.equal(rec.limit.hard % MB, 0);
    assert.ok(rec.limit.hard >= p.peakOmem * 2);
    assert.ok(predictSync({ ...BASE, limit: rec.limit, backlogSize: rec.backlogSize }).ok);
    assert.match(rec.value, /^replica \d+mb \S+ \d+$/);
    assert.ok(rec.commands.some((c) => c.startsWith("CONFIG SET client-output-buffer-limit 'replica ")));
    // backlog: 400 KB/s × 60 s × 2 = 46.9 MB → 47mb
    assert.equal(rec.backlogSize, 47 * MB);
    assert.ok(rec.arithmetic.some((l) => l.includes('× 60 s outage × 2')));
    // a soft limit held too long gets more seconds
    const ps = predictSync({ ...BASE, limit: { hard: 64 * MB, soft: 256 * KB, softSeconds: 2 } });
    assert.equal(ps.failure, 'soft limit');
    const rs = recommend({ prediction: ps, writeRate: BASE.writeRate, limit: { hard: 64 * MB, soft: 256 * KB, softSeconds: 2 }, backlogSize: 16 * KB, outageSeconds: 60, hardFloorFromBacklog: true });
    assert.ok(rs.limit.softSeconds > 2);
    assert.ok(predictSync({ ...BASE, limit: rs.limit }).ok);
  });

  test('parsing: CONFIG GET client-output-buffer-limit, INFO, CLIENT LIST, sizes', () => {
    assert.deepEqual(parseReplicaLimit('normal 0 0 0 slave 1048576 524288 5 pubsub 33554432 8388608 60'), { hard: 1048576, soft: 524288, softSeconds: 5 });
    const info = parseInfo('# Replication\r\nrole:master\r\nslave0:ip=127.0.0.1,port=7201,state=online,offset=5,lag=0\r\n');
    assert.equal(info.role, 'master');
    assert.equal(info.slave0, 'ip=127.0.0.1,port=7201,state=online,offset=5,lag=0');
    const cl = parseClientList('id=10 addr=127.0.0.1:47614 laddr=127.0.0.1:7200 fd=7 name= flags=S oll=52 omem=1066208 cmd=psync\n');
    assert.equal(cl[0].omem, '1066208');
    assert.equal(cl[0].name, '');
    assert.equal(confSize(4 * MB), '4mb');
    assert.equal(confSize(256 * KB), '256kb');
    assert.equal(confSize(1000), '1000');
  });

  test("log lines name the causes exactly (Redis 7.0's texts)", () => {
    const ev: DoctorEvent[] = [];
    const log = [
      '32308:M 24 Nov 2026 04:57:20.653 * Starting BGSAVE for SYNC with target: disk',
      '32308:M 24 Nov 2026 04:57:22.329 # Client id=10 addr=127.0.0.1:47614 laddr=127.0.0.1:7200 fd=7 name= age=2 idle=2 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=52 omem=1066208 tot-mem=1088480 events=r cmd=psync user=default redir=-1 resp=2 scheduled to be closed ASAP for overcoming of output buffer limits.',
      '32308:M 24 Nov 2026 04:57:22.329 # Connection with replica 127.0.0.1:7201 lost.',
      "32308:M 24 Nov 2026 04:57:59.436 * Partial resynchronization not accepted: Replication ID mismatch (Replica asked for 'cb47', my replication IDs are 'df3b' and '0000')",
      '13919:M 24 Nov 2026 04:59:35.096 # Client id=9 addr=127.0.0.1:50246 laddr=127.0.0.1:7200 fd=7 name= age=16 idle=16 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=42 omem=861168 tot-mem=862968 events=r cmd=psync user=default redir=-1 resp=2 closed for overcoming of output buffer limits.',
      '32308:M 24 Nov 2026 05:00:01.000 * Unable to partial resync with replica 127.0.0.1:7201 for lack of backlog (Replica request was: 5600963).',
    ].join('\n');
    logEvents(log, MB, { hard: MB, soft: 512 * KB, softSeconds: 5 }, ev);
    const drops = ev.filter((e) => e.kind === 'dropped');
    assert.deepEqual(
      drops.map((e) => e.cause),
      ['hard limit', 'soft limit'],
    );
    assert.ok(ev.some((e) => e.psync === 'replication ID mismatch'));
    assert.ok(ev.some((e) => e.psync === 'lack of backlog' && e.cause === 'soft limit'));
    assert.equal(new Date(drops[0].at).getFullYear(), 2026);
  });
});

// -------------------------------------------------------------------------------------------
// Diagnosis from samples (synthetic INFO / CLIENT LIST sequences)

interface Step {
  state?: string;
  omem?: number;
  id?: string;
  syncFull?: number;
  perr?: number;
}

/** One sample every 500 ms; the stream grows 50 KB per sample (100 KB/s). */
function samplesOf(steps: Step[]): Sample[] {
  return steps.map((st, i) => {
    const info: Record<string, string> = {
      role: 'master',
      redis_version: '7.0.15',
      master_replid: 'a'.repeat(40),
      master_replid2: '0'.repeat(40),
      master_repl_offset: String(1000 + i * 50 * KB),
      repl_backlog_active: '1',
      sync_full: String(st.syncFull ?? 0),
      sync_partial_ok: '0',
      sync_partial_err: String(st.perr ?? 0),
      db0: 'keys=1000,expires=0,avg_ttl=0',
    };
    const replicas = st.state ? [{ name: '127.0.0.1:7001', ip: '127.0.0.1', port: 7001, state: st.state, offset: 0, lag: 0 }] : [];
    if (st.state) info.slave0 = `ip=127.0.0.1,port=7001,state=${st.state},offset=0,lag=0`;
    const clients = st.state ? [{ id: st.id ?? '1', addr: `127.0.0.1:${40000 + Number(st.id ?? 1)}`, flags: 'S', omem: String(st.omem ?? 0), oll: '1' }] : [];
    return { t: 1_700_000_000_000 + i * 500, info, replicas, clients, replicaSide: {} };
  });
}

function analyzeSteps(steps: Step[], limit: { hard: number; soft: number; softSeconds: number }, extra: Partial<MasterConfig> = {}): DoctorReport {
  return analyze({
    host: '127.0.0.1',
    port: 7000,
    durationMs: (steps.length - 1) * 500,
    intervalMs: 500,
    samples: samplesOf(steps),
    cfg: { limit, backlogSize: 16 * KB, disklessSync: false, replTimeout: 60, ...extra },
    rdbEstimate: { bytes: 4 * MB, source: 'test', keys: 1000 },
    options: {},
    notes: [],
  });
}

describe('doctor: causes from samples', () => {
  test('a syncing replica vanishing near the hard limit → hard limit, and the next full sync is caused by it (ID mismatch refusal)', () => {
    const steps: Step[] = [
      { state: 'send_bulk', omem: 700 * KB, id: '5' },
      { state: 'send_bulk', omem: 800 * KB, id: '5' },
      { state: 'send_bulk', omem: 950 * KB, id: '5' },
      {},
      { state: 'wait_bgsave', omem: 0, id: '6', syncFull: 1, perr: 1 },
    ];
    const rep = analyzeSteps(steps, { hard: MB, soft: 0, softSeconds: 0 });
    const drop = rep.events.find((e) => e.kind === 'dropped');
    assert.equal(drop?.cause, 'hard limit', formatReport(rep));
    const full = rep.events.find((e) => e.kind === 'full-sync');
    assert.equal(full?.cause, 'hard limit');
    assert.match(full?.psync ?? '', /replication ID mismatch/);
    assert.equal(rep.verdict, 'fail');
    assert.ok(rep.loop);
  });

  test('an online replica above soft for longer than soft-seconds → soft limit; its full sync is due to the backlog', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 7; i++) steps.push({ state: 'online', omem: 1.5 * MB, id: '9' });
    steps.push({});
    steps.push({ state: 'wait_bgsave', omem: 0, id: '10', syncFull: 1, perr: 1 });
    const rep = analyzeSteps(steps, { hard: 64 * MB, soft: MB, softSeconds: 2 });
    const drop = rep.events.find((e) => e.kind === 'dropped');
    assert.equal(drop?.cause, 'soft limit', formatReport(rep));
    const full = rep.events.find((e) => e.kind === 'full-sync');
    assert.equal(full?.cause, 'backlog too small', formatReport(rep));
    assert.match(full?.psync ?? '', /lack of backlog/);
  });

  test('a failing full sync: the second replication channel is recommended where the server has it', () => {
    // The replica dropped near the hard limit and back for a full sync: verdict fail.
    const steps: Step[] = [
      { state: 'send_bulk', omem: 700 * KB, id: '5' },
      { state: 'send_bulk', omem: 800 * KB, id: '5' },
      { state: 'send_bulk', omem: 950 * KB, id: '5' },
      {},
      { state: 'wait_bgsave', omem: 0, id: '6', syncFull: 1, perr: 1 },
    ];
    const limit = { hard: MB, soft: 0, softSeconds: 0 };
    const channelNote = (r: DoctorReport) => r.notes.find((n) => /second (replication )?channel|is on:/.test(n));
    // Redis 7.0: neither config exists.
    assert.match(channelNote(analyzeSteps(steps, limit)) ?? '', /no second replication channel \(Redis 7\.x\): Redis 8 \(repl-rdb-channel\), Valkey 8 \(dual-channel-replication-enabled\)/);
    // Redis 8 / reddish with the channel off: the CONFIG SET, and that diskless sync is needed.
    assert.match(
      channelNote(analyzeSteps(steps, limit, { rdbChannel: false })) ?? '',
      /CONFIG SET repl-rdb-channel yes on the master and its replicas \(it needs repl-diskless-sync yes on the master\)/,
    );
    // Valkey 8 with diskless sync on.
    assert.match(channelNote(analyzeSteps(steps, limit, { dualChannel: false, disklessSync: true })) ?? '', /CONFIG SET dual-channel-replication-enabled yes on the master and its replicas; the snapshot/);
    // Already on: the prediction is for replicas that do not speak it.
    assert.match(channelNote(analyzeSteps(steps, limit, { rdbChannel: true, disklessSync: true })) ?? '', /^repl-rdb-channel is on: replicas that speak it avoid this buffer/);
    // A sync that succeeds: nothing to say.
    const ok = analyzeSteps([{ state: 'send_bulk', omem: 10 * KB, id: '5' }, { state: 'send_bulk', omem: 10 * KB, id: '5' }], { hard: 256 * MB, soft: 0, softSeconds: 0 }, { rdbChannel: false });
    assert.equal(channelNote(ok), undefined);
  });

  test('a replica that buffered the stream on its side (Redis 8 or Valkey 8 INFO fields) is reported with its peak', () => {
    const samples = samplesOf([{ state: 'online', omem: 0, id: '5' }, { state: 'online', omem: 0, id: '5' }]);
    samples[0].replicaSide['127.0.0.1:7001'] = { syncInProgress: true, channelBuffer: 3 * MB, channelBufferPeak: 3 * MB, channelSpilled: MB };
    samples[1].replicaSide['127.0.0.1:7001'] = { syncInProgress: false, channelBuffer: 0, channelBufferPeak: 5 * MB, channelSpilled: 2 * MB };
    assert.deepEqual(replicaBufferNotes(samples), [
      "replica 127.0.0.1:7001 kept the stream on its side during a second-channel full sync: peak 5.0 MB (INFO replica_full_sync_buffer_peak), 2.0 MB of it spilled to disk: the master's output buffer did not have to hold it",
    ]);
    assert.deepEqual(replicaBufferNotes(samplesOf([{ state: 'online', omem: 0, id: '5' }])), []);
  });

  test('a full sync without a PSYNC refusal (PSYNC ? -1) → new replica', () => {
    const steps: Step[] = [{}, { state: 'wait_bgsave', omem: 0, id: '3', syncFull: 1 }];
    const rep = analyzeSteps(steps, { hard: MB, soft: 0, softSeconds: 0 });
    assert.equal(rep.events.find((e) => e.kind === 'full-sync')?.cause, 'new replica');
  });
});

// -------------------------------------------------------------------------------------------
// The CLI's errors

describe('doctor: CLI', () => {
  test('unreachable server: exit 1 with a clear message', async () => {
    const port = await freePort();
    const r = await runCli(['doctor', '--port', String(port), '--duration', '100ms', '--interval', '100ms']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`));
  });

  test('bad arguments: exit 2', async () => {
    for (const args of [
      ['--duration', 'abc'],
      ['--port', '70000'],
      ['--link-rate', 'fast'],
      ['--interval', '10ms'],
      ['--duration', '100ms', '--interval', '1s'],
    ]) {
      const r = await runCli(['doctor', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /invalid/);
    }
  });

  test('--help shows examples and exit codes', async () => {
    const r = await runCli(['doctor', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--link-rate/);
    assert.match(r.stdout, /Exit status:/);
    assert.match(r.stdout, /3 {2}a full sync would fail/);
  });
});

// -------------------------------------------------------------------------------------------
// The case, scaled down, against real servers

/** Writes `SET w:<n> <value>` at `bytesPerSec` (stream bytes) on one raw connection. */
function startWriter(port: number, bytesPerSec: number): { stop: () => void; errors: () => number } {
  const value = 'x'.repeat(1000);
  const one = (i: number) => {
    const k = `w:${i % 256}`;
    return `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${value.length}\r\n${value}\r\n`;
  };
  const perCmd = Buffer.byteLength(one(100));
  const sock = net.connect({ port, host: '127.0.0.1' });
  let errors = 0;
  sock.on('error', () => errors++);
  sock.on('data', () => undefined);
  let n = 0;
  let owed = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const t = performance.now();
    owed += ((t - last) / 1000) * bytesPerSec;
    last = t;
    let chunk = '';
    while (owed >= perCmd) {
      chunk += one(n++);
      owed -= perCmd;
    }
    if (chunk && !sock.destroyed) sock.write(chunk);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sock.destroy();
    },
    errors: () => errors,
  };
}

interface CaseRig {
  master: SpawnedServer;
  replica: SpawnedServer;
  link: SlowLink;
  m: Redis;
  r: Redis;
  writer: { stop: () => void };
  close: () => Promise<void>;
}

// The RDB must be well above what the kernel's socket buffers hold on loopback (~4-5 MB here:
// the master finishes writing that much earlier), or a sync "finishes" before the link matters.
const WRITE_RATE = 400 * KB;
const LINK_RATE = 4 * 1000 * 1000;
const KEYS = 160000; // ~20 MB of RDB

/** Samples the master with --logfile: its stdout log is mirrored into a file while doctor runs. */
async function doctorWithLogfile(master: SpawnedServer) {
  const logPath = join(master.dir, 'master.log');
  writeFileSync(logPath, master.output());
  const toLog = (d: Buffer) => appendFileSync(logPath, d);
  master.proc.stdout!.on('data', toLog);
  try {
    return await runDoctor({ port: master.port, durationMs: 6000, intervalMs: 250, logfile: logPath });
  } finally {
    master.proc.stdout!.off('data', toLog);
  }
}

async function startCase(kind: 'redis' | 'reddish', limit: string, keys = KEYS): Promise<CaseRig> {
  const master = await spawnServer(kind, ['--repl-diskless-sync', 'no', '--repl-backlog-size', '16kb', '--client-output-buffer-limit', `replica ${limit}`]);
  let replica: SpawnedServer | undefined;
  let link: SlowLink | undefined;
  const m = new Redis({ port: master.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  let r: Redis | undefined;
  let writer: { stop: () => void } | undefined;
  const close = async () => {
    writer?.stop();
    m.disconnect();
    r?.disconnect();
    await link?.close();
    await replica?.stop();
    await master.stop();
  };
  try {
    await m.connect();
    await generate({ type: 'hash', qty: keys, prefix: 'session', port: master.port, seed: 1 });
    replica = await spawnServer(kind, []);
    r = new Redis({ port: replica.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    link = await new SlowLink({ listenPort: 0, targetPort: master.port, rateBytesPerSec: LINK_RATE, windowBytes: 256 * KB }).start();
    writer = startWriter(master.port, WRITE_RATE);
    await sleep(300);
    await r.call('REPLICAOF', '127.0.0.1', String(link.port));
    return { master, replica, link, m, r, writer, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function linkUp(r: Redis, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const i = parseInfo((await r.call('INFO', 'replication')) as string);
    if (i.master_link_status === 'up') return true;
    await sleep(200);
  }
  return false;
}

for (const kind of ['redis', 'reddish'] as const) {
  const skip = kind === 'redis' && !hasRedisServer() ? 'redis-server is not installed' : false;
  describe(`doctor: the case scaled down against ${kind === 'redis' ? 'redis-server' : 'reddish'}`, { skip }, () => {
    test('(a) small replica limit: predicts failure (hard limit) and the sync is dropped in a loop; (c) the recommended limit makes it succeed', async () => {
      // the course's 'slave 134217728 33554432 30' scaled by 1/128
      const rig = await startCase(kind, '1mb 256kb 30');
      try {
        await sleep(1000);
        const rep = await doctorWithLogfile(rig.master);
        const text = formatReport(rep);
        assert.equal(rep.verdict, 'fail', text);
        assert.equal(rep.exitCode, 3);
        const rp = rep.replicas.find((x) => x.name.endsWith(`:${rig.replica.port}`));
        assert.ok(rp, text);
        assert.ok(rp.prediction, text);
        assert.equal(rp.prediction.failure, 'hard limit', text);
        assert.ok(rp.linkRate! > LINK_RATE * 0.6 && rp.linkRate! < LINK_RATE * 1.3, `link rate ${rp.linkRate}\n${text}`);
        assert.ok(rep.writeRate.bytesPerSec > WRITE_RATE * 0.7 && rep.writeRate.bytesPerSec < WRITE_RATE * 1.3, `write rate ${rep.writeRate.bytesPerSec}\n${text}`);
        assert.match(rep.snapshot.rdbSource, /announced/, text);
        // the sync really fails: dropped for output buffer limits, and doctor names the cause
        await rig.master.waitForLog(/for overcoming of output buffer limits/, 20000);
        assert.ok(rep.loop, text);
        assert.ok(rep.events.some((e) => e.kind === 'dropped' && e.cause === 'hard limit'), text);
        assert.ok(rep.events.some((e) => e.kind === 'full-sync' && e.cause === 'hard limit'), text);
        // the log names it exactly
        assert.ok(rep.events.some((e) => e.source === 'log' && e.kind === 'dropped' && e.cause === 'hard limit'), text);
        assert.ok(rep.events.some((e) => e.source === 'log' && e.psync === 'replication ID mismatch'), text);
        // (c) apply doctor's recommendation
        const value = rep.recommendation.value;
        assert.ok(rep.recommendation.limit.hard > MB, text);
        await rig.m.call('CONFIG', 'SET', 'client-output-buffer-limit', value);
        const lim = parseReplicaLimit(((await rig.m.call('CONFIG', 'GET', 'client-output-buffer-limit')) as string[])[1]);
        assert.deepEqual(lim, rep.recommendation.limit);
        assert.ok(await linkUp(rig.r, 30000), `replica link not up 30 s after CONFIG SET client-output-buffer-limit '${value}'\n${text}`);
        // a doctor run now sees a healthy, online replica
        const after = await runDoctor({ port: rig.master.port, durationMs: 1500, intervalMs: 250, linkRate: LINK_RATE });
        assert.equal(after.replicas[0]?.state, 'online', formatReport(after));
        assert.equal(after.verdict, 'ok', formatReport(after));
      } finally {
        await rig.close();
      }
    });

    test("(b) the course's fix scaled down (replica 4mb 1mb 120): predicts success (CLI --json, exit 0) and the replica links up", async () => {
      const rig = await startCase(kind, '4mb 1mb 120');
      try {
        await sleep(1000);
        const r = await runCli(['doctor', '--port', String(rig.master.port), '--duration', '4s', '--interval', '250ms', '--json']);
        const rep = JSON.parse(r.stdout) as DoctorReport;
        const text = formatReport(rep);
        assert.equal(r.code, 0, `${r.stderr}\n${text}`);
        assert.equal(rep.verdict, 'ok', text);
        const rp = rep.replicas[0];
        assert.ok(rp?.prediction?.ok, text);
        assert.ok(rp.linkRate! > LINK_RATE * 0.6 && rp.linkRate! < LINK_RATE * 1.3, `link rate ${rp.linkRate}\n${text}`);
        assert.ok(await linkUp(rig.r, 30000), `replica link not up\n${text}`);
        assert.doesNotMatch(rig.master.output(), /for overcoming of output buffer limits/);
      } finally {
        await rig.close();
      }
    });

    test('soft limit (replica 64mb 512kb 1): predicted, and the drops are blamed on the soft limit (samples and log)', async () => {
      const rig = await startCase(kind, '64mb 512kb 1');
      try {
        await sleep(1000);
        const rep = await doctorWithLogfile(rig.master);
        const text = formatReport(rep);
        await rig.master.waitForLog(/for overcoming of output buffer limits/, 20000);
        assert.equal(rep.verdict, 'fail', text);
        assert.equal(rep.replicas[0]?.prediction?.failure, 'soft limit', text);
        assert.ok(rep.events.some((e) => e.source === 'sample' && e.kind === 'dropped' && e.cause === 'soft limit'), text);
        assert.ok(rep.events.some((e) => e.source === 'log' && e.kind === 'dropped' && e.cause === 'soft limit'), text);
        assert.ok(!rep.events.some((e) => e.kind === 'dropped' && e.cause === 'hard limit'), text);
        // the recommendation gives the soft limit enough seconds
        assert.ok(rep.recommendation.limit.softSeconds > 1, text);
      } finally {
        await rig.close();
      }
    });

    test('a cut link with a 16kb backlog: the full sync that follows is blamed on the backlog, and a backlog size is recommended', async () => {
      const rig = await startCase(kind, '64mb 16mb 60', 2000);
      try {
        assert.ok(await linkUp(rig.r, 20000), 'initial sync');
        const running = runDoctor({ port: rig.master.port, durationMs: 5000, intervalMs: 250 });
        await sleep(1000);
        rig.link.cut();
        await sleep(1500);
        rig.link.restore();
        const rep = await running;
        const text = formatReport(rep);
        await rig.master.waitForLog(/for lack of backlog/, 10000);
        const drop = rep.events.find((e) => e.kind === 'dropped');
        assert.ok(drop, text);
        assert.equal(drop.state, 'online', text);
        const full = rep.events.find((e) => e.kind === 'full-sync');
        assert.equal(full?.cause, 'backlog too small', text);
        assert.match(full?.psync ?? '', /lack of backlog/, text);
        assert.ok(rep.recommendation.backlogSize >= WRITE_RATE * 60 * 2, text);
        assert.ok(rep.recommendation.commands.some((c) => c.startsWith('CONFIG SET repl-backlog-size')), text);
      } finally {
        await rig.close();
      }
    });
  });
}

describe('doctor: a master without replicas', () => {
  let s: SpawnedServer | undefined;
  before(async () => {
    if (hasRedisServer()) s = await spawnServer('redis', ['--repl-diskless-sync', 'no', '--client-output-buffer-limit', 'replica 1mb 256kb 30', '--repl-backlog-size', '16kb']);
  });
  after(async () => {
    await s?.stop();
  });

  test('estimates the RDB with DUMP samples; no verdict without --link-rate (exit 4), a prediction with it', async (t) => {
    if (!s) return t.skip('redis-server is not installed');
    await generate({ type: 'hash', qty: 20000, prefix: 'session', port: s.port, seed: 2 });
    const w = startWriter(s.port, 500 * KB);
    try {
      await sleep(300);
      const r = await runCli(['doctor', '--port', String(s.port), '--duration', '1500ms', '--interval', '250ms']);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.match(r.stdout, /Verdict: UNKNOWN/);
      assert.match(r.stdout, /--link-rate/);
      const r2 = await runCli(['doctor', '--port', String(s.port), '--duration', '1500ms', '--interval', '250ms', '--link-rate', '1mb', '--json']);
      const rep = JSON.parse(r2.stdout) as DoctorReport;
      assert.equal(r2.code, 3, formatReport(rep));
      assert.match(rep.snapshot.rdbSource, /estimated/);
      // the server's own SAVE as the reference for the estimate (the writer adds little: 256 keys)
      const c = new Redis({ port: s.port, lazyConnect: true });
      await c.connect();
      await c.call('SAVE');
      c.disconnect();
      const real = statSync(join(s.dir, 'dump.rdb')).size;
      assert.ok(Math.abs(rep.snapshot.rdbBytes - real) < real * 0.2, `estimated ${rep.snapshot.rdbBytes}, real ${real}`);
      assert.match(rep.writeRate.note ?? '', /upper bound/);
      assert.equal(rep.hypothetical?.prediction?.failure, 'hard limit');
    } finally {
      w.stop();
    }
  });
});
