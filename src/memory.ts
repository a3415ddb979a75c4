/**
 * Memory figures for INFO memory, MEMORY STATS/DOCTOR and eviction.
 *
 * used_memory is Redis's accounting applied to reddish's data (store/memsize.ts): what Redis
 * 7.0 would allocate for the same keys, values, client buffers and replication backlog, plus a
 * fixed startup baseline like Redis's used_memory_startup. It is what eviction compares with
 * maxmemory, it shrinks as soon as keys go, and reading it is O(1) (plus re-measuring the values
 * changed since the last read). The JavaScript runtime's own heap is not data: it shows in
 * used_memory_rss and in the reddish_v8_* fields, and it is why mem_fragmentation_ratio
 * (rss / used_memory) is large.
 */
import v8 from 'node:v8';
import type { Server } from './server.js';
import type { Client } from './net/client.js';
import { ROBJ, dictSlots } from './store/memsize.js';

/**
 * The startup baseline: the structures Redis allocates before any key or client (shared
 * objects, the 16 databases' dicts, the command table, the eviction pool...), as 7.0.15 on
 * x86-64 reports it in used_memory_startup.
 */
export const STARTUP_BYTES = 876176;

export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

export interface MemoryReport {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  overhead: number;
  dataset: number;
  /** V8's heap: used and total (the allocator figures of INFO and MEMORY STATS), physical pages. */
  heapUsed: number;
  heapTotal: number;
  heapPhysical: number;
  external: number;
  replicationBacklog: number;
  replicationBuffers: number;
  clientsReplicas: number;
  clientsNormal: number;
  luaCaches: number;
  functionsCaches: number;
  dbs: DbOverhead[];
  keys: number;
}

/** A client's buffers as Redis counts them (CLIENT LIST tot-mem): query buffer, reply buffers, the client struct. */
export function clientMemory(c: Client): number {
  return c.parser.capacity() + c.pendingOutput() + c.replyBufSize + 1024;
}

/** Clients' memory is summed at most this often (it is O(clients), Redis keeps it incrementally). */
const CLIENTS_REFRESH_MS = 100;

export class MemoryTracker {
  readonly startup = STARTUP_BYTES;
  peak = STARTUP_BYTES;
  private clientsAt = -Infinity;
  private normal = 0;
  private fixedCache = { backlog: 0, replicas: 0, buffers: 0, lua: 0, functions: 0 };

  constructor(private readonly server: Server) {}

  /** Normal (non-replica) clients' buffers, refreshed at most every CLIENTS_REFRESH_MS (with the other overheads). */
  clientsNormal(now = Date.now()): number {
    if (now - this.clientsAt >= CLIENTS_REFRESH_MS) {
      let n = 0;
      for (const c of this.server.clients.values()) if (!c.isReplica || c.isMonitor) n += clientMemory(c);
      this.normal = n;
      this.fixedCache = this.measureFixed();
      this.clientsAt = now;
    }
    return this.normal;
  }

  /** Forgets the cached client figure (a test or INFO right after clients come and go). */
  invalidateClients(): void {
    this.clientsAt = -Infinity;
  }

  /** Backlog, replicas' share of the replication buffer, scripts: the overhead besides clients and keys. */
  private fixed(): { backlog: number; replicas: number; buffers: number; lua: number; functions: number } {
    this.clientsNormal();
    return this.fixedCache;
  }

  private measureFixed(): { backlog: number; replicas: number; buffers: number; lua: number; functions: number } {
    const s = this.server;
    const repl = s.replicationMemory?.() ?? { backlog: 0, buffers: 0, replicasExtra: 0 };
    const sm = s.scriptingMemory?.();
    return { backlog: repl.backlog, replicas: repl.replicasExtra, buffers: repl.buffers, lua: sm ? sm.scriptsEval : 0, functions: sm ? sm.functionsBytes : 0 };
  }

  /** used_memory: O(1) apart from the values changed since the last read. */
  used(): number {
    const f = this.fixed();
    const u = this.startup + f.backlog + f.replicas + f.lua + f.functions + this.clientsNormal() + this.server.keyspace.usedBytes();
    if (u > this.peak) this.peak = u;
    return u;
  }

  /** What eviction compares with maxmemory: used_memory without replica output buffers (Redis's freeMemoryGetNotCountedMemory). */
  usedForEviction(): number {
    const f = this.fixed();
    return this.used() - f.replicas;
  }

  /** Called from the cron so the peak follows usage between reads. */
  sample(): number {
    return this.used();
  }
}

export function memoryReport(s: Server): MemoryReport {
  const m = process.memoryUsage();
  const h = v8.getHeapStatistics();
  s.memory.invalidateClients();
  const used = s.memory.used();
  let clientsNormal = s.memory.clientsNormal();
  const repl = s.replicationMemory?.() ?? { backlog: 0, buffers: 0, replicasExtra: 0 };
  const sm = s.scriptingMemory?.();
  const luaCaches = sm ? sm.scriptsEval : 0;
  const functionsCaches = sm ? sm.functionsBytes : 0;
  let overhead = s.memory.startup + repl.backlog + repl.replicasExtra + clientsNormal + luaCaches + functionsCaches;
  const dbs: DbOverhead[] = [];
  let keys = 0;
  for (const db of s.keyspace.dbs) {
    const n = db.dict.size;
    if (n === 0) continue;
    keys += n;
    // As getMemoryOverheadData counts them: struct sizes, not size classes.
    const main = n * 24 + dictSlots(n) * 8 + n * ROBJ;
    const expires = db.expires.size * 24 + dictSlots(db.expires.size) * 8;
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
  }
  clientsNormal = Math.max(0, clientsNormal);
  return {
    used,
    rss: m.rss,
    peak: s.memory.peak,
    startup: s.memory.startup,
    overhead,
    dataset: Math.max(0, used - overhead),
    heapUsed: h.used_heap_size,
    heapTotal: h.total_heap_size,
    heapPhysical: h.total_physical_size,
    external: m.external,
    replicationBacklog: repl.backlog,
    replicationBuffers: repl.buffers,
    clientsReplicas: repl.replicasExtra,
    clientsNormal,
    luaCaches,
    functionsCaches,
    dbs,
    keys,
  };
}

const MB = 1024 * 1024;

/**
 * MEMORY DOCTOR: 7.0's checks and words on reddish's figures, for the checks whose inputs mean
 * the same here: an (almost) empty instance, a past peak, client and replica buffers, the
 * script cache. The four RSS and allocator fragmentation checks are left out: the process RSS
 * holds the JavaScript runtime and V8's own representation of the data, and V8's heap keeps
 * reserved space by design, so they would report on every instance what is no fragmentation
 * (README, memory).
 */
export function memoryDoctor(s: Server): string {
  const m = memoryReport(s);
  let empty = false;
  let reports = 0;
  const flags = { peak: false, replicaBuf: false, clientBuf: false, scripts: false };
  if (m.used < 5 * MB) {
    empty = true;
    reports++;
  } else {
    if (m.peak / m.used > 1.5) {
      flags.peak = true;
      reports++;
    }
    let replicas = 0;
    for (const c of s.clients.values()) if (c.isReplica && !c.isMonitor) replicas++;
    const normal = Math.max(1, s.clients.size - replicas);
    if (m.clientsNormal / normal > 200 * 1024) {
      flags.clientBuf = true;
      reports++;
    }
    if (replicas > 0 && m.clientsReplicas > 10 * MB) {
      flags.replicaBuf = true;
      reports++;
    }
    if ((s.scriptingMemory?.().cachedScripts ?? 0) > 1000) {
      flags.scripts = true;
      reports++;
    }
  }
  if (reports === 0) return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  let out = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n';
  if (flags.peak) {
    out +=
      ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
  }
  if (flags.replicaBuf) {
    out +=
      ' * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n';
  }
  if (flags.clientBuf) {
    out +=
      ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n';
  }
  if (flags.scripts) {
    out +=
      ' * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts\' caches may end up consuming most of your memory.\n\n';
  }
  return out + "I'm here to keep you safe, Sam. I want to help you.\n";
}
