/** MEMORY USAGE / STATS / HELP: V8-based figures in Redis's reply shapes. */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import { memoryReport } from '../memory.js';
import { stringBytes } from '../store/values.js';
import { helpSubcommand } from './connection.js';
import { E, is, parseInt64 } from './util.js';

function usage(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    if (argv.length !== 5 || !is(argv[3], 'SAMPLES')) {
      c.error(E.SYNTAX);
      return;
    }
    const n = parseInt64(argv[4]);
    if (n === null || n < 0) {
      c.error(n === null ? E.NOT_INTEGER : E.SYNTAX);
      return;
    }
  } else if (argv.length === 4) {
    c.error(E.SYNTAX);
    return;
  }
  const key = argv[2];
  const v = c.db.peek(key);
  if (v === undefined) {
    c.w.nil();
    return;
  }
  // Key string, dictionary entry, value, and the expire entry when there is one.
  let bytes = stringBytes(key.length) + 48 + v.memoryUsage();
  if (c.db.getExpire(key) !== undefined) bytes += 32;
  c.w.int(bytes);
}

function stats(c: Client): void {
  const s = c.server;
  const m = memoryReport(s);
  const keys = s.keyspace.totalKeys();
  const fields: [string, number | string | [string, number][]][] = [
    ['peak.allocated', m.peak],
    ['total.allocated', m.used],
    ['startup.allocated', m.startup],
    ['replication.backlog', m.replicationBacklog],
    ['clients.slaves', m.clientsReplicas],
    ['clients.normal', m.clientsNormal],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', 0],
    ['functions.caches', 0],
  ];
  for (const db of s.keyspace.dbs) {
    if (db.size === 0 && db.expires.size === 0) continue;
    // A Map slot costs about 24 bytes plus its share of the bucket array.
    fields.push([`db.${db.id}`, [
      ['overhead.hashtable.main', Math.ceil(db.size * 1.5) * 28],
      ['overhead.hashtable.expires', Math.ceil(db.expires.size * 1.5) * 28],
    ]]);
  }
  fields.push(
    ['overhead.total', m.overhead],
    ['keys.count', keys],
    ['keys.bytes-per-key', keys ? Math.floor((m.used - m.startup) / keys) : 0],
    ['dataset.bytes', m.dataset],
    ['dataset.percentage', m.used - m.startup > 0 ? (m.dataset * 100) / (m.used - m.startup) : 0],
    ['peak.percentage', m.peak ? (m.used * 100) / m.peak : 0],
    ['allocator.allocated', m.heapUsed],
    ['allocator.active', m.heapTotal],
    ['allocator.resident', m.rss],
    ['allocator-fragmentation.ratio', m.heapUsed ? m.heapTotal / m.heapUsed : 0],
    ['allocator-fragmentation.bytes', m.heapTotal - m.heapUsed],
    ['allocator.rss-ratio', m.heapTotal ? m.rss / m.heapTotal : 0],
    ['allocator.rss-bytes', m.rss - m.heapTotal],
    ['rss-overhead.ratio', m.used ? m.rss / m.used : 0],
    ['rss-overhead.bytes', m.rss - m.used],
    ['fragmentation', m.used ? m.rss / m.used : 0],
    ['fragmentation.bytes', m.rss - m.used],
  );
  c.w.map(fields.length);
  for (const [name, value] of fields) {
    c.w.bulk(name);
    if (Array.isArray(value)) {
      c.w.map(value.length);
      for (const [k, v] of value) {
        c.w.bulk(k);
        c.w.int(v);
      }
    } else if (Number.isInteger(value)) c.w.int(value as number);
    else c.w.double(value as number);
  }
}

export function memoryCommands(): CommandSpec[] {
  const g = { group: 'server' };
  return [
    {
      ...g,
      name: 'memory',
      arity: -2,
      flags: [],
      since: '4.0.0',
      summary: 'A container for memory diagnostics commands.',
      subcommands: [
        { ...g, name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], since: '4.0.0', summary: 'Estimates the memory usage of a key.', handler: usage },
        {
          ...g,
          name: 'stats',
          arity: 2,
          flags: [],
          since: '4.0.0',
          summary: 'Returns details about memory usage.',
          tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
          handler: stats,
        },
        helpSubcommand(g.group, 'MEMORY', '4.0.0', [
              'STATS',
              '    Return a map of memory figures (V8 heap based in reddish).',
              'USAGE <key> [SAMPLES <count>]',
              '    Return the approximate bytes held by <key> and its value.',
        ]),
      ],
    },
  ];
}
