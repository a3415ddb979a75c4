/**
 * Lua tables, laid out as Lua 5.1's ltable.c lays them out (Redis 7.0.15's deps/lua), because the
 * layout is observable: next()/pairs() walk the array part then the node vector in slot order, and
 * `#` finds the border luaH_getn's searches find. Same main positions (luaS_hash for strings, the
 * double's two 32-bit words for numbers), same collision resolution (Brent's variation with a
 * lastfree cursor), same rehash sizing (computesizes), so a script sees the same order and `#` as
 * under redis-server.
 *
 * Node vector: one array, 4 entries per node (key, value, next node, raw hash). The dummy node of
 * an empty hash part is one shared, never-written node, so lookups need no emptiness test.
 *
 * Deleting is assigning nil: the node keeps its key (next() can still resume from it), and the
 * slot is reused only when a new key has it as main position. Assigning nil to a missing key
 * creates a node with a nil value, exactly as luaH_set does (it may even trigger a rehash).
 */
import { LibError, type LuaValue } from './types.js';

/** A LibError made without Error's constructor: no stack capture, as scripts may pcall these in loops. */
function tableError(message: string): LibError {
  const e = Object.create(LibError.prototype) as { message: string };
  e.message = message;
  return e as LibError;
}

/** The array part never grows beyond 2^MAXBITS; the node vector neither. */
const MAXBITS = 26;
const MAXASIZE = 1 << MAXBITS;
const MAX_INT = 2147483647;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** hashnum's raw value: the two 32-bit words of the double added (0 and -0 handled by callers). */
function numHash(n: number): number {
  f64[0] = n;
  return (u32[0] + u32[1]) | 0;
}

/**
 * luaS_hash as 7.0.15's lstring.c computes it: seeded with the length, every byte from the last to
 * the first. Kept as an int32; callers mask it.
 */
function computeStrHash(s: string): number {
  let h = s.length | 0;
  for (let i = s.length - 1; i >= 0; i--) h ^= (h << 5) + (h >>> 2) + s.charCodeAt(i);
  return h;
}

/**
 * Lua hashes every byte (~2 ns each here) where V8 keeps a string's own hash in the string: past a
 * few bytes a Map lookup (~7 ns whatever the length) is cheaper, so longer strings' hashes are
 * remembered. Bounded: cleared when full.
 */
const LONG_STRING = 5;
const longHashes = new Map<string, number>();
const LONG_CACHE_MAX = 16384;

/** The hash Lua gives a string (int32). Compiled code may compute it once for a constant key. */
export function luaStringHash(s: string): number {
  if (s.length <= LONG_STRING) return computeStrHash(s);
  let h = longHashes.get(s);
  if (h === undefined) {
    h = computeStrHash(s);
    if (longHashes.size >= LONG_CACHE_MAX) longHashes.clear();
    longHashes.set(s, h);
  }
  return h;
}

/** Identity hashes for functions and userdata (Lua hashes their addresses: arbitrary there too). */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function objectHash(o: object): number {
  if (o instanceof LuaTable) return o.id;
  let id = objectIds.get(o);
  if (id === undefined) {
    id = nextObjectId++ | 0;
    objectIds.set(o, id);
  }
  return id;
}

/** The raw hash of any non-nil key (strings/booleans masked by a power of 2, others taken mod). */
function keyHash(key: LuaValue): number {
  switch (typeof key) {
    case 'string':
      return luaStringHash(key);
    case 'number':
      return key === 0 ? 0 : numHash(key);
    case 'boolean':
      return key ? 1 : 0;
    default:
      return objectHash(key as object);
  }
}

/** ceil(log2(x)) for x >= 1 (luaO_log2(x-1)+1). */
function ceilLog2(x: number): number {
  return x <= 1 ? 0 : 32 - Math.clz32(x - 1);
}

/** luaO_int2fb: a size as the 8-bit "floating point byte" OP_NEWTABLE stores (rounds up). */
export function int2fb(x: number): number {
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >>> 1;
    e++;
  }
  return x < 8 ? x : ((e + 1) << 3) | (x - 8);
}

/** luaO_fb2int. */
export function fb2int(x: number): number {
  const e = (x >>> 3) & 31;
  return e === 0 ? x : ((x & 7) + 8) * 2 ** (e - 1);
}

/**
 * The sizes a table constructor presizes with: lparser.c counts the positional items (na, not
 * counting a last call or `...`, whose count is unknown) and the `k = v` / `[k] = v` items (nh);
 * OP_NEWTABLE stores both through luaO_int2fb, so both round up (e.g. 17 -> 18, 100 -> 104).
 * Use `new LuaTable(...constructorSizes(na, nh))`.
 *
 * To lay a constructor out as Lua does, compiled code also keeps Lua's store order: each record
 * item is stored (setStr/set) as soon as its value is evaluated; positional items are stored
 * (setInt) in batches of 50: a full batch is flushed when the NEXT ITEM OF ANY KIND starts (a
 * record item right after the 50th positional one flushes before its key and value are
 * evaluated), and the rest at the `}`. A trailing multi-value item (call or `...`) expands in the
 * last batch: call resizeArray(last) first when last > arraySize (as OP_SETLIST does), last being
 * the index of the final value.
 */
export function constructorSizes(nArrayItems: number, nHashItems: number): [number, number] {
  return [fb2int(int2fb(nArrayItems)), fb2int(int2fb(nHashItems))];
}

/**
 * An array part of n nils. Always a PACKED_ELEMENTS array (an empty [] would be PACKED_SMI): one
 * elements kind for every table keeps getInt/setInt monomorphic.
 */
function newArrayPart(n: number): LuaValue[] {
  const arr: LuaValue[] = [undefined];
  if (n === 0) arr.pop();
  else for (let i = 1; i < n; i++) arr.push(undefined);
  return arr;
}

/** The array part of every table created without one; never written (growing replaces it). */
const EMPTY_ARRAY: LuaValue[] = newArrayPart(0);

/** The node vector's slot layout: 4 entries per node (one allocation per vector). */
const KEY = 0;
const VAL = 1;
const NEXT = 2;
const HASH = 3;
const NODE = 4;

/** The hash part of an empty table: one node, never written (lookups need no emptiness test). */
const DUMMY_NODES: LuaValue[] = [undefined, undefined, -1, 0];

/** computesizes' counters, reused by every rehash. */
const NUMS = new Int32Array(MAXBITS + 1);

let nextTableId = 1;

export class LuaTable {
  metatable: LuaTable | undefined = undefined;
  /** Redis's read-only tables (globals and libraries): every raw set refuses. */
  readonly = false;
  /** Identity hash when the table is itself a key. */
  readonly id: number;
  /** Array part: keys 1..arr.length at arr[0..]. */
  private arr: LuaValue[];
  /** Node vector: 2^lsize nodes of [key, value, next node (-1: none), raw hash]. */
  private nodes: LuaValue[] = DUMMY_NODES;
  /** Node count - 1 (0 for the dummy, as sizenode is 1 there). */
  private mask = 0;
  private dummy = true;
  /** Free nodes are searched downwards from here. */
  private lastfree = 0;

  /** narr/nrec as lua_createtable(L, narr, nrec) presizes (they shape iteration order). */
  constructor(narr = 0, nrec = 0) {
    this.id = nextTableId++ | 0;
    this.arr = narr > 0 ? newArrayPart(narr) : EMPTY_ARRAY;
    if (nrec > 0) this.setNodeVector(nrec);
  }

  /** Size of the array part (sizearray). */
  get arraySize(): number {
    return this.arr.length;
  }

  /** Size of the node vector (0 when it is the dummy). */
  get nodeSize(): number {
    return this.dummy ? 0 : this.mask + 1;
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────

  /** Raw get (no metamethods). */
  get(key: LuaValue): LuaValue {
    switch (typeof key) {
      case 'string':
        return this.getStr(key);
      case 'number':
        return this.getInt(key);
      case 'undefined':
        return undefined;
      case 'boolean':
        return this.find(key, (key ? 1 : 0) & this.mask);
      default:
        return this.find(key, (objectHash(key) >>> 0) % (this.mask | 1));
    }
  }

  private find(key: LuaValue, n: number): LuaValue {
    const nodes = this.nodes;
    do {
      const b = n * NODE;
      if (nodes[b] === key) return nodes[b + VAL];
      n = nodes[b + NEXT] as number;
    } while (n >= 0);
    return undefined;
  }

  /** t[i] for any number i (integral or not). */
  getInt(i: number): LuaValue {
    const k = i - 1;
    if (k >>> 0 === k && k < this.arr.length) return this.arr[k];
    return this.find(i, i === 0 ? 0 : (numHash(i) >>> 0) % (this.mask | 1));
  }

  getStr(s: string): LuaValue {
    return this.getStrH(s, luaStringHash(s));
  }

  /** getStr with the key's luaStringHash computed by the caller (constant keys). */
  getStrH(s: string, h: number): LuaValue {
    const nodes = this.nodes;
    let n = h & this.mask;
    do {
      const b = n * NODE;
      if (nodes[b] === s) return nodes[b + VAL];
      n = nodes[b + NEXT] as number;
    } while (n >= 0);
    return undefined;
  }

  // ── writes ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Raw set (no metamethods), as luaH_set + assignment. Assigning nil to a missing key still
   * creates its node (with a nil value), as Lua does; an __newindex path should call
   * set(key, undefined) before calling the handler, to keep Lua's layout.
   */
  set(key: LuaValue, value: LuaValue): void {
    if (this.readonly) throw tableError('Attempt to modify a readonly table');
    switch (typeof key) {
      case 'string':
        this.setStr(key, value);
        return;
      case 'number':
        if (key !== key) throw tableError('table index is NaN');
        this.setInt(key, value);
        return;
      case 'undefined':
        throw tableError('table index is nil');
      default:
        this.insert(key, keyHash(key), value);
    }
  }

  setInt(i: number, value: LuaValue): void {
    if (this.readonly) throw tableError('Attempt to modify a readonly table');
    const k = i - 1;
    if (k >>> 0 === k && k < this.arr.length) {
      this.arr[k] = value;
      return;
    }
    if (i !== i) throw tableError('table index is NaN');
    const h = i === 0 ? 0 : numHash(i);
    const nodes = this.nodes;
    let n = (h >>> 0) % (this.mask | 1);
    do {
      const b = n * NODE;
      if (nodes[b] === i) {
        nodes[b + VAL] = value;
        return;
      }
      n = nodes[b + NEXT] as number;
    } while (n >= 0);
    this.newKey(i, h, value);
  }

  setStr(s: string, value: LuaValue): void {
    this.setStrH(s, luaStringHash(s), value);
  }

  /** setStr with the key's luaStringHash computed by the caller (constant keys). */
  setStrH(s: string, h: number, value: LuaValue): void {
    if (this.readonly) throw tableError('Attempt to modify a readonly table');
    const nodes = this.nodes;
    let n = h & this.mask;
    do {
      const b = n * NODE;
      if (nodes[b] === s) {
        nodes[b + VAL] = value;
        return;
      }
      n = nodes[b + NEXT] as number;
    } while (n >= 0);
    this.newKey(s, h, value);
  }

  /** luaH_resizearray: OP_SETLIST's presizing when a constructor's last item expands. */
  resizeArray(nasize: number): void {
    this.resize(nasize, this.dummy ? 0 : this.mask + 1);
  }

  /** luaH_set's lookup-or-insert for a key whose raw hash is known; no checks. */
  private insert(key: LuaValue, h: number, value: LuaValue): void {
    if (typeof key === 'number') {
      const k = key - 1;
      if (k >>> 0 === k && k < this.arr.length) {
        this.arr[k] = value;
        return;
      }
    }
    const nodes = this.nodes;
    let n = this.mainPosition(key, h);
    do {
      const b = n * NODE;
      if (nodes[b] === key) {
        nodes[b + VAL] = value;
        return;
      }
      n = nodes[b + NEXT] as number;
    } while (n >= 0);
    this.newKey(key, h, value);
  }

  private mainPosition(key: LuaValue, h: number): number {
    const t = typeof key;
    return t === 'string' || t === 'boolean' ? h & this.mask : (h >>> 0) % (this.mask | 1);
  }

  /** ltable.c's newkey: place a key absent from the table, then store its value. */
  private newKey(key: LuaValue, h: number, value: LuaValue): void {
    const nodes = this.nodes;
    let mp = this.mainPosition(key, h);
    if (nodes[mp * NODE + VAL] !== undefined || this.dummy) {
      const free = this.getFreePos();
      if (free < 0) {
        this.rehash(key);
        this.insert(key, h, value);
        return;
      }
      const m = mp * NODE;
      const f = free * NODE;
      let other = this.mainPosition(nodes[m], nodes[m + HASH] as number);
      if (other !== mp) {
        // The colliding node is out of its main position: it moves to the free node.
        while (nodes[other * NODE + NEXT] !== mp) other = nodes[other * NODE + NEXT] as number;
        nodes[other * NODE + NEXT] = free;
        nodes[f] = nodes[m];
        nodes[f + VAL] = nodes[m + VAL];
        nodes[f + NEXT] = nodes[m + NEXT];
        nodes[f + HASH] = nodes[m + HASH];
        nodes[m + NEXT] = -1;
        nodes[m + VAL] = undefined;
      } else {
        // The colliding node is in its main position: the new key takes the free node.
        nodes[f + NEXT] = nodes[m + NEXT];
        nodes[m + NEXT] = free;
        mp = free;
      }
    }
    const b = mp * NODE;
    nodes[b] = key;
    nodes[b + VAL] = value;
    nodes[b + HASH] = h;
  }

  private getFreePos(): number {
    const nodes = this.nodes;
    while (this.lastfree > 0) {
      const i = --this.lastfree;
      if (nodes[i * NODE] === undefined) return i;
    }
    return -1;
  }

  // ── rehash ─────────────────────────────────────────────────────────────────────────────────

  private setNodeVector(size: number): void {
    if (size === 0) {
      this.nodes = DUMMY_NODES;
      this.mask = 0;
      this.dummy = true;
      this.lastfree = 0;
      return;
    }
    const lsize = ceilLog2(size);
    if (lsize > MAXBITS) throw tableError('table overflow');
    size = 1 << lsize;
    // Built by literal and push so every node vector is a PACKED_ELEMENTS array: one elements kind
    // keeps the lookups monomorphic.
    const nodes: LuaValue[] = [undefined, undefined, -1, 0];
    for (let i = 1; i < size; i++) nodes.push(undefined, undefined, -1, 0);
    this.nodes = nodes;
    this.mask = size - 1;
    this.dummy = false;
    this.lastfree = size;
  }

  private resize(nasize: number, nhsize: number): void {
    let arr = this.arr;
    const oldasize = arr.length;
    const old = this.nodes;
    if (nasize > oldasize) {
      if (arr === EMPTY_ARRAY) this.arr = arr = newArrayPart(nasize);
      else for (let i = oldasize; i < nasize; i++) arr.push(undefined);
    }
    this.setNodeVector(nhsize);
    if (nasize < oldasize) {
      // The vanishing slice moves to the hash part (stored past the new array size).
      const tail = arr.slice(nasize, oldasize);
      arr.length = nasize;
      for (let i = 0; i < tail.length; i++) {
        const v = tail[i];
        if (v !== undefined) {
          const key = nasize + i + 1;
          this.newKey(key, numHash(key), v);
        }
      }
    }
    // Every old key is distinct and none was in 1..oldasize, so luaH_set's lookup would miss:
    // straight to the array part or newkey.
    for (let b = old.length - NODE; b >= 0; b -= NODE) {
      const v = old[b + VAL];
      if (v === undefined) continue;
      const key = old[b];
      if (typeof key === 'number') {
        const k = key - 1;
        if (k >>> 0 === k && k < arr.length) {
          arr[k] = v;
          continue;
        }
      }
      this.newKey(key, old[b + HASH] as number, v);
    }
  }

  private rehash(extraKey: LuaValue): void {
    if (this.dummy && this.arr.length === 0) {
      // A fresh table's first key: computesizes gives an array part of 1 for the key 1, else one node.
      if (extraKey === 1) this.arr = newArrayPart(1);
      else this.setNodeVector(1);
      return;
    }
    const nums = NUMS;
    for (let i = 0; i <= MAXBITS; i++) nums[i] = 0;
    let nasize = this.numUseArray(nums);
    let totaluse = nasize;
    // numusehash
    const nodes = this.nodes;
    let ause = 0;
    for (let b = nodes.length - NODE; b >= 0; b -= NODE) {
      if (nodes[b + VAL] !== undefined) {
        ause += countInt(nodes[b], nums);
        totaluse++;
      }
    }
    nasize += ause;
    nasize += countInt(extraKey, nums);
    totaluse++;
    // computesizes: the largest n (a power of 2) with more than n/2 integer keys in 1..n
    let a = 0;
    let na = 0;
    let n = 0;
    for (let i = 0, twotoi = 1; twotoi >>> 1 < nasize; i++, twotoi *= 2) {
      if (nums[i] > 0) {
        a += nums[i];
        if (a > twotoi >>> 1) {
          n = twotoi;
          na = a;
        }
      }
      if (a === nasize) break;
    }
    this.resize(n, totaluse - na);
  }

  private numUseArray(nums: Int32Array): number {
    const arr = this.arr;
    const size = arr.length;
    let ause = 0;
    let i = 1;
    for (let lg = 0, ttlg = 1; lg <= MAXBITS; lg++, ttlg *= 2) {
      let lc = 0;
      let lim = ttlg;
      if (lim > size) {
        lim = size;
        if (i > lim) break;
      }
      for (; i <= lim; i++) if (arr[i - 1] !== undefined) lc++;
      nums[lg] += lc;
      ause += lc;
    }
    return ause;
  }

  // ── traversal and length ───────────────────────────────────────────────────────────────────

  /**
   * findindex: the traversal slot of `key` (array slots first, then nodes); -1 for nil.
   * A key no longer in the table: "invalid key to 'next'".
   */
  slotOf(key: LuaValue): number {
    if (key === undefined) return -1;
    const asize = this.arr.length;
    if (typeof key === 'number') {
      const k = key - 1;
      if (k >>> 0 === k && k < asize) return k;
    }
    if (key === key) {
      const nodes = this.nodes;
      let n = this.mainPosition(key, keyHash(key));
      do {
        if (nodes[n * NODE] === key) return n + asize;
        n = nodes[n * NODE + NEXT] as number;
      } while (n >= 0);
    }
    throw tableError("invalid key to 'next'");
  }

  /** The first slot after `slot` holding a non-nil value, or -1. */
  nextSlot(slot: number): number {
    const arr = this.arr;
    const asize = arr.length;
    let i = slot + 1;
    for (; i < asize; i++) if (arr[i] !== undefined) return i;
    const nodes = this.nodes;
    const nsize = this.dummy ? 0 : this.mask + 1;
    for (i -= asize; i < nsize; i++) if (nodes[i * NODE + VAL] !== undefined) return i + asize;
    return -1;
  }

  slotKey(slot: number): LuaValue {
    const asize = this.arr.length;
    return slot < asize ? slot + 1 : this.nodes[(slot - asize) * NODE];
  }

  slotValue(slot: number): LuaValue {
    const asize = this.arr.length;
    return slot < asize ? this.arr[slot] : this.nodes[(slot - asize) * NODE + VAL];
  }

  /** lua_next: the entry after `key` (undefined key: the first), or undefined at the end. */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const s = this.nextSlot(this.slotOf(key));
    if (s < 0) return undefined;
    const asize = this.arr.length;
    if (s < asize) return [s + 1, this.arr[s]];
    const b = (s - asize) * NODE;
    return [this.nodes[b], this.nodes[b + VAL]];
  }

  /** The border `#t` returns (luaH_getn). */
  length(): number {
    const arr = this.arr;
    let j = arr.length;
    if (j > 0 && arr[j - 1] === undefined) {
      let i = 0;
      while (j - i > 1) {
        const m = (i + j) >>> 1;
        if (arr[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    if (this.dummy) return j;
    return this.unboundSearch(j);
  }

  private unboundSearch(j: number): number {
    let i = j;
    j++;
    while (this.getInt(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > MAX_INT) {
        // Built to defeat the doubling: Lua falls back to a linear scan.
        i = 1;
        while (this.getInt(i) !== undefined) i++;
        return i - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (this.getInt(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }
}

/** countint: an integer key in 1..MAXASIZE counts for the array-size computation. */
function countInt(key: LuaValue, nums: Int32Array): number {
  if (typeof key === 'number') {
    const k = key | 0;
    if (k === key && k > 0 && k <= MAXASIZE) {
      nums[ceilLog2(k)]++;
      return 1;
    }
  }
  return 0;
}
