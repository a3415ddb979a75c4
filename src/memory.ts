/**
 * Memory figures for INFO memory and MEMORY STATS. V8 owns the heap, so "used memory" is what
 * V8 reports as live (heap used + external buffers); RSS is the process's resident size.
 */
import type { Server } from './server.js';

export interface MemoryReport {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  overhead: number;
  dataset: number;
  heapUsed: number;
  heapTotal: number;
  replicationBacklog: number;
  replicationBuffers: number;
  clientsReplicas: number;
  clientsNormal: number;
}

/** Live bytes: V8 heap in use plus memory held outside it by Buffers. */
export function usedMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export class MemoryTracker {
  readonly startup = usedMemory();
  peak = this.startup;

  sample(): number {
    const u = usedMemory();
    if (u > this.peak) this.peak = u;
    return u;
  }
}

export function memoryReport(s: Server): MemoryReport {
  const m = process.memoryUsage();
  const used = m.heapUsed + m.external;
  if (used > s.memory.peak) s.memory.peak = used;
  let clientsNormal = 0;
  let clientsReplicas = 0;
  for (const c of s.clients.values()) {
    const bytes = c.pendingOutput() + c.parser.pending();
    if (c.isReplica && !c.isMonitor) clientsReplicas += bytes;
    else clientsNormal += bytes;
  }
  const repl = s.replicationMemory?.() ?? { backlog: 0, buffers: 0, replicasExtra: 0 };
  if (s.replicationMemory) clientsReplicas = repl.replicasExtra;
  const overhead = s.memory.startup + clientsNormal + clientsReplicas + repl.buffers;
  return {
    used,
    rss: m.rss,
    peak: s.memory.peak,
    startup: s.memory.startup,
    overhead,
    dataset: Math.max(0, used - overhead),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    replicationBacklog: repl.backlog,
    replicationBuffers: repl.buffers,
    clientsReplicas,
    clientsNormal,
  };
}

const MB = 1024 * 1024;

/**
 * MEMORY DOCTOR's report, in Redis's words, from the checks whose inputs mean the same here:
 * an (almost) empty instance, a past peak, client and replica output buffers. "Empty" is judged
 * on the memory above the startup baseline, because reddish's baseline is the JavaScript runtime
 * (~10 MB) where Redis's is under 1 MB. The RSS and allocator fragmentation checks are left out:
 * the runtime's own resident code and reserved young generation would trip them on every
 * instance. reddish has no script cache.
 */
export function memoryDoctor(s: Server): string {
  const m = memoryReport(s);
  const parts: string[] = [];
  let empty = false;
  if (m.used - m.startup < 5 * MB) empty = true;
  else {
    if (m.peak / m.used > 1.5) {
      parts.push(
        ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n',
      );
    }
    let replicas = 0;
    for (const c of s.clients.values()) if (c.isReplica && !c.isMonitor) replicas++;
    const normal = s.clients.size - replicas;
    const bigReplicaBuf = replicas > 0 && m.clientsReplicas > 10 * MB;
    if (bigReplicaBuf) {
      parts.push(
        ' * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n',
      );
    }
    if (normal > 0 && Math.floor(m.clientsNormal / normal) > 200 * 1024) {
      parts.push(
        ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n',
      );
    }
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  if (parts.length === 0) return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  return 'Sam, I detected a few issues in this Redis instance memory implants:\n\n' + parts.join('') + "I'm here to keep you safe, Sam. I want to help you.\n";
}
