/** MEMORY USAGE / STATS / HELP: V8-based figures in Redis's reply shapes. */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import v8 from 'node:v8';
import { memoryReport, memoryDoctor } from '../memory.js';
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
  // Key string, dictionary entry and value; 7.0 does not count the key's entry in the expires dict.
  c.w.int(stringBytes(key.length) + 48 + v.memoryUsage());
}

interface Float {
  float: number;
}

function stats(c: Client): void {
  const s = c.server;
  const m = memoryReport(s);
  const keys = s.keyspace.totalKeys();
  // Redis keeps these figures as C floats and replies with addReplyDouble even when whole.
  const f = (x: number): Float => ({ float: Math.fround(x) });
  const fields: [string, number | Float | [string, number][]][] = [
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
      // Cluster mode only in Redis: always 0 here.
      ['overhead.hashtable.slot-to-keys', 0],
    ]]);
  }
  fields.push(
    ['overhead.total', m.overhead],
    ['keys.count', keys],
    ['keys.bytes-per-key', keys ? Math.floor((m.used - m.startup) / keys) : 0],
    ['dataset.bytes', m.dataset],
    ['dataset.percentage', f(m.used - m.startup > 0 ? (m.dataset * 100) / (m.used - m.startup) : 0)],
    ['peak.percentage', f(m.peak ? (m.used * 100) / m.peak : 0)],
    ['allocator.allocated', m.heapUsed],
    ['allocator.active', m.heapTotal],
    ['allocator.resident', m.rss],
    ['allocator-fragmentation.ratio', f(m.heapUsed ? m.heapTotal / m.heapUsed : 0)],
    ['allocator-fragmentation.bytes', m.heapTotal - m.heapUsed],
    ['allocator-rss.ratio', f(m.heapTotal ? m.rss / m.heapTotal : 0)],
    ['allocator-rss.bytes', m.rss - m.heapTotal],
    ['rss-overhead.ratio', f(m.used ? m.rss / m.used : 0)],
    ['rss-overhead.bytes', m.rss - m.used],
    ['fragmentation', f(m.used ? m.rss / m.used : 0)],
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
    } else if (typeof value === 'number') c.w.int(value);
    else c.w.double(value.float);
  }
}

/**
 * MALLOC-STATS prints the allocator's own report as text. reddish's allocator is V8's heap, so
 * the report is V8's per-space statistics, framed like Redis frames jemalloc's report (free text
 * that no client parses; the same figures back INFO memory and MEMORY STATS).
 */
function mallocStats(c: Client): void {
  const h = v8.getHeapStatistics();
  const lines = ['___ Begin V8 heap statistics ___', `Version: "Node.js ${process.version}, V8 ${process.versions.v8}"`, 'Heap:'];
  const fields: [string, number][] = [
    ['total_heap_size', h.total_heap_size],
    ['total_heap_size_executable', h.total_heap_size_executable],
    ['total_physical_size', h.total_physical_size],
    ['total_available_size', h.total_available_size],
    ['used_heap_size', h.used_heap_size],
    ['heap_size_limit', h.heap_size_limit],
    ['malloced_memory', h.malloced_memory],
    ['peak_malloced_memory', h.peak_malloced_memory],
    ['external_memory', h.external_memory],
    ['number_of_native_contexts', h.number_of_native_contexts],
    ['number_of_detached_contexts', h.number_of_detached_contexts],
  ];
  for (const [k, v] of fields) lines.push(`  ${k}: ${v}`);
  lines.push('Spaces:', '  space                       size       used  available   physical');
  for (const sp of v8.getHeapSpaceStatistics()) {
    lines.push(
      `  ${sp.space_name.padEnd(24)}${String(sp.space_size).padStart(11)}${String(sp.space_used_size).padStart(11)}${String(sp.space_available_size).padStart(11)}${String(sp.physical_space_size).padStart(11)}`,
    );
  }
  const m = process.memoryUsage();
  lines.push('Process:', `  rss: ${m.rss}`, `  array_buffers: ${m.arrayBuffers}`, '--- End V8 heap statistics ---');
  c.w.verbatim(lines.join('\n') + '\n');
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
      summary: 'A container for memory diagnostics commands',
      complexity: 'Depends on subcommand.',
      subcommands: [
        { ...g, name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], since: '4.0.0', summary: 'Estimate the memory usage of a key', complexity: 'O(N) where N is the number of samples.', handler: usage },
        {
          ...g,
          name: 'stats',
          arity: 2,
          flags: [],
          since: '4.0.0',
          summary: 'Show memory usage details',
          complexity: 'O(1)',
          tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
          handler: stats,
        },
        {
          ...g,
          name: 'doctor',
          arity: 2,
          flags: [],
          since: '4.0.0',
          summary: 'Outputs memory problems report',
          complexity: 'O(1)',
          tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
          handler: (c) => c.w.verbatim(memoryDoctor(c.server)),
        },
        {
          ...g,
          name: 'malloc-stats',
          arity: 2,
          flags: [],
          since: '4.0.0',
          summary: 'Show allocator internal stats',
          complexity: 'Depends on how much memory is allocated, could be slow',
          tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
          handler: mallocStats,
        },
        {
          ...g,
          name: 'purge',
          arity: 2,
          flags: [],
          since: '4.0.0',
          summary: 'Ask the allocator to release memory',
          complexity: 'Depends on how much memory is allocated, could be slow',
          tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
          // Redis without jemalloc has nothing to purge and answers OK; V8 returns pages itself.
          handler: (c) => c.w.ok(),
        },
        helpSubcommand(g.group, 'MEMORY', '4.0.0', [
              'DOCTOR',
              '    Return a report of memory problems, if any.',
              'MALLOC-STATS',
              '    Return the allocator\'s statistics (V8 heap spaces in reddish).',
              'PURGE',
              '    Ask the allocator to release unused memory (nothing to do in reddish).',
              'STATS',
              '    Return a map of memory figures (V8 heap based in reddish).',
              'USAGE <key> [SAMPLES <count>]',
              '    Return the approximate bytes held by <key> and its value.',
        ]),
      ],
    },
  ];
}
