/**
 * Adapters between the keyspace's value classes and the RDB layer's plain forms: what the
 * writer serializes (ValueSource views, no copies) and what the reader produced (RdbValue
 * records) turned back into values with the encodings Redis would choose.
 */
import type { Config } from '../config/config.js';
import { StringValue, ValueType, type RedisValue } from '../store/values.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ListValue } from '../store/list.js';
import { ZSetValue } from '../store/zset.js';
import type { StreamValue } from '../store/stream.js';
import { streamFromRdb, streamSource } from './stream-values.js';
import type { RdbValue } from './rdb-types.js';
import type { RdbWriteValue } from './rdb-writer.js';

export class UnsupportedTypeError extends Error {}

/** A view of a value for the RDB writer (it iterates the live structure; nothing is copied). */
export function toWriteValue(v: RedisValue): RdbWriteValue {
  switch (v.type) {
    case ValueType.String:
      return (v as StringValue).toString();
    case ValueType.List: {
      const l = v as ListValue;
      return { kind: 'list', size: l.length, forEach: (fn) => { for (const x of l.values()) fn(x); } };
    }
    case ValueType.Set: {
      const s = v as SetValue;
      return { kind: 'set', size: s.size, forEach: (fn) => s.forEach(fn) };
    }
    case ValueType.Hash: {
      const h = v as HashValue;
      return { kind: 'hash', size: h.length, forEach: (fn) => h.forEach(fn), packed: h.packed };
    }
    case ValueType.ZSet: {
      const z = v as ZSetValue;
      return {
        kind: 'zset',
        size: z.size,
        forEach: (fn, descending) => {
          const all = [...z.entries()];
          if (descending) all.reverse();
          for (const [m, s] of all) fn(m, s);
        },
      };
    }
    case ValueType.Stream:
      return streamSource(v as StreamValue);
    default:
      throw new UnsupportedTypeError(`cannot serialize a value of type ${v.type}`);
  }
}

/**
 * The snapshot's view of a value: like toWriteValue, but a packed small hash is described by
 * one reused object, so serializing millions of them makes no garbage per key (the young
 * collections that garbage causes are what clients feel during a BGSAVE). The writer consumes
 * the view synchronously, before the next call.
 */
let viewedHash: HashValue | null = null;
const packedHashView: { kind: 'hash'; size: number; packed: string | null; forEach: (fn: (f: string, v: string) => void) => void } = {
  kind: 'hash',
  size: 0,
  packed: null,
  // Used when the packed form cannot be a listpack (limits lowered since the hash was made).
  forEach: (fn) => viewedHash!.forEach(fn),
};

export function toSnapshotValue(v: RedisValue): RdbWriteValue {
  if (v.type === ValueType.Hash) {
    const h = v as HashValue;
    const packed = h.packed;
    if (packed !== null) {
      viewedHash = h;
      packedHashView.size = h.length;
      packedHashView.packed = packed;
      return packedHashView;
    }
  }
  return toWriteValue(v);
}

/** Builds a keyspace value from a record read from an RDB (or a RESTORE payload). */
export function fromRdbValue(rv: RdbValue, config: Config, key: string): RedisValue {
  switch (rv.type) {
    case 'string':
      return new StringValue(rv.value);
    case 'list':
      return ListValue.from(rv.items);
    case 'set': {
      const s = new SetValue();
      const max = config.num('set-max-intset-entries');
      for (const m of rv.members) s.add(m, max);
      return s;
    }
    case 'hash': {
      if (rv.packed !== undefined) return HashValue.fromPacked(rv.packed);
      const h = new HashValue();
      h.setMany(rv.pairs, 0, config.num('hash-max-listpack-entries'), config.num('hash-max-listpack-value'));
      return h;
    }
    case 'zset': {
      const idx = rv.members.map((_, i) => i);
      idx.sort((a, b) => rv.scores[a] - rv.scores[b] || (rv.members[a] < rv.members[b] ? -1 : rv.members[a] > rv.members[b] ? 1 : 0));
      return ZSetValue.fromSorted(
        idx.map((i) => rv.members[i]),
        idx.map((i) => rv.scores[i]),
        { maxEntries: config.num('zset-max-listpack-entries'), maxValue: config.num('zset-max-listpack-value') },
      );
    }
    case 'stream':
      return streamFromRdb(rv);
    default:
      throw new UnsupportedTypeError(`key '${key}' holds a ${(rv as { type: string }).type}, a type reddish does not support yet`);
  }
}
