/**
 * The watchdog's own thread (index.ts): checks the server thread's heartbeat and writes
 * Redis's watchdog banner to the log (stdout or logfile) when it is older than the period.
 * It writes with plain fs calls: the server thread, which owns the logger, is the one stuck.
 */
import { workerData } from 'node:worker_threads';
import { appendFileSync, writeSync } from 'node:fs';
import { viewsOf } from './layout.js';

const { shared, period, logfile, pid } = workerData as { shared: SharedArrayBuffer; period: number; logfile: string; pid: number };
const { times, textLen, text } = viewsOf(shared);

function emit(line: string): void {
  // Redis's serverLogFromHandler format: "<pid>:signal-handler (<unix time>) <message>".
  const out = `${pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${line}\n`;
  try {
    if (logfile !== '') appendFileSync(logfile, out);
    else writeSync(1, out);
  } catch {
    // like Redis, a line that cannot be written is dropped
  }
}

let reportedBeat = -1;
setInterval(() => {
  const beat = times[0];
  const now = Date.now();
  if (now - beat <= period || beat === reportedBeat) return;
  reportedBeat = beat;
  const running = Buffer.from(text.subarray(0, textLen[0])).toString('latin1');
  const since = times[1];
  emit('\n--- WATCHDOG TIMER EXPIRED ---');
  emit(`The event loop has not run for ${now - beat} ms (watchdog-period ${period} ms).`);
  if (running !== '') emit(`Last command started ${now - since} ms ago: ${running}`);
  emit('--------\n');
}, Math.max(5, Math.floor(period / 4)));
