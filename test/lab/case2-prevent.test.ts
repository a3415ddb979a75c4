/**
 * reddish lab case2 --prevent: the same case (small limit, same writes) with Redis 8's RDB
 * channel on both reddish nodes must end with PREVENTED: one full sync, no buffer-limit
 * disconnection, the replica caught up with the same data. redis-server 7.0 is refused up front.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCase2, Case2Error, type Case2Result } from '../../src/lab/case2.js';
import { ROOT } from '../../src/lab/processes.js';

const CLI = join(ROOT, 'dist', 'src', 'bin', 'reddish.js');

describe('case2 --prevent', { concurrency: false }, () => {
  test('--server redis-server --prevent: refused before anything starts (7.0 has no RDB channel)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'case2-prevent-refused-'));
    const out = join(dir, 'report');
    try {
      const r = spawnSync(process.execPath, [CLI, 'lab', 'case2', '--server', 'redis-server', '--prevent', '--out', out], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--prevent needs the RDB channel/);
      assert.match(r.stderr, /redis-server 7\.0 has no such channel/);
      assert.equal(r.stdout, '', 'nothing was started or printed');
      assert.ok(!existsSync(out), 'no report folder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The library refuses it too.
    await assert.rejects(runCase2({ server: 'redis', prevent: true, scale: 0.1 }), (e: unknown) => e instanceof Case2Error && /has no such channel/.test(e.message));
  });

  test('reddish --scale 0.1 --prevent: PREVENTED under the small limit, same data', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'case2-prevent-'));
    try {
      const child = spawn(process.execPath, [CLI, 'lab', 'case2', '--scale', '0.1', '--prevent', '--timeout', '200', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const status = await new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const r = JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8')) as Case2Result;
      const story = r.events.map((e) => `${e.t.toFixed(1)} ${e.source} ${e.text}${e.why ? ` — ${e.why}` : ''}`).join('\n');
      assert.equal(r.error, undefined, `${r.error}\n${story}`);
      assert.equal(status, 0, `${stdout}\n${stderr}`);
      // the verdict line, and no loop/fix verdicts
      assert.match(stdout, /^PREVENTED \(sync completed in \d+\.\d s under the small limit; master-side replica buffer peak .+, replica-side buffer peak .+, spilled .+\)$/m, stdout);
      assert.doesNotMatch(stdout, /LOOP (NOT )?REPRODUCED|FIX WORKS/);
      assert.ok(r.prevent?.works, `${r.prevent?.verdict}: ${r.prevent?.why}\n${story}`);
      assert.equal(r.prevent.drops, 0);
      assert.equal(r.prevent.fullSyncs, 1);
      assert.ok((r.prevent.syncSec ?? 0) > 0);
      // under the small limit: the master's buffer for the replica stayed below the soft limit
      assert.ok(r.prevent.peakOmem < r.params.limit.soft, `peak omem ${r.prevent.peakOmem} vs soft ${r.params.limit.soft}`);
      assert.deepEqual(r.samples[r.samples.length - 1].soft, r.params.limit.soft, 'the small limit stayed in force');
      assert.ok(!r.events.some((e) => e.kind === 'fix'), 'no fix phase');
      // the replica caught up: offsets, DBSIZE, DEBUG DIGEST
      for (const name of ['replica online, offsets equal', 'DBSIZE', 'DEBUG DIGEST']) {
        const c = r.checks.find((x) => x.name === name);
        assert.ok(c?.ok, `${name}: ${c?.detail}`);
      }
      assert.ok(r.checks.some((c) => c.name === 'DBSIZE' && c.detail.includes('master 300000, replica 300000')));
      const dig = r.checks.find((c) => c.name === 'DEBUG DIGEST')!;
      assert.match(dig.detail, /^master ([0-9a-f]{40}), replica \1$/);
      // it really was the RDB channel, and nobody was dropped
      const mlog = readFileSync(join(dir, 'master.log'), 'utf8');
      const rlog = readFileSync(join(dir, 'replica.log'), 'utf8');
      assert.match(mlog, /Full sync will continue with dedicated rdb channel/);
      assert.doesNotMatch(mlog, /for overcoming of output buffer limits/);
      assert.match(rlog, /MASTER <-> REPLICA sync: Finished with success/);
      // the replica-side buffer is in the timeline and charted
      assert.ok(r.samples.some((s) => (s.rFsbSize ?? 0) > 0), 'replica_full_sync_buffer_size sampled above 0');
      assert.ok((r.prevent.replicaBufferPeak ?? 0) > 0);
      assert.ok(r.prevent.spilledTotal !== undefined);
      assert.match(readFileSync(join(dir, 'timeline.tsv'), 'utf8').split('\n')[0], /\trFsbSize\trFsbPeak\trFsbSpilled\trFsbSpilledTotal\t/);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      assert.ok(html.includes('id="c-fsb"'), 'the replica-side buffer chart');
      assert.ok(html.includes('PREVENTED (sync completed'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
