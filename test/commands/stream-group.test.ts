import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, unordered, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { withPropagationLog } from '../helpers/propagation.js';
import { startServer as startInProcess } from '../../src/index.js';
import { prng } from '../helpers/prng.js';
import { Recorder } from '../notify/recorder.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

/** A clock reading (delivery or seen time of "now"), as opposed to an explicit small TIME. */
const isClock = (r: Reply): boolean => r.t === 'int' && Number(r.v) > 1e12;
const T: Reply = { t: 'simple', v: '<time>' };

/**
 * Idle times and clock readings differ between the servers: they are replaced by a marker.
 * Explicit times given with XCLAIM TIME (small numbers) are kept, so they are compared.
 */
function normalize(r: Reply, step: Step): Reply {
  const cmd = String(step[0]).toUpperCase();
  const sub = String(step[1] ?? '').toUpperCase();
  if (cmd === 'HELLO') return { t: 'simple', v: 'hello' };
  const walk = (x: Reply, fn: (x: Reply) => Reply): Reply => {
    const y = fn(x);
    if (y.t === 'array' || y.t === 'set' || y.t === 'push') return { ...y, v: y.v.map((e) => walk(e, fn)) } as Reply;
    if (y.t === 'map') return { ...y, v: y.v.map(([k, v]) => [walk(k, fn), walk(v, fn)]) } as Reply;
    return y;
  };
  if (cmd === 'XPENDING' && step.length >= 6 && r.t === 'array') {
    return { t: 'array', v: r.v.map((e) => (e.t === 'array' ? { t: 'array', v: [e.v[0], e.v[1], T, e.v[3]] } : e)) };
  }
  // Field/value lists (RESP2 arrays) and maps: the value after "idle"/"seen-time" is a time.
  const timeKeys = new Set(['idle', 'seen-time']);
  const fixPairs = (x: Reply): Reply => {
    if (x.t === 'array') {
      const v = x.v.slice();
      for (let i = 0; i + 1 < v.length; i += 2) if (v[i].t === 'bulk' && timeKeys.has((v[i] as { v: string }).v)) v[i + 1] = T;
      return { t: 'array', v };
    }
    if (x.t === 'map') return { t: 'map', v: x.v.map(([k, v]) => [k, k.t === 'bulk' && timeKeys.has(k.v) ? T : v]) };
    return x;
  };
  if (cmd === 'XINFO' && (sub === 'CONSUMERS' || sub === 'STREAM')) return walk(r, (x) => (isClock(x) ? T : fixPairs(x)));
  return r;
}

const run = (steps: Step[]) => same(pair, steps, normalize);

/** COMMAND replies list subcommands in dictionary order: compare them as sets. */
function unorderedDeep(r: Reply): Reply {
  return unordered(r);
}

test('XGROUP CREATE / SETID / DESTROY / CREATECONSUMER / DELCONSUMER / HELP and their errors', async () => {
  await run([
    ['FLUSHALL'],
    ['XGROUP', 'CREATE', 's', 'g', '$'],
    ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
    ['TYPE', 's'],
    ['XLEN', 's'],
    ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XGROUP', 'CREATE', 's', 'g2', '0', 'FOO'],
    ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD'],
    ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', '-2'],
    ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', 'x'],
    ['XGROUP', 'CREATE', 's', 'g2', 'bad'],
    ['XGROUP', 'CREATE', 's', 'g2', '-'],
    ['XGROUP', 'CREATE', 's', 'g2', '+'],
    ['XGROUP', 'CREATE', 's', 'g2', '5', 'ENTRIESREAD', '3'],
    ['XGROUP', 'CREATE', 's', 'g3', '0', 'ENTRIESREAD', '-1', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 's', 'g4', '0', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 's'],
    ['XGROUP', 'create', 's', 'G', '0'],
    ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'SETID', 's', 'g', '7-7'],
    ['XGROUP', 'SETID', 's', 'g', '+'],
    ['XGROUP', 'SETID', 's', 'g', '-'],
    ['XGROUP', 'SETID', 's', 'g', '$', 'ENTRIESREAD', '9'],
    ['XGROUP', 'SETID', 's', 'g', '3', 'ENTRIESREAD', '-3'],
    ['XGROUP', 'SETID', 's', 'g', '3', 'MKSTREAM'],
    ['XGROUP', 'SETID', 's', 'g', '3', 'ENTRIESREAD', '1', 'X'],
    ['XGROUP', 'SETID', 's', 'g', 'x'],
    ['XGROUP', 'SETID', 's', 'nog', '0'],
    ['XGROUP', 'SETID', 'nokey', 'g', '0'],
    ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c0'],
    ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'c1'],
    ['XGROUP', 'CREATECONSUMER', 'nokey', 'g', 'c1'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
    ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
    ['XGROUP', 'DELCONSUMER', 's', 'nog', 'c1'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XGROUP', 'DESTROY', 's', 'g'],
    ['XGROUP', 'DESTROY', 's', 'g'],
    ['XGROUP', 'DESTROY', 'nokey', 'g'],
    ['XGROUP', 'DESTROY', 's', 'g', 'x'],
    ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'HELP'],
    ['XGROUP', 'help', 'x'],
    ['XGROUP', 'FOO', 's', 'g'],
    ['XGROUP'],
    ['SET', 'str', 'x'],
    ['XGROUP', 'CREATE', 'str', 'g', '0'],
    ['XGROUP', 'CREATE', 'str', 'g', '0', 'MKSTREAM'],
    ['XGROUP', 'DESTROY', 'str', 'g'],
    ['XGROUP', 'CREATE', 'new', 'g', '$', 'MKSTREAM', 'ENTRIESREAD', '5'],
    ['XINFO', 'STREAM', 'new'],
    ['XINFO', 'GROUPS', 'new'],
  ]);
});

test('XREADGROUP: > and history reads, COUNT, NOACK, PEL takeover, deleted entries, RESP3', async () => {
  await run([
    ['FLUSHALL'],
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '2-1', 'b', '2'],
    ['XADD', 's', '3-1', 'c', '3'],
    ['XADD', 't', '1-1', 'x', 'y'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XGROUP', 'CREATE', 't', 'g', '$'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', 't', '>', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '2-1'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', 't', '0', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'nobody', 'STREAMS', 's', '0'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XPENDING', 's', 'g'],
    ['XPENDING', 's', 'g', '-', '+', '10'],
    ['XDEL', 's', '2-1'],
    ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'],
    ['XPENDING', 's', 'g', '-', '+', '10'],
    ['XGROUP', 'SETID', 's', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '>'],
    ['XPENDING', 's', 'g', '-', '+', '10'],
    ['XPENDING', 's', 'g'],
    ['XINFO', 'GROUPS', 's'],
    ['XADD', 's', '4-1', 'd', '4'],
    ['XREADGROUP', 'GROUP', 'g', 'dave', 'NOACK', 'STREAMS', 's', '>'],
    ['XPENDING', 's', 'g'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'dave', 'COUNT', '-5', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's', '>', '>'],
    ['XADD', 's', '5-1', 'e', '5'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's', '>', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '18446744073709551615-18446744073709551615'],
    ['HELLO', '3'],
    ['XADD', 's', '6-1', 'f', '6'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XINFO', 'STREAM', 's'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['XPENDING', 's', 'g'],
    ['XGROUP', 'CREATE', 's', 'empty', '$'],
    ['XPENDING', 's', 'empty'],
    ['XPENDING', 's', 'empty', '-', '+', '10'],
    ['XREADGROUP', 'GROUP', 'empty', 'c', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'empty', 'c', 'STREAMS', 's', '0'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '2'],
    ['XCLAIM', 's', 'g', 'c', '0', '1-1', '6-1', 'TIME', '1'],
    ['HELLO', '2'],
    ['XPENDING', 's', 'empty'],
  ]);
});

test('XREADGROUP argument errors', async () => {
  await run([
    ['FLUSHALL'],
    ['XADD', 's', '1-1', 'a', '1'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['SET', 'str', 'x'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's', '>'],
    ['XREADGROUP', 'COUNT', '1', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 'x', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '-1', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'FOO', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1'],
    ['XREADGROUP', 'GROUP', 'g', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'bad'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '-'],
    ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'nokey', '>', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'str', '>', '>'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '10', 'STREAMS', 's', '>'],
    ['MULTI'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
    ['EXEC'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
  ]);
});

test('XACK and XPENDING (summary, range, exclusive bounds, IDLE, consumer filter, errors)', async () => {
  const steps: Step[] = [['FLUSHALL']];
  for (let i = 1; i <= 10; i++) steps.push(['XADD', 's', `${i}-0`, 'n', String(i)]);
  steps.push(
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XPENDING', 's', 'g'],
    ['XPENDING', 's', 'g', '-', '+', '10'],
    ['XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '4', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '3', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'idle'],
    ['XPENDING', 's', 'g'],
    ['XPENDING', 's', 'g', '-', '+', '100'],
    ['XPENDING', 's', 'g', '-', '+', '3'],
    ['XPENDING', 's', 'g', '(2', '(6', '100'],
    ['XPENDING', 's', 'g', '3', '5-0', '100'],
    ['XPENDING', 's', 'g', '-', '+', '0'],
    ['XPENDING', 's', 'g', '-', '+', '-1'],
    ['XPENDING', 's', 'g', '-', '+', '10', 'a'],
    ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
    ['XPENDING', 's', 'g', '-', '+', '10', 'a', 'extra'],
    ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10'],
    ['XPENDING', 's', 'g', 'IDLE', '-5', '-', '+', '10', 'b'],
    ['XPENDING', 's', 'g', 'IDLE', '100000000', '-', '+', '10'],
    ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'],
    ['XPENDING', 's', 'g', 'IDLE', '5', '-', '+'],
    ['XPENDING', 's', 'g', '-', '+'],
    ['XPENDING', 's', 'g', '-'],
    ['XPENDING', 's', 'g', '-', '+', 'x'],
    ['XPENDING', 's', 'g', 'x', '+', '10'],
    ['XPENDING', 's', 'g', '-', 'x', '10'],
    ['XPENDING', 's', 'g', '(-', '+', '10'],
    ['XPENDING', 's', 'g', '(18446744073709551615-18446744073709551615', '+', '10'],
    ['XPENDING', 's', 'g', '-', '(0-0', '10'],
    ['XPENDING', 's', 'g', '-', '+', '10', 'a', 'b', 'c', 'd'],
    ['XPENDING', 's', 'nog'],
    ['XPENDING', 'nokey', 'g'],
    ['XPENDING', 'nokey', 'g', 'x', '+', '10'],
    ['SET', 'str', 'x'],
    ['XPENDING', 'str', 'g'],
    ['XACK', 's', 'g', '1-0', '2', '2-0', '99-0'],
    ['XACK', 's', 'g', '3-0', 'bad'],
    ['XACK', 's', 'nog', 'bad'],
    ['XACK', 'nokey', 'g', '1-0'],
    ['XACK', 'str', 'g', '1-0'],
    ['XACK', 's', 'g', '+'],
    ['XPENDING', 's', 'g'],
    ['XACK', 's', 'g', '3-0', '4-0'],
    ['XPENDING', 's', 'g'],
    ['XPENDING', 's', 'g', '-', '+', '10', 'b'],
    ['XACK', 's', 'g', '5', '6', '7', '8', '9', '10'],
    ['XPENDING', 's', 'g'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
  );
  await run(steps);
});

test('XCLAIM: ownership, IDLE/TIME/RETRYCOUNT/FORCE/JUSTID/LASTID, deleted entries, errors', async () => {
  await run([
    ['FLUSHALL'],
    ['XADD', 's', '1-0', 'a', '1'],
    ['XADD', 's', '2-0', 'b', '2'],
    ['XADD', 's', '3-0', 'c', '3'],
    ['XADD', 's', '4-0', 'd', '4'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '3', 'STREAMS', 's', '>'],
    ['XCLAIM', 's', 'g', 'b', '0', '1-0', 'TIME', '1000', 'RETRYCOUNT', '7'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['XCLAIM', 's', 'g', 'b', '3600000', '2-0'],
    ['XCLAIM', 's', 'g', 'b', '3600000', '1-0'],
    ['XCLAIM', 's', 'g', 'b', '-5', '2', 'JUSTID', 'TIME', '2000'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['XCLAIM', 's', 'g', 'c', '0', '4-0', 'TIME', '3000'],
    ['XCLAIM', 's', 'g', 'c', '0', '4-0', 'FORCE', 'TIME', '3000'],
    ['XCLAIM', 's', 'g', 'c', '0', '9-0', 'FORCE', 'TIME', '3000'],
    ['XCLAIM', 's', 'g', 'd', '0', '4-0', 'FORCE', 'JUSTID', 'TIME', '3000'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-0', '1-0', 'JUSTID', 'RETRYCOUNT', '0', 'TIME', '4000', 'LASTID', '10-0'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['XINFO', 'GROUPS', 's'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-0', 'LASTID', '5-0', 'TIME', '4000'],
    ['XINFO', 'GROUPS', 's'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-0', 'IDLE', '-10', 'JUSTID'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-0', 'TIME', '99999999999999', 'JUSTID'],
    ['XCLAIM', 's', 'g', 'c', '0', '3-0', 'IDLE', '0', 'JUSTID'],
    ['XDEL', 's', '3-0'],
    ['XPENDING', 's', 'g'],
    ['XCLAIM', 's', 'g', 'e', '0', '3-0', '2-0', 'TIME', '5000'],
    ['XPENDING', 's', 'g'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XCLAIM', 's', 'g', 'e', 'x', '1-0'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'IDLE', 'x'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'TIME', 'x'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'RETRYCOUNT', 'x'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'LASTID', 'x'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'FOO'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'IDLE'],
    ['XCLAIM', 's', 'g', 'e', '0', '-'],
    ['XCLAIM', 's', 'g', 'e', '0', '1-0', 'JUSTID', '2-0'],
    ['XCLAIM', 's', 'nog', 'e', 'x', '1-0'],
    ['XCLAIM', 'nokey', 'g', 'e', '0', '1-0'],
    ['SET', 'str', 'x'],
    ['XCLAIM', 'str', 'g', 'e', '0', '1-0'],
    ['XPENDING', 's', 'g'],
  ]);
});

test('XAUTOCLAIM: cursor, COUNT, JUSTID, deleted entries (7.0 third element), errors', async () => {
  const steps: Step[] = [['FLUSHALL']];
  for (let i = 1; i <= 12; i++) steps.push(['XADD', 's', `${i}-0`, 'n', String(i)]);
  steps.push(
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>'],
    ['XDEL', 's', '2-0', '5-0', '6-0'],
    ['XAUTOCLAIM', 's', 'g', 'b', '0', '0', 'COUNT', '3'],
    ['XAUTOCLAIM', 's', 'g', 'b', '0', '4-0', 'COUNT', '3', 'JUSTID'],
    ['XPENDING', 's', 'g', '-', '+', '20'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '(8-0', 'JUSTID'],
    ['XAUTOCLAIM', 's', 'g', 'c', '3600000', '-'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '100-0'],
    ['XAUTOCLAIM', 's', 'g', 'c', '0', '-', 'COUNT', '1'],
    ['XTRIM', 's', 'MAXLEN', '2'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '-', 'COUNT', '2'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '-'],
    ['XPENDING', 's', 'g'],
    ['XINFO', 'CONSUMERS', 's', 'g'],
    ['XAUTOCLAIM', 's', 'g', 'd', 'x', '0'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', 'x'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '(18446744073709551615-18446744073709551615'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', '0'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', '-1'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', 'x'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', '576460752303423488'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT'],
    ['XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'FOO'],
    ['XAUTOCLAIM', 's', 'nog', 'd', '0', '0'],
    ['XAUTOCLAIM', 'nokey', 'g', 'd', '0', '0'],
    ['XAUTOCLAIM', 'nokey', 'g', 'd', '0', 'x'],
    ['SET', 'str', 'x'],
    ['XAUTOCLAIM', 'str', 'g', 'd', '0', '0'],
  );
  await run(steps);
});

test('XAUTOCLAIM attempts limit (10 per COUNT) and cursor over many pending entries', async () => {
  const steps: Step[] = [['FLUSHALL']];
  for (let i = 1; i <= 60; i++) steps.push(['XADD', 's', `${i}-0`, 'n', String(i)]);
  steps.push(['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>']);
  // Fresh deliveries are not idle enough: every look is an attempt that claims nothing.
  steps.push(
    ['XAUTOCLAIM', 's', 'g', 'b', '3600000', '0', 'COUNT', '2'],
    ['XAUTOCLAIM', 's', 'g', 'b', '3600000', '21-0', 'COUNT', '4'],
    ['XAUTOCLAIM', 's', 'g', 'b', '3600000', '21-0', 'COUNT', '3'],
    ['XCLAIM', 's', 'g', 'z', '0', '25-0', '30-0', 'TIME', '1', 'JUSTID'],
    ['XAUTOCLAIM', 's', 'g', 'b', '3600000', '21-0', 'COUNT', '2'],
    ['XAUTOCLAIM', 's', 'g', 'b', '3600000', '31-0', 'COUNT', '10'],
  );
  await run(steps);
});

test('XINFO STREAM / GROUPS / CONSUMERS / HELP; radix tree figures; lag and entries-read', async () => {
  const steps: Step[] = [
    ['FLUSHALL'],
    ['XINFO', 'STREAM', 'nokey'],
    ['XINFO', 'GROUPS', 'nokey'],
    ['XINFO', 'CONSUMERS', 'nokey', 'g'],
    ['XINFO', 'HELP'],
    ['XINFO', 'help', 'x'],
    ['XINFO', 'FOO', 'x'],
    ['XINFO'],
    ['XINFO', 'STREAM'],
    ['SET', 'str', 'x'],
    ['XINFO', 'STREAM', 'str'],
    ['XINFO', 'GROUPS', 'str'],
    ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'],
    ['XINFO', 'STREAM', 'e'],
    ['XINFO', 'STREAM', 'e', 'FULL'],
    ['XINFO', 'GROUPS', 'e'],
    ['XINFO', 'CONSUMERS', 'e', 'nog'],
    ['CONFIG', 'SET', 'stream-node-max-entries', '3'],
  ];
  for (let i = 1; i <= 40; i++) steps.push(['XADD', 's', `${i * 1000}-${i % 3}`, 'f', String(i), 'v', 'x'.repeat(i)]);
  steps.push(
    ['XINFO', 'STREAM', 's'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '2'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
    ['XINFO', 'STREAM', 's', 'FULL', 'FOO', '2'],
    ['XINFO', 'STREAM', 's', 'FOO'],
    ['XINFO', 'STREAM', 's', 'full', 'count', '3'],
    ['XGROUP', 'CREATE', 's', 'zeta', '0'],
    ['XGROUP', 'CREATE', 's', 'alpha', '$'],
    ['XGROUP', 'CREATE', 's', 'mid', '5000-0'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'zeta', 'c2', 'COUNT', '5', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'zeta', 'c1', 'COUNT', '5', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'mid', 'c1', 'COUNT', '2', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'],
    ['XINFO', 'STREAM', 's'],
    ['XDEL', 's', '20000-2'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'zeta', 'c1', 'COUNT', '20', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'mid', 'c1', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XTRIM', 's', 'MAXLEN', '10'],
    ['XINFO', 'GROUPS', 's'],
    ['XINFO', 'STREAM', 's'],
    ['XGROUP', 'SETID', 's', 'alpha', '0'],
    ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'SETID', 's', 'alpha', '0', 'ENTRIESREAD', '0'],
    ['XINFO', 'GROUPS', 's'],
    ['XSETID', 's', '99999-0', 'ENTRIESADDED', '100', 'MAXDELETEDID', '50000-0'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'alpha', 'x', 'COUNT', '3', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XGROUP', 'SETID', 's', 'alpha', '$'],
    ['XINFO', 'GROUPS', 's'],
    ['XADD', 's', '100000-0', 'a', 'b'],
    ['XINFO', 'GROUPS', 's'],
    ['XREADGROUP', 'GROUP', 'alpha', 'x', 'STREAMS', 's', '>'],
    ['XINFO', 'GROUPS', 's'],
    ['XTRIM', 's', 'MAXLEN', '0'],
    ['XINFO', 'GROUPS', 's'],
    ['XINFO', 'STREAM', 's'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['HELLO', '3'],
    ['XINFO', 'STREAM', 'e'],
    ['XINFO', 'GROUPS', 's'],
    ['XINFO', 'CONSUMERS', 's', 'zeta'],
    ['XINFO', 'STREAM', 's', 'FULL'],
    ['HELLO', '2'],
    ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
  );
  await run(steps.map((s) => s));
});

test('XINFO STREAM radix tree figures follow Redis through random adds, deletions and trims', async () => {
  const rnd = prng(11);
  const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '2']];
  let ms = 1;
  for (let i = 0; i < 800; i++) {
    ms += Math.floor(rnd() * (rnd() < 0.1 ? 5000000 : 300));
    steps.push(['XADD', 'r', `${ms}-*`, 'a', '1']);
    const r = rnd();
    if (r < 0.08) steps.push(['XDEL', 'r', `${ms - Math.floor(rnd() * 2000)}-0`, `${ms}-0`]);
    else if (r < 0.1) steps.push(['XTRIM', 'r', 'MAXLEN', String(Math.floor(rnd() * 100))]);
    if (i % 9 === 0) steps.push(['XINFO', 'STREAM', 'r']);
  }
  steps.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
  await run(steps);
});

test('XREADGROUP BLOCK: served by XADD in FIFO order, NOACK, group destroyed, key deleted or replaced, flushed, timeouts', async () => {
  const scenario = async (port: number) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const ctl = await RespClient.connect(port);
    const waitBlocked = async (n: number) => {
      for (let i = 0; i < 400; i++) {
        const info = String(plain(await ctl.call('INFO', 'clients')));
        if (new RegExp(`blocked_clients:${n}\\r`).test(info)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`never ${n} blocked`);
    };
    const out: unknown[] = [];
    try {
      await ctl.call('FLUSHALL');
      await ctl.call('CONFIG', 'RESETSTAT');
      await ctl.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      // Two readers of one group: the first XADD serves only the first one.
      const p1 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      const p2 = b.call('XREADGROUP', 'GROUP', 'g', 'cb', 'BLOCK', '0', 'COUNT', '5', 'STREAMS', 's', '>');
      await waitBlocked(2);
      await ctl.call('XADD', 's', '1-1', 'a', '1');
      out.push(await p1);
      await waitBlocked(1);
      // XDEL, XTRIM and group commands do not wake it; XADD in a transaction does, once.
      await ctl.call('XADD', 's', '2-1', 'tmp', '1');
      out.push(await p2);
      const p3 = b.call('XREADGROUP', 'GROUP', 'g', 'cb', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('XDEL', 's', '1-1');
      await ctl.call('XGROUP', 'SETID', 's', 'g', '0');
      await ctl.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'other');
      await ctl.call('XACK', 's', 'g', '2-1');
      await ctl.call('MULTI');
      await ctl.call('XADD', 's', '3-1', 'x', '1');
      await ctl.call('XADD', 's', '4-1', 'y', '1');
      await ctl.call('EXEC');
      out.push(await p3);
      out.push(await ctl.call('XINFO', 'GROUPS', 's'));
      out.push(await ctl.call('XPENDING', 's', 'g'));
      // NOACK: nothing pending afterwards.
      const p4 = a.call('XREADGROUP', 'GROUP', 'g', 'new', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('XADD', 's', '5-1', 'z', '1');
      out.push(await p4);
      out.push(await ctl.call('XPENDING', 's', 'g'));
      out.push(await ctl.call('XINFO', 'GROUPS', 's'));
      // Group destroyed: -NOGROUP.
      const p5 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('XGROUP', 'DESTROY', 's', 'g');
      out.push(await p5);
      // Key deleted: -UNBLOCKED at once (not at the next XADD).
      await ctl.call('XGROUP', 'CREATE', 's', 'g', '$');
      const p6 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('DEL', 's');
      out.push(await p6);
      // Replaced by another type.
      await ctl.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const p7 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('SET', 's', 'str');
      out.push(await p7);
      // Deleted and re-created in one transaction: the group is gone.
      await ctl.call('DEL', 's');
      await ctl.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const p8 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('MULTI');
      await ctl.call('DEL', 's');
      await ctl.call('XADD', 's', '1-1', 'a', 'b');
      await ctl.call('EXEC');
      out.push(await p8);
      // FLUSHALL.
      await ctl.call('XGROUP', 'CREATE', 's', 'g', '$');
      const p9 = a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(1);
      await ctl.call('FLUSHALL');
      out.push(await p9);
      // Expired by active expiry.
      await ctl.call('XGROUP', 'CREATE', 'ex', 'g', '$', 'MKSTREAM');
      await ctl.call('PEXPIRE', 'ex', '100');
      out.push(await a.call('XREADGROUP', 'GROUP', 'g', 'ca', 'BLOCK', '0', 'STREAMS', 'ex', '>'));
      // Several keys; timeout; RESP3.
      await ctl.call('XGROUP', 'CREATE', 'k1', 'g', '$', 'MKSTREAM');
      await ctl.call('XGROUP', 'CREATE', 'k2', 'g', '$', 'MKSTREAM');
      out.push(await a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 'k1', 'k2', '>', '>'));
      await b.call('HELLO', '3');
      const p10 = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k1', 'k2', '>', '>');
      await waitBlocked(1);
      await ctl.call('XADD', 'k2', '7-7', 'q', 'q');
      out.push(await p10);
      out.push(await b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 'k1', 'k2', '>', '>'));
      // CLIENT UNBLOCK.
      const p11 = a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k1', '>');
      await waitBlocked(1);
      const id = String(plain(await a2id(ctl)));
      out.push(await ctl.call('CLIENT', 'UNBLOCK', id, 'ERROR'));
      out.push(await p11);
      out.push(await ctl.call('XINFO', 'CONSUMERS', 'k2', 'g').then((r) => normalize(r, ['XINFO', 'CONSUMERS'])));
      // Errors given to woken readers count as failed calls and in errorstats.
      const stats = String(plain(await ctl.call('INFO', 'all')));
      out.push(/cmdstat_xreadgroup:calls=(\d+),.*,rejected_calls=(\d+),failed_calls=(\d+)/.exec(stats)!.slice(1));
      out.push(stats.split('\r\n').filter((l) => l.startsWith('errorstat_')));
      return out;
    } finally {
      a.close();
      b.close();
      ctl.close();
    }
  };
  /** The id of the client blocked in XREADGROUP (the one whose last command is it). */
  async function a2id(ctl: RespClient): Promise<Reply> {
    const list = String(plain(await ctl.call('CLIENT', 'LIST')));
    const line = list.split('\n').find((l) => /cmd=xreadgroup/.test(l))!;
    return { t: 'bulk', v: /id=(\d+)/.exec(line)![1] };
  }
  const expected = await scenario(pair.redis.port);
  const actual = await scenario(pair.reddish.port);
  assert.deepStrictEqual(actual, expected);
});

test('keyspace notifications of consumer group commands', async () => {
  const scenario = async (port: number) => {
    const c = await RespClient.connect(port);
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const rec = await Recorder.open(port);
    try {
      await c.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      await c.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      await c.call('XADD', 's', '1-1', 'a', '1');
      await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
      await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
      await c.call('XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>');
      await c.call('XACK', 's', 'g', '1-1');
      await c.call('XCLAIM', 's', 'g', 'c3', '0', '1-1', 'FORCE');
      await c.call('XAUTOCLAIM', 's', 'g', 'c4', '0', '0');
      await c.call('XGROUP', 'SETID', 's', 'g', '0');
      await c.call('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
      await c.call('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
      await c.call('XGROUP', 'DESTROY', 's', 'g');
      await c.call('XGROUP', 'DESTROY', 's', 'g');
      await c.call('XINFO', 'STREAM', 's');
      return await rec.drain(c);
    } finally {
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      rec.close();
      c.close();
    }
  };
  assert.deepStrictEqual(await scenario(pair.reddish.port), await scenario(pair.redis.port));
});

test('dirty counts, keyspace hits/misses and WATCH: group commands change the dataset without touching the key', async () => {
  const scenario = async (port: number) => {
    const c = await RespClient.connect(port);
    const w = await RespClient.connect(port);
    const out: unknown[] = [];
    const changes = async () => {
      const text = String(plain(await c.call('INFO', 'all')));
      return ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((f) => Number(new RegExp(`${f}:(\\d+)`).exec(text)![1]));
    };
    try {
      await c.call('FLUSHALL');
      await c.call('XADD', 's', '1-1', 'a', '1');
      await c.call('XADD', 's', '2-1', 'a', '1');
      const cmds: Step[] = [
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
        ['XACK', 's', 'g', '1-1', '5-5'],
        ['XCLAIM', 's', 'g', 'd', '0', '2-1', 'LASTID', '9-9'],
        ['XCLAIM', 's', 'g', 'd', '0', '7-7', 'LASTID', '10-0'],
        ['XAUTOCLAIM', 's', 'g', 'e', '0', '0'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'f'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'e'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XAUTOCLAIM', 's', 'g', 'e', 'x', '0'],
        ['XAUTOCLAIM', 'nokey', 'g', 'e', 'x', '0'],
        ['XCLAIM', 'nokey', 'g', 'e', 'x', '0'],
        ['XPENDING', 'nokey', 'g', 'x', '+', '1'],
        ['XPENDING', 's', 'g'],
        ['XACK', 'nokey', 'g', 'x'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
        ['XINFO', 'GROUPS', 'nokey'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'nokey', '>', '>'],
        ['XGROUP', 'CREATE', 'nokey', 'g', '0'],
      ];
      for (const cmd of cmds) {
        await w.call('WATCH', 's');
        await w.call('MULTI');
        await w.call('PING');
        const before = await changes();
        await c.call(...cmd);
        const after = await changes();
        out.push([cmd.join(' '), after.map((v, i) => v - before[i]), plain(await w.call('EXEC'))]);
      }
      return out;
    } finally {
      c.close();
      w.close();
    }
  };
  assert.deepStrictEqual(await scenario(pair.reddish.port), await scenario(pair.redis.port));
});

test('randomised group workload: replies match Redis', async () => {
  const rnd = prng(3);
  const steps: Step[] = [['FLUSHALL'], ['XGROUP', 'CREATE', 'w', 'g1', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 'w', 'g2', '0']];
  const consumers = ['a', 'b', 'c'];
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  let ms = 1;
  for (let i = 0; i < 600; i++) {
    const r = rnd();
    const g = pick(['g1', 'g2']);
    const id = () => `${Math.max(1, ms - Math.floor(rnd() * 30))}-0`;
    if (r < 0.3) steps.push(['XADD', 'w', `${(ms += 1 + Math.floor(rnd() * 3))}-0`, 'k', String(i)]);
    else if (r < 0.45) steps.push(['XREADGROUP', 'GROUP', g, pick(consumers), 'COUNT', String(1 + Math.floor(rnd() * 4)), 'STREAMS', 'w', rnd() < 0.8 ? '>' : '0']);
    else if (r < 0.55) steps.push(['XACK', 'w', g, id(), id()]);
    else if (r < 0.62) steps.push(['XCLAIM', 'w', g, pick(consumers), '0', id(), id(), ...(rnd() < 0.5 ? ['JUSTID'] : []), 'TIME', String(i)]);
    else if (r < 0.68) steps.push(['XAUTOCLAIM', 'w', g, pick(consumers), '0', id(), 'COUNT', String(1 + Math.floor(rnd() * 5)), ...(rnd() < 0.5 ? ['JUSTID'] : [])]);
    else if (r < 0.72) steps.push(['XDEL', 'w', id()]);
    else if (r < 0.74) steps.push(['XTRIM', 'w', 'MAXLEN', String(5 + Math.floor(rnd() * 20))]);
    else if (r < 0.76) steps.push(['XGROUP', 'SETID', 'w', g, id()]);
    else if (r < 0.77) steps.push(['XGROUP', 'DELCONSUMER', 'w', g, pick(consumers)]);
    else if (r < 0.85) steps.push(['XPENDING', 'w', g, '-', '+', '5', ...(rnd() < 0.5 ? [pick(consumers)] : [])]);
    else if (r < 0.9) steps.push(['XPENDING', 'w', g]);
    else if (r < 0.95) steps.push(['XINFO', 'GROUPS', 'w']);
    else steps.push(['XINFO', 'STREAM', 'w', 'FULL', 'COUNT', '3']);
  }
  await run(steps);
});

test('propagation: XREADGROUP, XCLAIM, XAUTOCLAIM, XACK and XGROUP go to replicas as Redis 7.0 sends them', async () => {
  await withPropagationLog(async (cmd) => {
    await cmd('XADD', 's', '1-0', 'a', '1');
    await cmd('XADD', 's', '2-0', 'b', '2');
    await cmd('XADD', 's', '3-0', 'c', '3');
    let r = await cmd('XGROUP', 'CREATE', 's', 'g', '0');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'CREATE', 's', 'g', '0']]);
    r = await cmd('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>');
    assert.equal(r.prop.length, 4);
    assert.deepStrictEqual(r.prop[0], ['0', 'MULTI']);
    assert.deepStrictEqual(r.prop[3], ['0', 'EXEC']);
    const t1 = r.prop[1][8];
    assert.deepStrictEqual(r.prop[1], ['0', 'XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', t1, 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-0']);
    assert.deepStrictEqual(r.prop[2].slice(0, 7), ['0', 'XCLAIM', 's', 'g', 'c', '0', '2-0']);
    assert.deepStrictEqual(r.prop[2].slice(14), ['2-0']);
    // History reads change delivery counts but propagate nothing.
    r = await cmd('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0');
    assert.deepStrictEqual(r.prop, []);
    r = await cmd('XREADGROUP', 'GROUP', 'g', 'n', 'NOACK', 'STREAMS', 's', '>');
    assert.deepStrictEqual(r.prop, [
      ['0', 'MULTI'],
      ['0', 'XGROUP', 'CREATECONSUMER', 's', 'g', 'n'],
      ['0', 'XGROUP', 'SETID', 's', 'g', '3-0', 'ENTRIESREAD', '3'],
      ['0', 'EXEC'],
    ]);
    r = await cmd('XREADGROUP', 'GROUP', 'g', 'n', 'NOACK', 'STREAMS', 's', '>');
    assert.deepStrictEqual(r.prop, []);
    r = await cmd('XCLAIM', 's', 'g', 'd', '0', '1', 'TIME', '500', 'RETRYCOUNT', '4');
    assert.deepStrictEqual(r.prop, [['0', 'XCLAIM', 's', 'g', 'd', '0', '1', 'TIME', '500', 'RETRYCOUNT', '4', 'FORCE', 'JUSTID', 'LASTID', '3-0']]);
    r = await cmd('XCLAIM', 's', 'g', 'd', '0', '9-9', 'LASTID', '5-0');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'SETID', 's', 'g', '5-0', 'ENTRIESREAD', '3']]);
    r = await cmd('XCLAIM', 's', 'g', 'd', '3600000', '2-0');
    assert.deepStrictEqual(r.prop, []);
    r = await cmd('XDEL', 's', '1-0');
    r = await cmd('XAUTOCLAIM', 's', 'g', 'e', '0', '0', 'COUNT', '1');
    assert.deepStrictEqual(r.reply, ['2-0', [], ['1-0']]);
    assert.deepStrictEqual(r.prop, [['0', 'XCLAIM', 's', 'g', 'd', '0', '1-0', 'TIME', '500', 'RETRYCOUNT', '4', 'FORCE', 'JUSTID', 'LASTID', '5-0']]);
    r = await cmd('XAUTOCLAIM', 's', 'g', 'e', '0', '0', 'JUSTID');
    assert.deepStrictEqual(r.reply, ['0-0', ['2-0'], []]);
    assert.deepStrictEqual(r.prop[0].slice(0, 7), ['0', 'XCLAIM', 's', 'g', 'e', '0', '2-0']);
    // JUSTID leaves the count (2 after the history read) alone.
    assert.deepStrictEqual(r.prop[0].slice(9), ['RETRYCOUNT', '2', 'FORCE', 'JUSTID', 'LASTID', '5-0']);
    r = await cmd('XACK', 's', 'g', '2-0', '3-0');
    assert.deepStrictEqual(r.prop, [['0', 'XACK', 's', 'g', '2-0', '3-0']]);
    r = await cmd('XACK', 's', 'g', '2-0');
    assert.deepStrictEqual(r.prop, []);
    r = await cmd('XGROUP', 'SETID', 's', 'g', '$');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'SETID', 's', 'g', '$']]);
    r = await cmd('XGROUP', 'CREATECONSUMER', 's', 'g', 'z');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'CREATECONSUMER', 's', 'g', 'z']]);
    r = await cmd('XGROUP', 'CREATECONSUMER', 's', 'g', 'z');
    assert.deepStrictEqual(r.prop, []);
    r = await cmd('XGROUP', 'DELCONSUMER', 's', 'g', 'z');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'DELCONSUMER', 's', 'g', 'z']]);
    r = await cmd('XGROUP', 'DESTROY', 's', 'g');
    assert.deepStrictEqual(r.prop, [['0', 'XGROUP', 'DESTROY', 's', 'g']]);
    r = await cmd('XGROUP', 'DESTROY', 's', 'g');
    assert.deepStrictEqual(r.prop, []);
  });
});

test('COMMAND INFO / DOCS / GETKEYS of the group commands match Redis', async () => {
  const names = ['xgroup', 'xreadgroup', 'xack', 'xpending', 'xclaim', 'xautoclaim', 'xinfo'];
  const steps: Step[] = [];
  for (const n of names) steps.push(['COMMAND', 'INFO', n], ['COMMAND', 'DOCS', n]);
  steps.push(
    ['COMMAND', 'GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'a', 'b', '>', '>'],
    ['COMMAND', 'GETKEYS', 'XGROUP', 'CREATE', 'k', 'g', '$'],
    ['COMMAND', 'GETKEYS', 'XINFO', 'STREAM', 'k', 'FULL'],
    ['COMMAND', 'GETKEYS', 'XCLAIM', 'k', 'g', 'c', '0', '1-1'],
  );
  await same(pair, steps, unorderedDeep);
});

test('which commands refresh a consumer seen time (XINFO CONSUMERS idle), as Redis', async () => {
  const scenario = async (port: number) => {
    const c = await RespClient.connect(port);
    const pause = () => new Promise((r) => setTimeout(r, 300));
    /** Each consumer's idle time as "fresh" (just seen) or "stale" (seen before the pause). */
    const ages = async () => {
      const list = plain(await c.call('XINFO', 'CONSUMERS', 's', 'g')) as unknown[][];
      return list.map((m) => `${m[1]}:${(m[5] as number) < 150 ? 'fresh' : 'stale'}`);
    };
    try {
      await c.call('FLUSHALL');
      for (let i = 1; i <= 4; i++) await c.call('XADD', 's', `${i}-0`, 'f', 'v');
      await c.call('XGROUP', 'CREATE', 's', 'g', '0');
      for (const n of ['a', 'b', 'd', 'e', 'f', 'h']) await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', n);
      await c.call('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
      await c.call('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '2', 'STREAMS', 's', '>');
      await pause();
      const out: unknown[] = [await ages()];
      await c.call('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
      await c.call('XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '0');
      await c.call('XPENDING', 's', 'g', '-', '+', '10', 'd');
      await c.call('XCLAIM', 's', 'g', 'd', '0', '9-0');
      await c.call('XCLAIM', 's', 'g', 'e', '0', '1-0');
      await c.call('XAUTOCLAIM', 's', 'g', 'f', '3600000', '0');
      await c.call('XAUTOCLAIM', 's', 'g', 'h', '0', '0', 'COUNT', '1');
      await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'a');
      await c.call('XACK', 's', 'g', '1-0');
      out.push(await ages());
      return out;
    } finally {
      c.close();
    }
  };
  assert.deepStrictEqual(await scenario(pair.reddish.port), await scenario(pair.redis.port));
});

test('propagation inside MULTI and when a blocked reader is served: one MULTI/EXEC per unit, as 7.0', async () => {
  const srv = await startInProcess({ config: { save: '' } });
  const log: string[][] = [];
  srv.server.propagator = { propagate: (_db, argv) => void log.push(argv) };
  const a = await RespClient.connect(srv.port, srv.host);
  const b = await RespClient.connect(srv.port, srv.host);
  const strip = (x: string[]) => (x[0] === 'XCLAIM' ? [...x.slice(0, 6), 'TIME', '<t>', ...x.slice(8)] : x);
  try {
    for (const cmd of [['XADD', 's', '1-0', 'a', '1'], ['XADD', 's', '2-0', 'b', '2'], ['XGROUP', 'CREATE', 's', 'g', '0']]) await a.call(...cmd);
    log.length = 0;
    await a.call('MULTI');
    await a.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await a.call('EXEC');
    await a.call('MULTI');
    await a.call('XACK', 's', 'g', '1-0');
    await a.call('EXEC');
    await a.call('MULTI');
    await a.call('XGROUP', 'SETID', 's', 'g', '0');
    await a.call('XREADGROUP', 'GROUP', 'g', 'd', 'COUNT', '1', 'STREAMS', 's', '>');
    await a.call('EXEC');
    assert.deepStrictEqual(log.map(strip), [
      ['MULTI'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', '<t>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-0'],
      ['XCLAIM', 's', 'g', 'c', '0', '2-0', 'TIME', '<t>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '2-0'],
      ['EXEC'],
      ['XACK', 's', 'g', '1-0'],
      ['MULTI'],
      ['XGROUP', 'SETID', 's', 'g', '0'],
      ['XCLAIM', 's', 'g', 'd', '0', '1-0', 'TIME', '<t>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-0'],
      ['EXEC'],
    ]);
    // A reader woken by a transaction's XADDs: the XADDs go out as one unit, its XCLAIMs as another.
    await a.call('XGROUP', 'SETID', 's', 'g', '$');
    log.length = 0;
    const waitBlocked = async () => {
      for (let i = 0; srv.server.blocking.blockedCount === 0; i++) {
        if (i > 2000) throw new Error('the reader never blocked');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const served = b.call('XREADGROUP', 'GROUP', 'g', 'w', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitBlocked();
    await a.call('MULTI');
    await a.call('XADD', 's', '3-0', 'c', '3');
    await a.call('XADD', 's', '4-0', 'd', '4');
    await a.call('EXEC');
    await served;
    await a.call('XGROUP', 'CREATE', 's', 'n', '$');
    const noack = b.call('XREADGROUP', 'GROUP', 'n', 'fresh', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitBlocked();
    await a.call('XADD', 's', '5-0', 'e', '5');
    await noack;
    assert.deepStrictEqual(log.map(strip), [
      ['MULTI'],
      ['XADD', 's', '3-0', 'c', '3'],
      ['XADD', 's', '4-0', 'd', '4'],
      ['EXEC'],
      ['MULTI'],
      ['XCLAIM', 's', 'g', 'w', '0', '3-0', 'TIME', '<t>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '3-0'],
      ['XCLAIM', 's', 'g', 'w', '0', '4-0', 'TIME', '<t>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '4-0'],
      ['EXEC'],
      ['XGROUP', 'CREATE', 's', 'n', '$'],
      ['XADD', 's', '5-0', 'e', '5'],
      ['MULTI'],
      ['XGROUP', 'CREATECONSUMER', 's', 'n', 'fresh'],
      ['XGROUP', 'SETID', 's', 'n', '5-0', 'ENTRIESREAD', '5'],
      ['EXEC'],
    ]);
  } finally {
    a.close();
    b.close();
    await srv.close();
  }
});
