/** MEMORY USAGE / STATS / DOCTOR / HELP: Redis's accounting of reddish's data (store/memsize.ts, memory.ts). */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import v8 from 'node:v8';
import { memoryReport, memoryDoctor } from '../memory.js';
import { sdsBytes } from '../store/memsize.js';
import { valueBytes } from '../store/database.js';
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
  // The value, the key's sds and its dictEntry; 7.0 does not count the key's entry in the expires
  // dict. Every element is counted (the counters are exact), so SAMPLES changes nothing.
  // Like Redis, the dictEntry counts at its struct size (24) here, at its allocation in used_memory.
  c.w.int(sdsBytes(key.length) + 24 + valueBytes(v));
}

interface Float {
  float: number;
}

function stats(c: Client): void {
  const s = c.server;
  const m = memoryReport(s);
  const keys = m.keys;
  // Redis keeps these figures as C floats and replies with addReplyDouble even when whole.
  const f = (x: number): Float => ({ float: Math.fround(x) });
  const net = m.used > m.startup ? m.used - m.startup : 1;
  const fields: [string, number | Float | [string, number][]][] = [
    ['peak.allocated', m.peak],
    ['total.allocated', m.used],
    ['startup.allocated', m.startup],
    ['replication.backlog', m.replicationBacklog],
    ['clients.slaves', m.clientsReplicas],
    ['clients.normal', m.clientsNormal],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', m.luaCaches],
    ['functions.caches', m.functionsCaches],
  ];
  for (const d of m.dbs) {
    fields.push([
      `db.${d.id}`,
      [
        ['overhead.hashtable.main', d.main],
        ['overhead.hashtable.expires', d.expires],
        // The slot-to-keys metadata exists in cluster mode only.
        ['overhead.hashtable.slot-to-keys', 0],
      ],
    ]);
  }
  // The allocator is V8: allocated/active/resident are the heap's used, total and physical sizes.
  fields.push(
    ['overhead.total', m.overhead],
    ['keys.count', keys],
    ['keys.bytes-per-key', keys ? Math.floor(net / keys) : 0],
    ['dataset.bytes', m.dataset],
    ['dataset.percentage', f((m.dataset * 100) / net)],
    ['peak.percentage', f((m.used * 100) / Math.max(1, m.peak))],
    ['allocator.allocated', m.heapUsed],
    ['allocator.active', m.heapTotal],
    ['allocator.resident', m.heapPhysical],
    ['allocator-fragmentation.ratio', f(m.heapTotal / Math.max(1, m.heapUsed))],
    ['allocator-fragmentation.bytes', m.heapTotal - m.heapUsed],
    ['allocator-rss.ratio', f(m.heapPhysical / Math.max(1, m.heapTotal))],
    ['allocator-rss.bytes', m.heapPhysical - m.heapTotal],
    ['rss-overhead.ratio', f(m.rss / Math.max(1, m.heapPhysical))],
    ['rss-overhead.bytes', m.rss - m.heapPhysical],
    ['fragmentation', f(m.rss / Math.max(1, m.used))],
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
              '    Return memory problems reports.',
              'MALLOC-STATS',
              '    Return internal statistics report from the memory allocator.',
              'PURGE',
              '    Attempt to purge dirty pages for reclamation by the allocator.',
              'STATS',
              '    Return information about the memory usage of the server.',
              'USAGE <key> [SAMPLES <count>]',
              '    Return memory in bytes used by <key> and its value. Nested values are',
              '    sampled up to <count> times (default: 5, 0 means sample all).',
        ]),
      ],
    },
  ];
}
