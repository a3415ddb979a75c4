/**
 * A base file in command form (aof-use-rdb-preamble no), as Redis's rewriteAppendOnlyFileRio
 * writes it: FUNCTION LOAD for each library, then per database a SELECT and per key the
 * commands that rebuild it (variadic with at most 64 items each), then PEXPIREAT.
 *
 * The input is the point-in-time snapshot in RDB form (the same fork-less snapshot the RDB
 * base uses): reading it back gives plain values that no later write can change.
 */
import { readRdb } from '../persistence/rdb-reader.js';
import type { RdbRecord, RdbStream } from '../persistence/rdb-types.js';
import { formatG17 } from '../persistence/numfmt.js';

/** AOF_REWRITE_ITEMS_PER_CMD. */
const ITEMS_PER_CMD = 64;

class Out {
  parts: string[] = [];
  size = 0;

  cmd(argv: string[]): void {
    let s = `*${argv.length}\r\n`;
    for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
    this.parts.push(s);
    this.size += s.length;
  }

  raw(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }
}

/** Commands with up to 64 items after `prefix` (items are groups of `width` strings). */
function variadic(out: Out, prefix: string[], items: string[], width: number): void {
  for (let i = 0; i < items.length; i += ITEMS_PER_CMD * width) out.cmd([...prefix, ...items.slice(i, i + ITEMS_PER_CMD * width)]);
}

function stream(out: Out, key: string, s: RdbStream): void {
  if (s.length > 0) {
    for (const e of s.entries) out.cmd(['XADD', key, e.id, ...e.fields]);
  } else {
    // XADD MAXLEN 0 creates an empty stream.
    out.cmd(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out.cmd(['XSETID', key, s.lastId, 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', s.maxDeletedId]);
  for (const g of s.groups) {
    out.cmd(['XGROUP', 'CREATE', key, g.name, g.lastId, 'ENTRIESREAD', String(g.entriesRead ?? -1)]);
    const nacks = new Map(g.pel.map((n) => [n.id, n]));
    for (const c of g.consumers) {
      if (c.pel.length === 0) {
        out.cmd(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
        continue;
      }
      for (const id of c.pel) {
        const n = nacks.get(id);
        out.cmd(['XCLAIM', key, g.name, c.name, '0', id, 'TIME', String(n?.deliveryTime ?? 0), 'RETRYCOUNT', String(n?.deliveryCount ?? 0), 'JUSTID', 'FORCE']);
      }
    }
  }
}

function record(out: Out, r: RdbRecord): void {
  const v = r.value;
  const key = r.key;
  switch (v.type) {
    case 'string':
      out.cmd(['SET', key, v.value]);
      break;
    case 'list':
      variadic(out, ['RPUSH', key], v.items, 1);
      break;
    case 'set':
      variadic(out, ['SADD', key], v.members, 1);
      break;
    case 'zset': {
      const flat: string[] = [];
      for (let i = 0; i < v.members.length; i++) flat.push(formatG17(v.scores[i]), v.members[i]);
      variadic(out, ['ZADD', key], flat, 2);
      break;
    }
    case 'hash':
      variadic(out, ['HMSET', key], v.pairs, 2);
      break;
    case 'stream':
      stream(out, key, v);
      break;
  }
  if (r.expireMs !== null) out.cmd(['PEXPIREAT', key, String(r.expireMs)]);
}

/** The command-form base for an RDB snapshot; `timestamp` adds the leading #TS annotation. */
export function rdbToCommands(rdb: Buffer, timestamp: number | null): Buffer {
  const file = readRdb(rdb, { databases: 1 << 20 });
  const out = new Out();
  if (timestamp !== null) out.raw(`#TS:${timestamp}\r\n`);
  for (const code of file.functionCodes) out.cmd(['FUNCTION', 'LOAD', code]);
  // The snapshot may interleave databases (keys written early by the pre-write hook).
  const byDb = new Map<number, RdbRecord[]>();
  for (const r of file.records) {
    let l = byDb.get(r.db);
    if (!l) byDb.set(r.db, (l = []));
    l.push(r);
  }
  for (const db of [...byDb.keys()].sort((a, b) => a - b)) {
    out.cmd(['SELECT', String(db)]);
    for (const r of byDb.get(db)!) record(out, r);
  }
  return Buffer.from(out.parts.join(''), 'latin1');
}
