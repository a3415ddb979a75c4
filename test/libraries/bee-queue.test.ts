/**
 * bee-queue 2 used unchanged (on its own node-redis 3 client): SCRIPT LOAD + EVALSHA for adding,
 * delaying and raising jobs, BRPOPLPUSH for workers, and job events over pub/sub.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import BeeQueue from 'bee-queue';
import { perServer, T, uniq, waitFor } from './common.js';

perServer('bee-queue', ({ port }) => {
  /** A queue closed when the test ends; `worker` queues also process, the others only produce. */
  async function queue(t: TestContext, name: string, settings: BeeQueue.QueueSettings = {}): Promise<BeeQueue> {
    const q = new BeeQueue(name, { redis: { host: '127.0.0.1', port: port() }, removeOnSuccess: false, ...settings });
    q.on('error', () => undefined);
    t.after(() => q.close(2000).catch(() => undefined));
    await q.ready();
    return q;
  }

  test('create and process jobs; producer sees results through pub/sub events', T, async (t) => {
    const name = uniq('bee-basic');
    const producer = await queue(t, name, { isWorker: false, getEvents: true });
    const worker = await queue(t, name, { isWorker: true, getEvents: false });
    const n = 20;
    const jobs = await Promise.all(Array.from({ length: n }, (_, i) => producer.createJob({ x: i }).save()));
    assert.equal(new Set(jobs.map((j) => j.id)).size, n);
    const viaEvents = new Map<string, unknown>();
    producer.on('job succeeded', (id, result) => viaEvents.set(String(id), result));
    const perJob = jobs.map((j) => new Promise((resolve) => j.on('succeeded', resolve)));
    worker.process(4, async (job: BeeQueue.Job<{ x: number }>) => job.data.x + 100);
    const results = await Promise.all(perJob);
    assert.deepEqual(results, jobs.map((j) => j.data.x + 100));
    await waitFor('all job-succeeded events', async () => viaEvents.size === n);
    for (const j of jobs) assert.equal(viaEvents.get(j.id), j.data.x + 100);
    const health = await producer.checkHealth();
    assert.equal(health.succeeded, n);
    assert.equal(health.waiting, 0);
    assert.equal(health.active, 0);
    assert.equal(health.newestJob, n);
    const stored = await producer.getJob(jobs[3].id);
    assert.equal(stored.status, 'succeeded');
    assert.deepEqual(stored.data, { x: 3 });
  });

  test('retries: a failing job is retried, then fails; progress events', T, async (t) => {
    const name = uniq('bee-retry');
    const producer = await queue(t, name, { isWorker: false, getEvents: true });
    // A retry with a backoff goes through the delayed set, which only this option drains.
    const worker = await queue(t, name, { isWorker: true, getEvents: false, activateDelayedJobs: true });
    let attempts = 0;
    worker.process(async (job: BeeQueue.Job<{ okAt: number }>) => {
      attempts++;
      job.reportProgress(attempts);
      if (attempts < job.data.okAt) throw new Error(`attempt ${attempts}`);
      return 'finally';
    });
    const retrying: string[] = [];
    const progress: unknown[] = [];
    const okJob = producer.createJob({ okAt: 3 }).retries(3);
    okJob.on('retrying', (e) => retrying.push(e.message));
    okJob.on('progress', (p) => progress.push(p));
    await okJob.save();
    assert.equal(await new Promise((resolve) => okJob.on('succeeded', resolve)), 'finally');
    assert.deepEqual(retrying, ['attempt 1', 'attempt 2']);
    await waitFor('progress events', async () => progress.length === 3);

    attempts = 0;
    const badJob = producer.createJob({ okAt: 99 }).retries(1).backoff('fixed', 50);
    await badJob.save();
    const err = await new Promise<Error>((resolve) => badJob.on('failed', resolve));
    assert.equal(err.message, 'attempt 2');
    const stored = await producer.getJob(badJob.id);
    assert.equal(stored.status, 'failed');
    assert.equal(stored.options.retries, 0);
    assert.equal((await producer.checkHealth()).failed, 1);
  });

  test('delayed jobs are raised by activateDelayedJobs and processed', T, async (t) => {
    const name = uniq('bee-delay');
    const producer = await queue(t, name, { isWorker: false, getEvents: true });
    const worker = await queue(t, name, { isWorker: true, getEvents: false, activateDelayedJobs: true });
    const order: string[] = [];
    worker.process(async (job: BeeQueue.Job<{ tag: string }>) => {
      order.push(job.data.tag);
      return job.data.tag;
    });
    const later = producer.createJob({ tag: 'later' }).delayUntil(Date.now() + 500);
    const sooner = producer.createJob({ tag: 'sooner' }).delayUntil(Date.now() + 200);
    await later.save();
    await sooner.save();
    const h = await producer.checkHealth();
    assert.equal(h.delayed, 2);
    const done = (j: BeeQueue.Job<{ tag: string }>) => new Promise((resolve) => j.on('succeeded', resolve));
    assert.deepEqual(await Promise.all([done(later), done(sooner)]), ['later', 'sooner']);
    assert.deepEqual(order, ['sooner', 'later']);
    assert.equal((await producer.checkHealth()).delayed, 0);
  });
});
