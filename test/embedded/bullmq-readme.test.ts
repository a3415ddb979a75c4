/**
 * The README's example, verbatim in spirit: reddish started inside the test process (no Redis
 * binary) and a BullMQ queue with a worker running against it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker } from 'bullmq';
import { startServer } from '../../src/index.js';

test('a BullMQ queue and worker run against an embedded reddish', { timeout: 60000 }, async () => {
  const srv = await startServer({ port: 0 });
  const connection = { host: srv.host, port: srv.port };
  const queue = new Queue('emails', { connection });
  const done: number[] = [];
  const worker = new Worker('emails', async (job) => job.data.n * 2, { connection });
  const finished = new Promise<void>((resolve) => {
    worker.on('completed', (_job, result: number) => {
      done.push(result);
      if (done.length === 3) resolve();
    });
  });
  await queue.addBulk([1, 2, 3].map((n) => ({ name: 'send', data: { n } })));
  await finished;
  assert.deepEqual(done.sort(), [2, 4, 6]);
  assert.deepEqual(await queue.getJobCounts('completed', 'failed'), { completed: 3, failed: 0 });
  await worker.close();
  await queue.close();
  await srv.close();
});
