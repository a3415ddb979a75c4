/**
 * BullMQ 5 used unchanged: its Lua scripts (EVALSHA with many keys, cjson/cmsgpack), blocking
 * BZPOPMIN on the marker key, CLIENT SETNAME/LIST and event streams (XADD in every script).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker, FlowProducer, QueueEvents, type Job } from 'bullmq';
import { perServer, T, uniq, waitFor, hasStreams } from './common.js';

perServer('BullMQ', ({ port }) => {
  const connection = () => ({ host: '127.0.0.1', port: port() });

  /** A queue closed (and emptied) when the test ends. */
  function queue(t: TestContext, name: string): Queue {
    const q = new Queue(name, { connection: connection() });
    q.on('error', () => undefined);
    t.after(async () => {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    });
    return q;
  }

  /** A worker whose errors are collected (an 'error' without listener would throw). */
  function worker(t: TestContext, name: string, fn: (job: Job) => Promise<unknown>, opts: Record<string, unknown> = {}): Worker {
    const w = new Worker(name, fn, { connection: connection(), ...opts });
    w.on('error', () => undefined);
    t.after(() => w.close());
    return w;
  }

  test('Queue + Worker: N jobs processed with their results', T, async (t) => {
    const name = uniq('bq-basic');
    const q = queue(t, name);
    const n = 50;
    const jobs = await q.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'sq', data: { x: i } })));
    assert.equal(jobs.length, n);
    assert.equal(await q.count(), n);
    const results = new Map<string, unknown>();
    const w = worker(t, name, async (job) => job.data.x * job.data.x, { concurrency: 5 });
    w.on('completed', (job, rv) => results.set(job.id!, rv));
    await waitFor('all jobs completed', async () => results.size === n);
    for (const j of jobs) assert.equal(results.get(j.id!), j.data.x * j.data.x);
    const done = await q.getJob(jobs[7].id!);
    assert.equal(await done!.getState(), 'completed');
    assert.equal(done!.returnvalue, 49);
    assert.equal(done!.attemptsMade, 1);
    assert.deepEqual(await q.getJobCounts('completed', 'wait', 'active', 'failed'), { completed: n, wait: 0, active: 0, failed: 0 });
  });

  test('delayed job: delayed state, then processed', T, async (t) => {
    const name = uniq('bq-delay');
    const q = queue(t, name);
    const job = await q.add('later', { v: 'd' }, { delay: 400 });
    assert.equal(await job.getState(), 'delayed');
    assert.equal((await q.getJobCounts('delayed')).delayed, 1);
    const seen: string[] = [];
    worker(t, name, async (j) => {
      seen.push(j.id!);
      return 'ok';
    });
    await waitFor('delayed job completed', async () => (await job.getState()) === 'completed');
    assert.deepEqual(seen, [job.id]);
    assert.equal((await q.getJobCounts('delayed')).delayed, 0);
  });

  test('retries with exponential backoff, then failed', T, async (t) => {
    const name = uniq('bq-retry');
    const q = queue(t, name);
    let calls = 0;
    const w = worker(t, name, async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    const failed: Job[] = [];
    w.on('failed', (j) => {
      if (j) failed.push(j);
    });
    const job = await q.add('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 50 } });
    await waitFor('job failed for good', async () => (await job.getState()) === 'failed');
    const j = (await q.getJob(job.id!))!;
    assert.equal(j.attemptsMade, 3);
    assert.equal(j.failedReason, 'boom 3');
    assert.equal(j.stacktrace?.length, 3);
    assert.equal(calls, 3);
    // 'failed' fires on each attempt; between them the job waits in the delayed set.
    assert.equal(failed.length, 3);
    assert.deepEqual(await q.getJobCounts('failed', 'delayed', 'wait'), { failed: 1, delayed: 0, wait: 0 });
  });

  test('repeatable job (job scheduler every 150 ms): iterations, then removed', T, async (t) => {
    const name = uniq('bq-repeat');
    const q = queue(t, name);
    let runs = 0;
    worker(t, name, async (j) => {
      runs++;
      return j.data.n;
    });
    await q.upsertJobScheduler('tick', { every: 150 }, { name: 'tick', data: { n: 1 } });
    const scheds = await q.getJobSchedulers();
    assert.equal(scheds.length, 1);
    assert.equal(scheds[0].key, 'tick');
    assert.equal(scheds[0].every, 150);
    await waitFor('three iterations', async () => runs >= 3);
    assert.equal(await q.removeJobScheduler('tick'), true);
    assert.deepEqual(await q.getJobSchedulers(), []);
    assert.equal((await q.getJobCounts('delayed')).delayed, 0);
  });

  test('FlowProducer: the parent completes after its children, with their values', T, async (t) => {
    const name = uniq('bq-flow');
    const q = queue(t, name);
    const order: string[] = [];
    worker(
      t,
      name,
      async (j) => {
        order.push(j.name);
        if (j.name === 'parent') {
          const vals = await j.getChildrenValues();
          return Object.values(vals).sort();
        }
        return `${j.name}-done`;
      },
      { concurrency: 3 },
    );
    const fp = new FlowProducer({ connection: connection() });
    fp.on('error', () => undefined);
    t.after(() => fp.close());
    const tree = await fp.add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'c1', queueName: name, data: {} },
        { name: 'c2', queueName: name, data: {} },
        { name: 'c3', queueName: name, data: {}, children: [{ name: 'g1', queueName: name, data: {} }] },
      ],
    });
    assert.equal(tree.children!.length, 3);
    await waitFor('parent completed', async () => (await tree.job.getState()) === 'completed');
    const parent = await q.getJob(tree.job.id!);
    assert.deepEqual(parent!.returnvalue, ['c1-done', 'c2-done', 'c3-done']);
    assert.equal(order[order.length - 1], 'parent');
    assert.ok(order.indexOf('g1') < order.indexOf('c3'), `grandchild before its parent: ${order}`);
    const deps = await parent!.getDependenciesCount();
    assert.equal(deps.processed, 3);
    assert.equal(deps.unprocessed, 0);
  });

  test('getJobCounts and getWorkers (CLIENT LIST parse)', T, async (t) => {
    const name = uniq('bq-getters');
    const q = queue(t, name);
    await q.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {}, opts: { delay: 60000 } }, { name: 'c', data: {}, opts: { priority: 3 } }]);
    assert.deepEqual(await q.getJobCounts('wait', 'delayed', 'prioritized', 'active', 'completed'), { wait: 1, delayed: 1, prioritized: 1, active: 0, completed: 0 });
    const w1 = worker(t, name, async () => 'x', { name: 'w-one' });
    const w2 = worker(t, name, async () => 'y', { name: 'w-two' });
    await Promise.all([w1.waitUntilReady(), w2.waitUntilReady()]);
    await waitFor('both jobs done', async () => (await q.getJobCounts('completed')).completed === 2);
    const workers = await waitFor('two workers listed', async () => {
      const ws = await q.getWorkers();
      return ws.length === 2 ? ws : null;
    });
    // CLIENT SETNAME bull:<base64 queue>:w:<worker name>; getWorkers matches and renames it.
    const prefix = `bull:${Buffer.from(name).toString('base64')}:w:`;
    assert.deepEqual(workers.map((w) => w.rawname).sort(), [`${prefix}w-one`, `${prefix}w-two`]);
    for (const w of workers) {
      assert.equal(w.name, name);
      assert.match(w.addr, /^127\.0\.0\.1:\d+$/);
      assert.match(String(w.id), /^\d+$/);
      assert.match(w.cmd, /^[a-z|]+$/);
    }
    assert.equal(await q.getWorkersCount(), 2);
    await w1.close();
    await waitFor('one worker left', async () => (await q.getWorkersCount()) === 1);
  });

  test('QueueEvents (XREAD BLOCK on the events stream): waitUntilFinished', T, async (t) => {
    if (!(await hasStreams(port()))) {
      t.skip('streams are not implemented on this server yet (COMMAND INFO xread answers nil); QueueEvents reads the events stream with XREAD BLOCK');
      return;
    }
    const name = uniq('bq-events');
    const q = queue(t, name);
    const qe = new QueueEvents(name, { connection: connection() });
    qe.on('error', () => undefined);
    t.after(() => qe.close());
    await qe.waitUntilReady();
    const completed: string[] = [];
    const failed: string[] = [];
    qe.on('completed', ({ jobId }) => completed.push(jobId));
    qe.on('failed', ({ jobId, failedReason }) => failed.push(`${jobId}:${failedReason}`));
    worker(t, name, async (j) => {
      if (j.data.fail) throw new Error('nope');
      return { doubled: j.data.v * 2 };
    });
    const ok = await q.add('ok', { v: 21 });
    assert.deepEqual(await ok.waitUntilFinished(qe), { doubled: 42 });
    const bad = await q.add('bad', { fail: true });
    await assert.rejects(bad.waitUntilFinished(qe), /nope/);
    await waitFor('events seen', async () => completed.includes(ok.id!) && failed.includes(`${bad.id}:nope`));
  });
});
