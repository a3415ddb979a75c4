/**
 * Streams between the keyspace (StreamValue) and the RDB layer: the writer's StreamSource view
 * of a live stream, and a StreamValue rebuilt from the reader's plain record. Nodes are kept
 * exactly as stored (master ID, master fields, tombstones, SAMEFIELDS flags) because node
 * boundaries decide what `~` trimming removes and what XINFO reports, and so a loaded stream
 * is saved again byte for byte as Redis saved it.
 */
import { StreamValue } from '../store/stream.js';
import { FLAG_DELETED, StreamNode } from '../store/stream-node.js';
import { ID_MIN, makeId, type StreamId } from '../store/stream-id.js';
import { Consumer, ConsumerGroup } from '../store/stream-group.js';
import type { RdbStream } from './rdb-types.js';
import type { StreamGroupSource, StreamNodeSource, StreamSource } from './rdb-writer.js';

export class StreamLoadError extends Error {}

function parseId(s: string): StreamId {
  const dash = s.indexOf('-');
  return makeId(BigInt(s.slice(0, dash)), BigInt(s.slice(dash + 1)));
}

/** The writer's view of a live stream (nodes are the live objects; groups listed on demand). */
export function streamSource(v: StreamValue): StreamSource {
  return {
    kind: 'stream',
    size: v.length,
    nodes: v.nodes.map(nodeSource),
    lastId: v.lastId,
    firstId: v.firstId,
    maxDeletedId: v.maxDeletedId,
    entriesAdded: v.entriesAdded,
    // A getter: digests never look at groups, so they don't pay for sorting PELs.
    get groups(): StreamGroupSource[] {
      return groupSources(v);
    },
  };
}

/** A node as the writer and DEBUG DIGEST read it; entries are decoded when asked for. */
function nodeSource(n: StreamNode): StreamNodeSource {
  return {
    master: n.master,
    live: n.live,
    deleted: n.deleted,
    listpack: n.listpack,
    get fields() {
      return n.fields();
    },
    get entries() {
      return n.entries;
    },
  };
}

function groupSources(v: StreamValue): StreamGroupSource[] {
  const groups: StreamGroupSource[] = [];
  if (v.groups.size === 0) return groups;
  const names = [...v.groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const g = v.groups.get(name)!;
    const pel = g.pel.ids().map((id) => {
      const n = g.pel.get(id)!;
      return { id, deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount };
    });
    const consumers = g.sortedConsumers().map((c) => ({ name: c.name, seenTime: c.seenTime, pel: c.pel.ids().slice() }));
    groups.push({ name, lastId: g.lastId, entriesRead: g.entriesRead, pel, consumers });
  }
  return groups;
}

/**
 * A StreamValue from a record read from an RDB or DUMP payload (types 15, 19 and 21). Type 15
 * lacks the 7.0 metadata, which is derived as Redis does on load: first ID from the first live
 * entry, entries-added = length, no max-deleted ID, and group entries-read estimated.
 */
export function streamFromRdb(rv: RdbStream): StreamValue {
  const s = new StreamValue();
  if (rv.nodes !== undefined) {
    for (const rn of rv.nodes) {
      if (rn.entries.length === 0) throw new StreamLoadError('empty stream node');
      const node = StreamNode.create(parseId(rn.master), rn.fields);
      for (const e of rn.entries) node.append(parseId(e.id), e.kv, e.same, e.deleted ? FLAG_DELETED : 0);
      s.pushNode(node);
    }
  } else {
    // Plain records (tools) carry live entries only: one node per entry keeps every ID exact.
    for (const e of rv.entries) {
      const fields: string[] = [];
      for (let k = 0; k < e.fields.length; k += 2) fields.push(e.fields[k]);
      const id = parseId(e.id);
      const node = StreamNode.create(id, fields);
      node.append(id, e.fields, true);
      s.pushNode(node);
    }
  }
  s.length = rv.length;
  s.lastId = parseId(rv.lastId);
  if (rv.rdbType >= 19) {
    s.firstId = parseId(rv.firstId);
    s.maxDeletedId = parseId(rv.maxDeletedId);
    s.entriesAdded = rv.entriesAdded;
  } else {
    s.maxDeletedId = ID_MIN;
    s.entriesAdded = rv.length;
    // Redis's streamGetEdgeID: the first live entry, or the maximum ID when there is none.
    s.firstId = s.edgeId(true, true);
  }
  for (const rg of rv.groups) {
    const lastId = parseId(rg.lastId);
    const g = new ConsumerGroup(rg.name, lastId, rg.entriesRead ?? s.estimateDistance(lastId));
    // Keyed by the ID's text: V8 hashes a BigInt by its low 64 bits (the sequence, mostly 0).
    const nacks = new Map<string, { id: StreamId; deliveryTime: number; deliveryCount: number }>();
    for (const n of rg.pel) nacks.set(n.id, { id: parseId(n.id), deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount });
    for (const rc of rg.consumers) {
      const c = new Consumer(rc.name, rc.seenTime);
      g.consumers.set(rc.name, c);
      for (const idStr of rc.pel) {
        const raw = nacks.get(idStr);
        if (raw === undefined) throw new StreamLoadError('consumer PEL entry missing from the group PEL');
        const nack = { id: raw.id, consumer: c, deliveryTime: raw.deliveryTime, deliveryCount: raw.deliveryCount };
        g.pel.set(nack);
        c.pel.set(nack);
        nacks.delete(idStr);
      }
    }
    // Redis resolves every group NACK to the consumer that lists it; a NACK no consumer owns
    // (or that two consumers claim, caught above) is a corrupt payload.
    if (nacks.size > 0) throw new StreamLoadError('group PEL entry without a consumer');
    s.groups.set(rg.name, g);
  }
  return s;
}
