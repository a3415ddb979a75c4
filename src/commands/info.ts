/**
 * INFO: the sections and field names of Redis 7.0, in its order. Sections owned by other
 * subsystems (persistence, replication) are supplied through server.hooks.infoSections.
 */
import os from 'node:os';
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { CommandSpec } from './registry.js';
import { lruClock } from '../store/keyspace.js';
import { REDDISH_VERSION } from '../version.js';
import { memoryReport } from '../memory.js';
import { formatPercentile } from '../config/defs.js';

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];
const SECTION_TITLES: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

/** Human-readable bytes like Redis's bytesToHuman ("919.12K", "1.00M"). */
/** Counters owned by other modules (client tracking, sharded pub/sub), by INFO field name. */
const counters = new WeakMap<Server, Map<string, () => number>>();

export function setInfoCounter(s: Server, field: string, fn: () => number): void {
  let m = counters.get(s);
  if (!m) counters.set(s, (m = new Map()));
  m.set(field, fn);
}

function counter(s: Server, field: string): number {
  return counters.get(s)?.get(field)?.() ?? 0;
}

export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

function serverSection(s: Server): string[] {
  const now = Date.now();
  return [
    `redis_version:${s.version}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine?.() ?? process.arch}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${s.runId}`,
    `tcp_port:${s.tcpPort}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${s.uptimeSeconds}`,
    `uptime_in_days:${Math.floor(s.uptimeSeconds / 86400)}`,
    `hz:${s.config.num('hz')}`,
    `configured_hz:${s.config.num('hz')}`,
    `lru_clock:${lruClock()}`,
    `executable:${process.argv[1] ?? process.execPath}`,
    `config_file:${s.configFile}`,
    'io_threads_active:0',
    `reddish_version:${REDDISH_VERSION}`,
    `node_version:${process.version}`,
  ];
}

function clientsSection(s: Server): string[] {
  let blocked = 0;
  let maxIn = 0;
  let maxOut = 0;
  let replicas = 0;
  for (const c of s.clients.values()) {
    if (c.blocked) blocked++;
    if (c.isReplica && !c.isMonitor) replicas++;
    maxIn = Math.max(maxIn, c.parser.pending());
    maxOut = Math.max(maxOut, c.pendingOutput());
  }
  return [
    `connected_clients:${s.clients.size - replicas}`,
    'cluster_connections:0',
    `maxclients:${s.config.num('maxclients')}`,
    `client_recent_max_input_buffer:${maxIn}`,
    `client_recent_max_output_buffer:${maxOut}`,
    `blocked_clients:${blocked}`,
    `tracking_clients:${counter(s, 'tracking_clients')}`,
    `clients_in_timeout_table:${blocked}`,
  ];
}

function memorySection(s: Server): string[] {
  const m = memoryReport(s);
  const maxmemory = s.config.num('maxmemory');
  const lua = s.scriptingMemory?.() ?? { vmEval: 0, scriptsEval: 0, cachedScripts: 0, functions: 0, libraries: 0, functionsBytes: 0 };
  return [
    `used_memory:${m.used}`,
    `used_memory_human:${bytesToHuman(m.used)}`,
    `used_memory_rss:${m.rss}`,
    `used_memory_rss_human:${bytesToHuman(m.rss)}`,
    `used_memory_peak:${m.peak}`,
    `used_memory_peak_human:${bytesToHuman(m.peak)}`,
    `used_memory_peak_perc:${((m.used / Math.max(1, m.peak)) * 100).toFixed(2)}%`,
    `used_memory_overhead:${m.overhead}`,
    `used_memory_startup:${m.startup}`,
    `used_memory_dataset:${m.dataset}`,
    `used_memory_dataset_perc:${m.used - m.startup > 0 ? ((m.dataset * 100) / (m.used - m.startup)).toFixed(2) : '0.00'}%`,
    `allocator_allocated:${m.heapUsed}`,
    `allocator_active:${m.heapTotal}`,
    `allocator_resident:${m.heapPhysical}`,
    `total_system_memory:${os.totalmem()}`,
    `total_system_memory_human:${bytesToHuman(os.totalmem())}`,
    `used_memory_lua:${lua.vmEval}`,
    `used_memory_vm_eval:${lua.vmEval}`,
    `used_memory_lua_human:${bytesToHuman(lua.vmEval)}`,
    `used_memory_scripts_eval:${lua.scriptsEval}`,
    `number_of_cached_scripts:${lua.cachedScripts}`,
    `number_of_functions:${lua.functions}`,
    `number_of_libraries:${lua.libraries}`,
    // One VM serves both EVAL and FUNCTION here; its heap is reported once, under eval.
    'used_memory_vm_functions:0',
    `used_memory_vm_total:${lua.vmEval}`,
    `used_memory_vm_total_human:${bytesToHuman(lua.vmEval)}`,
    `used_memory_functions:${lua.functionsBytes}`,
    `used_memory_scripts:${lua.scriptsEval + lua.functionsBytes}`,
    `used_memory_scripts_human:${bytesToHuman(lua.scriptsEval + lua.functionsBytes)}`,
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${s.config.str('maxmemory-policy')}`,
    `allocator_frag_ratio:${(m.heapTotal / Math.max(1, m.heapUsed)).toFixed(2)}`,
    `allocator_frag_bytes:${m.heapTotal - m.heapUsed}`,
    `allocator_rss_ratio:${(m.heapPhysical / Math.max(1, m.heapTotal)).toFixed(2)}`,
    `allocator_rss_bytes:${m.heapPhysical - m.heapTotal}`,
    `rss_overhead_ratio:${(m.rss / Math.max(1, m.heapPhysical)).toFixed(2)}`,
    `rss_overhead_bytes:${m.rss - m.heapPhysical}`,
    // rss / used_memory: large, because the process also holds the JavaScript runtime and V8's
    // representation of the data, which used_memory (Redis's accounting) does not count.
    `mem_fragmentation_ratio:${(m.rss / Math.max(1, m.used)).toFixed(2)}`,
    `mem_fragmentation_bytes:${m.rss - m.used}`,
    `mem_not_counted_for_evict:${m.clientsReplicas}`,
    `mem_replication_backlog:${m.replicationBacklog}`,
    // Includes the replica's full sync buffer, as Redis 8 counts it.
    `mem_total_replication_buffers:${m.replicationBuffers + (s.replicaFullSyncBufferMemory?.() ?? 0)}`,
    `mem_replica_full_sync_buffer:${s.replicaFullSyncBufferMemory?.() ?? 0}`,
    `mem_clients_slaves:${m.clientsReplicas}`,
    `mem_clients_normal:${m.clientsNormal}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:v8',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
    // reddish only: the V8 heap that actually holds the data and the runtime, and Buffers outside it.
    `reddish_v8_heap_used:${m.heapUsed}`,
    `reddish_v8_heap_total:${m.heapTotal}`,
    `reddish_v8_external:${m.external}`,
  ];
}

function statsSection(s: Server): string[] {
  const st = s.stats;
  const ev = s.evictor.exceededTimes();
  let channels = 0;
  let patterns = 0;
  const ps = s.pubsubCounts?.();
  if (ps) [channels, patterns] = ps;
  return [
    `total_connections_received:${st.totalConnections}`,
    `total_commands_processed:${st.totalCommands}`,
    `instantaneous_ops_per_sec:${st.instantaneousOps()}`,
    `total_net_input_bytes:${st.netInputBytes}`,
    `total_net_output_bytes:${st.netOutputBytes}`,
    `total_net_repl_input_bytes:${st.netReplInputBytes}`,
    `total_net_repl_output_bytes:${st.netReplOutputBytes}`,
    `instantaneous_input_kbps:${st.instantaneousInputKbps().toFixed(2)}`,
    `instantaneous_output_kbps:${st.instantaneousOutputKbps().toFixed(2)}`,
    `instantaneous_input_repl_kbps:${st.instantaneousReplInputKbps().toFixed(2)}`,
    `instantaneous_output_repl_kbps:${st.instantaneousReplOutputKbps().toFixed(2)}`,
    `rejected_connections:${st.rejectedConnections}`,
    `sync_full:${st.syncFull}`,
    `sync_partial_ok:${st.syncPartialOk}`,
    `sync_partial_err:${st.syncPartialErr}`,
    `expired_keys:${s.keyspace.expiredKeys}`,
    `expired_stale_perc:${(s.keyspace.expiredStalePerc * 100).toFixed(2)}`,
    `expired_time_cap_reached_count:${s.keyspace.expiredTimeCapReached}`,
    'expire_cycle_cpu_milliseconds:0',
    `evicted_keys:${st.evictedKeys}`,
    `evicted_clients:${st.evictedClients}`,
    `total_eviction_exceeded_time:${ev.total}`,
    `current_eviction_exceeded_time:${ev.current}`,
    `keyspace_hits:${s.keyspace.hits}`,
    `keyspace_misses:${s.keyspace.misses}`,
    `pubsub_channels:${channels}`,
    `pubsub_patterns:${patterns}`,
    `pubsubshard_channels:${counter(s, 'pubsubshard_channels')}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${counter(s, 'tracking_total_keys')}`,
    `tracking_total_items:${counter(s, 'tracking_total_items')}`,
    `tracking_total_prefixes:${counter(s, 'tracking_total_prefixes')}`,
    `unexpected_error_replies:${st.unexpectedErrorReplies}`,
    `total_error_replies:${st.totalErrorReplies}`,
    `dump_payload_sanitizations:${st.dumpPayloadSanitizations}`,
    `total_reads_processed:${st.totalReadsProcessed}`,
    `total_writes_processed:${st.totalWritesProcessed}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    `reply_buffer_shrinks:${st.replyBufferShrinks}`,
    `reply_buffer_expands:${st.replyBufferExpands}`,
  ];
}

function cpuSection(): string[] {
  const u = process.resourceUsage();
  const sys = (u.systemCPUTime / 1e6).toFixed(6);
  const user = (u.userCPUTime / 1e6).toFixed(6);
  return [
    `used_cpu_sys:${sys}`,
    `used_cpu_user:${user}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${sys}`,
    `used_cpu_user_main_thread:${user}`,
  ];
}

function commandstatsSection(s: Server): string[] {
  const out: string[] = [];
  for (const cmd of s.commands.everything()) {
    if (cmd.calls === 0 && cmd.rejectedCalls === 0 && cmd.failedCalls === 0) continue;
    const usec = Math.round(cmd.usec);
    out.push(
      `cmdstat_${cmd.fullName}:calls=${cmd.calls},usec=${usec},usec_per_call=${(cmd.calls ? cmd.usec / cmd.calls : 0).toFixed(2)},rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`,
    );
  }
  return out;
}

function errorstatsSection(s: Server): string[] {
  const out: string[] = [];
  // Redis keeps error codes in a radix tree: listed in byte order.
  const codes = [...s.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const code of codes) out.push(`errorstat_${code}:count=${s.stats.errors.get(code)}`);
  return out;
}

function latencystatsSection(s: Server): string[] {
  const out: string[] = [];
  const percentiles = s.config.get<number[]>('latency-tracking-info-percentiles');
  for (const cmd of s.commands.everything()) {
    const h = s.exec.latencyHistograms.get(cmd.fullName);
    if (!h || h.count === 0) continue;
    out.push(`latency_percentiles_usec_${cmd.fullName}:` + percentiles.map((p) => `p${formatPercentile(p)}=${h.percentile(p).toFixed(3)}`).join(','));
  }
  return out;
}

function keyspaceSection(s: Server): string[] {
  const out: string[] = [];
  for (const db of s.keyspace.dbs) {
    if (db.size === 0) continue;
    out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${Math.round(db.avgTtl)}`);
  }
  return out;
}

/** Sections built here; persistence and replication come from their subsystems' hooks. */
const BUILTIN: Record<string, (s: Server) => string[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  stats: statsSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  latencystats: latencystatsSection,
  cluster: () => ['cluster_enabled:0'],
  keyspace: keyspaceSection,
};

/** Builds the INFO text for the requested sections (Redis 7.0 accepts several). */
export function infoText(s: Server, args: string[]): string {
  let names: string[];
  if (args.length === 0) names = DEFAULT_SECTIONS;
  else {
    const wanted = new Set<string>();
    for (const a of args) {
      const l = a.toLowerCase();
      if (l === 'all') ALL_SECTIONS.forEach((x) => wanted.add(x));
      else if (l === 'everything') ALL_SECTIONS.forEach((x) => wanted.add(x));
      else if (l === 'default') DEFAULT_SECTIONS.forEach((x) => wanted.add(x));
      else wanted.add(l);
    }
    names = ALL_SECTIONS.filter((x) => wanted.has(x));
  }
  const parts: string[] = [];
  for (const name of names) {
    const fn = s.hooks.infoSections.get(name) ?? (() => BUILTIN[name](s));
    const lines = fn();
    parts.push(`# ${SECTION_TITLES[name]}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}

export function infoCommands(): CommandSpec[] {
  return [
    {
      name: 'info',
      arity: -1,
      flags: ['loading', 'stale'],
      group: 'server',
      since: '1.0.0',
      summary: 'Returns information and statistics about the server.',
      acl: ['dangerous'],
      tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
      handler: (c: Client, argv: string[]) => c.w.verbatim(infoText(c.server, argv.slice(1))),
    },
  ];
}
