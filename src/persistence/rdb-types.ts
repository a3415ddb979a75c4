/**
 * Plain data shared by the RDB reader, writer and digest: constants of the format and the
 * value/record shapes, independent of reddish's in-memory value classes.
 *
 * All strings are latin1 JS strings: one char per byte (char codes 0..255).
 */

// ------------------------------------------------------------------ format constants

export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
  HASH_METADATA_PRE_GA: 22,
  HASH_LISTPACK_EX_PRE_GA: 23,
  HASH_METADATA: 24,
  HASH_LISTPACK_EX: 25,
} as const;

/** What RDB saving and loading need of the function libraries (the scripting module provides it). */
export interface RdbFunctions {
  /** Library codes, saved as FUNCTION2 records before the keys. */
  codes(): string[];
  /**
   * Installs the libraries of a loaded file; throws with the reason if one fails. `flush`: they
   * replace every library (a full load); `keep`: the libraries in memory stay and one of the
   * same name is an error (DEBUG RELOAD NOFLUSH); `merge`: the file's wins (NOFLUSH MERGE).
   */
  load(codes: string[], existing: 'flush' | 'keep' | 'merge'): void;
}

export const RDB_OPCODE = {
  SLOT_INFO: 0xf4,
  FUNCTION2: 0xf5,
  FUNCTION_PRE_GA: 0xf6,
  MODULE_AUX: 0xf7,
  IDLE: 0xf8,
  FREQ: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

/** Highest RDB version the reader accepts (Redis 7.4). */
export const RDB_MAX_READ_VERSION = 12;
/** Version the writer produces (Redis 7.0). */
export const RDB_WRITE_VERSION = 10;

/** Redis 7.0 defaults for the encodings the writer chooses. */
export const REDIS70_LIMITS = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  /** list-max-listpack-size: negative = size class (-2 → 8 KiB per node), positive = entries. */
  listMaxListpackSize: -2,
} as const;

export type EncodingLimits = { -readonly [K in keyof typeof REDIS70_LIMITS]: number };

// ------------------------------------------------------------------ plain values

export interface RdbStreamEntry {
  /** "ms-seq" */
  id: string;
  /** Flat field/value list: f0, v0, f1, v1, … */
  fields: string[];
}

export interface RdbStreamNack {
  id: string;
  deliveryTime: number;
  deliveryCount: number;
}

export interface RdbStreamConsumer {
  name: string;
  seenTime: number;
  /** Type 21 only; older types repeat seenTime (what Redis 7.2 does). */
  activeTime: number;
  /** IDs of this consumer's pending entries (each also in the group's pel). */
  pel: string[];
}

export interface RdbStreamGroup {
  name: string;
  lastId: string;
  /** entries_read (types 19/21); null for type 15, where Redis estimates it on load. */
  entriesRead: number | null;
  pel: RdbStreamNack[];
  consumers: RdbStreamConsumer[];
}

/** One stream node (listpack) as stored: its master ID and fields, tombstones included. */
export interface RdbStreamNode {
  /** "ms-seq" of the node's radix tree key. */
  master: string;
  /** The master entry's field names. */
  fields: string[];
  entries: {
    id: string;
    /** Flat field/value list. */
    kv: string[];
    deleted: boolean;
    /** SAMEFIELDS flag: the entry's fields are the master's. */
    same: boolean;
  }[];
}

export interface RdbStream {
  type: 'stream';
  /** RDB type it was read from (15, 19 or 21). */
  rdbType: number;
  /** Live entries in ID order (tombstones dropped). */
  entries: RdbStreamEntry[];
  length: number;
  lastId: string;
  firstId: string;
  maxDeletedId: string;
  entriesAdded: number;
  groups: RdbStreamGroup[];
  /**
   * The nodes as stored (set by the reader), so a loader keeps Redis's node boundaries and
   * tombstones; a writer given no nodes packs `entries` into nodes itself.
   */
  nodes?: RdbStreamNode[];
}

/**
 * A value as plain data. Collections use flat arrays (no tuple per element): a hash is
 * [f0, v0, f1, v1, …]; a zset is two parallel arrays. `encoding` says what the file used (a hint
 * only; a loader re-derives its own encoding from sizes and its config).
 */
export type RdbValue =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[]; encoding: 'quicklist' | 'ziplist' | 'linkedlist' }
  | { type: 'set'; members: string[]; intset: boolean; encoding: 'intset' | 'listpack' | 'hashtable' }
  | { type: 'zset'; members: string[]; scores: number[]; encoding: 'listpack' | 'ziplist' | 'skiplist' }
  | {
      type: 'hash';
      /** Flat: field0, value0, field1, value1, … */
      pairs: string[];
      encoding: 'listpack' | 'ziplist' | 'zipmap' | 'hashtable';
      /**
       * Only for Redis 7.4 hashes with field TTLs (types 22–25): absolute expire time in ms per
       * field (parallel to the fields, i.e. fieldExpires[i] belongs to pairs[2i]); 0 = no TTL.
       */
      fieldExpires?: number[];
      /**
       * With the reader's `packSmallHashes` option: the listpack already in the keyspace's
       * packed small-hash form (then `pairs` is empty), `count` fields.
       */
      packed?: string;
      count?: number;
    }
  | RdbStream;

export type RdbValueType = RdbValue['type'];

/** One key as read from (or to be written to) an RDB file. */
export interface RdbRecord {
  db: number;
  key: string;
  /** Absolute unix time in ms, or null for no expiry. */
  expireMs: number | null;
  /** LRU idle seconds (opcode IDLE), or null when absent. */
  idle: number | null;
  /** LFU log counter (opcode FREQ), or null when absent. */
  freq: number | null;
  value: RdbValue;
  /** Set by the reader: the RDB type byte the value was stored with. */
  rdbType?: number;
  /** Set by the reader: absolute offset of the record's type byte in the file. */
  offset?: number;
}

/** Redis OBJ_* type numbers (used by DEBUG DIGEST and TYPE). */
export const OBJ_TYPE: Record<RdbValueType, number> = {
  string: 0,
  list: 1,
  set: 2,
  zset: 3,
  hash: 4,
  stream: 6,
};

/** Error raised for malformed or unsupported RDB input; `offset` is the absolute byte offset. */
export class RdbError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RdbError';
  }
}
