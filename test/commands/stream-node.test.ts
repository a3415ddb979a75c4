/**
 * The packed stream nodes against redis-server 7.0.15: every listpack element size the nodes
 * use (integers of every width, strings around each length-encoding and backlen boundary, 64-bit
 * ID deltas), master counters whose encoding grows and shrinks as entries are added and deleted
 * (the rest of the node moves), reverse walks, trimming, and DUMP payloads that must be the same
 * bytes as Redis's (so the in-memory listpack is Redis's own layout).
 */
import { test, before, after } from 'node:test';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { prng } from '../helpers/prng.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--rdbcompression', 'no']);
});
after(async () => {
  await pair.close();
});

const VALUES = [
  '0', '1', '127', '128', '-1', '4095', '4096', '-4096', '-4097', '32767', '32768', '-32769',
  '8388607', '8388608', '2147483647', '2147483648', '-2147483649', '9007199254740993',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '+1', ' 1',
  '', 'x', 'a'.repeat(63), 'b'.repeat(64), 'c'.repeat(125), 'd'.repeat(126), 'e'.repeat(127), 'f'.repeat(128),
  'g'.repeat(4095), 'h'.repeat(4096), 'i'.repeat(16400), 'caf\xe9\x00\xff',
];

/** XADDs of `n` entries with explicit IDs: varied ms/seq steps, field sets and values. */
function entries(key: string, n: number, seed: number): Step[] {
  const rnd = prng(seed);
  const r = (): number => Math.floor(rnd() * 4294967296);
  const steps: Step[] = [];
  let ms = 1000;
  let seq = 0;
  for (let i = 0; i < n; i++) {
    const k = r() % 10;
    if (k < 5) seq++;
    else if (k < 9) {
      ms += 1 + (r() % 5000);
      seq = r() % 3;
    } else {
      ms += 100000 + (r() % 100000000);
      seq = r() % 70000;
    }
    const kind = r() % 6;
    const kv: string[] =
      kind < 3
        ? ['name', VALUES[r() % VALUES.length], 'n', String(i)]
        : kind === 3
          ? ['name', VALUES[r() % VALUES.length]]
          : kind === 4
            ? ['n', String(i), 'name', 'x']
            : ['-5', VALUES[r() % VALUES.length], '12', String(-i), 'name', VALUES[r() % VALUES.length]];
    steps.push(['XADD', key, `${ms}-${seq}`, ...kv]);
  }
  return steps;
}

const reads = (key: string): Step[] => [
  ['XLEN', key],
  ['XRANGE', key, '-', '+', 'COUNT', 40],
  ['XREVRANGE', key, '+', '-', 'COUNT', 40],
  ['XRANGE', key, '5000', '9000000'],
  ['XREVRANGE', key, '90000000', '3000', 'COUNT', 25],
  ['XINFO', 'STREAM', key],
  ['DUMP', key],
];

test('one big node: counters crossing encodings both ways, deletes and trims', async () => {
  const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '0'], ['CONFIG', 'SET', 'stream-node-max-bytes', '0']];
  const adds = entries('big', 4300, 7);
  steps.push(...adds, ...reads('big'));
  // Delete enough that the live counter drops below 4096 and the deleted one passes 127.
  const ids = adds.map((s) => String(s[2]));
  for (let i = 0; i < ids.length; i += 3) steps.push(['XDEL', 'big', ids[i], ids[i + 1] ?? ids[i]]);
  steps.push(...reads('big'));
  steps.push(['XDEL', 'big', ids[ids.length - 1], ids[1], '1-1'], ...reads('big'));
  steps.push(['XTRIM', 'big', 'MAXLEN', '=', '1000'], ...reads('big'));
  steps.push(['XTRIM', 'big', 'MINID', ids[3500]], ...reads('big'));
  steps.push(['XINFO', 'STREAM', 'big', 'FULL', 'COUNT', '0']);
  await same(pair, steps);
});

test('default node limits: many nodes, whole-node deletes, ~ trimming, 64-bit ID deltas', async () => {
  const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']];
  const adds = entries('s', 1500, 11);
  steps.push(...adds, ...reads('s'));
  const ids = adds.map((s) => String(s[2]));
  // Every entry of some nodes (a node whose last live entry goes is dropped) and scattered ones.
  for (let i = 0; i < 300; i++) steps.push(['XDEL', 's', ids[i]]);
  for (let i = 300; i < ids.length; i += 7) steps.push(['XDEL', 's', ids[i]]);
  steps.push(...reads('s'));
  steps.push(['XTRIM', 's', 'MAXLEN', '~', '900'], ...reads('s'));
  steps.push(['XTRIM', 's', 'MINID', '~', ids[800]], ...reads('s'));
  steps.push(['XADD', 's', 'MAXLEN', '=', '10', '99999999999999-1', 'a', '1'], ['XLEN', 's'], ['XRANGE', 's', '-', '(18446744073709551615-0', 'COUNT', 9]);
  // IDs far apart in one node: deltas beyond 2^53 and negative-looking 64-bit deltas.
  steps.push(
    ['XADD', 'w', '1-1', 'f', 'v'],
    ['XADD', 'w', '9007199254740993-5', 'f', 'v'],
    ['XADD', 'w', '9007199254740993-18446744073709551615', 'f', 'w'],
    ['XADD', 'w', '18446744073709551614-0', 'g', 'v'],
    ['XADD', 'w', '18446744073709551615-*', 'f', '-9223372036854775808'],
    ['XADD', 'w', '18446744073709551615-*', 'f', '18446744073709551615'],
    ...reads('w'),
    ['XRANGE', 'w', '9007199254740993', '9007199254740993'],
    ['XREVRANGE', 'w', '18446744073709551614', '2'],
    ['XDEL', 'w', '9007199254740993-5', '18446744073709551614-0'],
    ...reads('w'),
    ['XADD', 'm', '9007199254740993-9007199254740993', 'f', 'v'],
    ['XADD', 'm', '9007199254740993-*', 'f', 'v'],
    ['XADD', 'm', '9007199254740994-0', 'f', 'v'],
    ...reads('m'),
  );
  await same(pair, steps);
});

test('group reads walking a node while deletes move its entries', async () => {
  const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '0'], ['CONFIG', 'SET', 'stream-node-max-bytes', '0']];
  const adds = entries('q', 1200, 23);
  const ids = adds.map((s) => String(s[2]));
  steps.push(...adds.slice(0, 600), ['XGROUP', 'CREATE', 'q', 'g', '0']);
  for (let i = 0; i < 150; i++) {
    steps.push(['XREADGROUP', 'GROUP', 'g', `c${i % 3}`, 'COUNT', 7, 'STREAMS', 'q', '>']);
    // Deletes ahead of and behind the group (the deleted counter passes 127: entries move).
    if (i % 2 === 0) steps.push(['XDEL', 'q', ids[(i * 7 + 20) % 1200], ids[i * 3], ids[(i * 11) % 600]]);
    if (i % 10 === 0) steps.push(['XADD', 'q', ...adds[600 + i].slice(2)]);
    if (i === 75) steps.push(...adds.slice(601, 1200).filter((_, k) => k % 10 !== 0));
    if (i % 25 === 0) steps.push(['XPENDING', 'q', 'g'], ['XINFO', 'GROUPS', 'q']);
  }
  // DUMP once the group is gone: its PEL holds delivery times.
  steps.push(['XREADGROUP', 'GROUP', 'g', 'c0', 'COUNT', 20, 'STREAMS', 'q', '0'], ['XINFO', 'STREAM', 'q'], ['XGROUP', 'DESTROY', 'q', 'g'], ['DUMP', 'q']);
  await same(pair, steps);
});
