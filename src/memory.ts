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
