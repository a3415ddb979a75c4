/**
 * Test helper: reads the offset-annotated decodes in rdb-samples/decoded/*.txt (written by the
 * spec's Python tool) into comparable events. Values there are Python reprs, truncated with
 * "..." when long; the parser keeps what is complete and marks the cut.
 */
import type { RdbRecord, RdbValue } from '../../src/persistence/rdb-types.js';

/** A truncated position: the remaining text of a partly printed string (or '' for anything else). */
export class Partial {
  constructor(readonly text: string) {}
}
/** Marks that a container was cut. */
export const CUT = Symbol('cut');

export type Py = string | bigint | number | null | boolean | Partial | typeof CUT | Py[] | Map<string, Py>;

class Eof extends Error {}

/** Parses a Python literal; at the end of a truncated text returns the parsed part. */
export function parsePy(text: string, truncated: boolean): Py {
  let i = 0;
  const eof = (): never => {
    throw new Eof();
  };
  const ws = () => {
    while (i < text.length && text[i] === ' ') i++;
  };
  const parseStr = (): string => {
    let prefix = text[i];
    if (prefix === 'b') {
      i++;
      prefix = text[i];
    }
    const q = prefix;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) throw new PartialStr(out);
      const c = text[i];
      if (c === q) {
        i++;
        return out;
      }
      if (c === '\\') {
        if (i + 1 >= text.length) throw new PartialStr(out);
        const n = text[i + 1];
        if (n === 'x') {
          if (i + 4 > text.length) throw new PartialStr(out);
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };
        out += map[n] ?? n;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
  };
  const parseNum = (): bigint | number => {
    const m = /^-?(inf|nan|[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?)/.exec(text.slice(i));
    if (!m) throw new Error(`bad python literal at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    if (i >= text.length && truncated) eof(); // a number at the cut may be incomplete
    const t = m[0];
    if (t === 'inf') return Infinity;
    if (t === '-inf') return -Infinity;
    if (/^-?[0-9]+$/.test(t)) return BigInt(t);
    return Number(t);
  };
  const seq = (close: string): Py[] => {
    i++;
    const items: Py[] = [];
    for (;;) {
      ws();
      if (i >= text.length) {
        items.push(CUT);
        return items;
      }
      if (text[i] === close) {
        i++;
        return items;
      }
      try {
        items.push(value());
      } catch (e) {
        if (e instanceof PartialStr) {
          items.push(new Partial(e.text), CUT);
          return items;
        }
        if (e instanceof Eof) {
          items.push(CUT);
          return items;
        }
        throw e;
      }
      if (hasCut(items[items.length - 1])) return items;
      ws();
      if (text[i] === ',' || text[i] === ':') i++; // ':' separates a dict key from its value
    }
  };
  const value = (): Py => {
    ws();
    if (i >= text.length) eof();
    const c = text[i];
    if (c === "'" || c === '"' || (c === 'b' && (text[i + 1] === '"' || text[i + 1] === "'"))) return parseStr();
    if (c === '[') return seq(']');
    if (c === '(') return seq(')');
    if (c === '{') return dictFrom(seq('}')); // items alternate key, value
    if (text.startsWith('None', i)) {
      i += 4;
      return null;
    }
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    return parseNum();
  };
  const dictFrom = (items: Py[]): Map<string, Py> => {
    const m = new Map<string, Py>();
    const cut = items.includes(CUT);
    const kv = items.filter((x) => x !== CUT);
    for (let k = 0; k + 1 < kv.length; k += 2) m.set(String(kv[k]), kv[k + 1]);
    if (cut || kv.length % 2 === 1) m.set('__cut__', CUT);
    return m;
  };
  try {
    return value();
  } catch (e) {
    if (e instanceof PartialStr) return new Partial(e.text);
    if (e instanceof Eof) return CUT;
    throw e;
  }
}

class PartialStr extends Error {
  constructor(readonly text: string) {
    super('partial');
  }
}

function hasCut(p: Py): boolean {
  if (p === CUT || p instanceof Partial) return true;
  if (Array.isArray(p)) return p.some(hasCut);
  if (p instanceof Map) return p.has('__cut__') || [...p.values()].some(hasCut);
  return false;
}

// ------------------------------------------------------------------ atoms

/** A flat comparable sequence: strings (exact), numbers (floats), a Partial, and a cut flag. */
export interface Atoms {
  atoms: (string | number | Partial)[];
  cut: boolean;
}

function flatten(p: Py, out: Atoms): void {
  if (p === CUT) {
    out.cut = true;
    return;
  }
  if (p instanceof Partial) {
    out.atoms.push(p);
    out.cut = true;
    return;
  }
  if (Array.isArray(p)) {
    for (const x of p) flatten(x, out);
    return;
  }
  if (p instanceof Map) {
    for (const [k, v] of p) {
      if (k === '__cut__') out.cut = true;
      else flatten(v, out);
    }
    return;
  }
  if (typeof p === 'bigint') out.atoms.push(String(p));
  else if (typeof p === 'number') out.atoms.push(p);
  else if (p === null) out.atoms.push('0');
  else if (typeof p === 'boolean') out.atoms.push(String(p));
  else out.atoms.push(p);
}

function get(p: Py, k: string): Py {
  if (p instanceof Map) return p.has(k) ? p.get(k)! : CUT;
  return CUT;
}

/**
 * Expected atoms of a decoded value, per RDB type name as the tool prints it. Scores of zsets
 * become numbers; everything else text.
 */
export function expectedAtoms(typeName: string, v: Py): Atoms {
  const out: Atoms = { atoms: [], cut: false };
  switch (typeName) {
    case 'SET_INTSET':
      flatten(get(v, 'values'), out);
      break;
    case 'LIST_QUICKLIST':
    case 'LIST_QUICKLIST_2':
      if (Array.isArray(v)) {
        for (const node of v) {
          if (Array.isArray(node)) flatten(node.length > 1 ? node[1] : CUT, out);
          else flatten(node, out);
        }
      } else flatten(v, out);
      break;
    case 'HASH_LISTPACK_EX':
      flatten(get(v, 'triples'), out);
      break;
    case 'HASH_METADATA':
      flatten(get(v, 'fields'), out);
      break;
    case 'STREAM_LISTPACKS':
    case 'STREAM_LISTPACKS_2':
    case 'STREAM_LISTPACKS_3': {
      const nodes = get(v, 'nodes');
      if (!Array.isArray(nodes)) {
        out.cut = true;
        break;
      }
      outer: for (const node of nodes) {
        if (node === CUT) {
          out.cut = true;
          break;
        }
        const entries = get(node, 'entries');
        if (!Array.isArray(entries)) {
          out.cut = true;
          break;
        }
        for (const e of entries) {
          if (!Array.isArray(e) || e.includes(CUT) || e.length < 3) {
            out.cut = true;
            // keep the id if it was printed completely
            if (Array.isArray(e) && typeof e[0] === 'string' && e[1] === 'live') out.atoms.push(e[0]);
            break outer;
          }
          if (e[1] !== 'live') continue;
          flatten([e[0], e[2]], out);
          if (out.cut) break outer;
        }
      }
      break;
    }
    default:
      flatten(v, out);
  }
  if (typeName.startsWith('ZSET')) {
    // every second atom is a score
    out.atoms = out.atoms.map((a, i) => (i % 2 === 1 && typeof a === 'string' ? parseFloat(a.replace(/^(-?)inf$/, '$1Infinity')) : a));
  }
  return out;
}

/** Atoms of a value as our reader returned it, in the same order as expectedAtoms. */
export function actualAtoms(v: RdbValue): (string | number)[] {
  switch (v.type) {
    case 'string':
      return [v.value];
    case 'list':
      return v.items;
    case 'set':
      return v.members;
    case 'hash': {
      if (!v.fieldExpires) return v.pairs;
      const out: string[] = [];
      for (let i = 0; i < v.pairs.length; i += 2) out.push(v.pairs[i], v.pairs[i + 1], String(v.fieldExpires[i / 2]));
      return out;
    }
    case 'zset': {
      const out: (string | number)[] = [];
      for (let i = 0; i < v.members.length; i++) out.push(v.members[i], v.scores[i]);
      return out;
    }
    case 'stream': {
      const out: string[] = [];
      for (const e of v.entries) out.push(e.id, ...e.fields);
      return out;
    }
  }
}

/** Compares; returns null when equal, else a description of the first difference. */
export function compareAtoms(exp: Atoms, act: (string | number)[]): string | null {
  for (let i = 0; i < exp.atoms.length; i++) {
    const e = exp.atoms[i];
    const a = act[i];
    if (e instanceof Partial) {
      if (typeof a !== 'string' || !a.startsWith(e.text)) return `atom ${i}: expected prefix ${JSON.stringify(e.text)}, got ${JSON.stringify(a)}`;
      continue;
    }
    if (typeof e === 'number') {
      if (typeof a !== 'number' || !(a === e || (Number.isNaN(a) && Number.isNaN(e)))) return `atom ${i}: expected number ${e}, got ${JSON.stringify(a)}`;
      continue;
    }
    if (e !== a) return `atom ${i}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`;
  }
  if (!exp.cut && exp.atoms.length !== act.length) return `expected ${exp.atoms.length} atoms, got ${act.length}`;
  if (exp.cut && act.length < exp.atoms.length) return `expected at least ${exp.atoms.length} atoms, got ${act.length}`;
  return null;
}

// ------------------------------------------------------------------ lines

export type DecodedEvent =
  | { kind: 'aux'; key: string; value: string }
  | { kind: 'selectdb'; db: number }
  | { kind: 'resizedb'; size: number; expires: number }
  | { kind: 'function'; prefix: string }
  | { kind: 'slotinfo'; slot: number; size: number; expires: number }
  | { kind: 'record'; offset: number; typeName: string; key: string; value: Atoms; expireMs: number | null; idle: number | null; freq: number | null }
  | { kind: 'eof'; offset: number };

export interface Decoded {
  version: number;
  size: number;
  events: DecodedEvent[];
  storedChecksum: string;
  checksumOk: boolean;
}

export function parseDecoded(text: string): Decoded {
  const lines = text.split('\n');
  const head = /version=(\d+) size=(\d+)/.exec(lines[0]);
  if (!head) throw new Error('bad decode header');
  const events: DecodedEvent[] = [];
  let expireMs: number | null = null;
  let idle: number | null = null;
  let freq: number | null = null;
  let storedChecksum = '';
  let checksumOk = false;
  for (const line of lines.slice(1)) {
    const m = /^([0-9a-f]{6}) (\S+) ?(.*)$/.exec(line);
    if (!m) {
      const c = /^checksum stored=([0-9a-f]{16}) computed=[0-9a-f]{16} (\S+)/.exec(line);
      if (c) {
        storedChecksum = c[1];
        checksumOk = c[2] === 'OK' || c[2] === 'DISABLED(0)';
      }
      continue;
    }
    const offset = parseInt(m[1], 16);
    const kind = m[2];
    const rest = m[3];
    switch (kind) {
      case 'AUX': {
        const a = /^(.*?) = (.*)$/.exec(rest)!;
        events.push({ kind: 'aux', key: a[1], value: a[2] });
        break;
      }
      case 'SELECTDB':
        events.push({ kind: 'selectdb', db: Number(rest) });
        break;
      case 'RESIZEDB': {
        const r = /db_size=(\d+) expires_size=(\d+)/.exec(rest)!;
        events.push({ kind: 'resizedb', size: Number(r[1]), expires: Number(r[2]) });
        break;
      }
      case 'EXPIRETIME_MS':
        expireMs = Number(rest);
        break;
      case 'IDLE':
        idle = parseInt(rest, 10);
        break;
      case 'FREQ':
        freq = Number(rest);
        break;
      case 'FUNCTION2': {
        const p = parsePy(rest, true);
        events.push({ kind: 'function', prefix: p instanceof Partial ? p.text : String(p) });
        break;
      }
      case 'SLOT_INFO': {
        const r = /slot=(\d+) size=(\d+) expires=(\d+)/.exec(rest)!;
        events.push({ kind: 'slotinfo', slot: Number(r[1]), size: Number(r[2]), expires: Number(r[3]) });
        break;
      }
      case 'EOF':
        events.push({ kind: 'eof', offset });
        break;
      default: {
        const r = /^key=(.*?) val=(.*)$/.exec(rest);
        if (!r) throw new Error(`unparsed decode line: ${line}`);
        const key = parsePy(r[1], false);
        const truncated = r[2].endsWith('...');
        const valText = truncated ? r[2].slice(0, -3) : r[2];
        const val = parsePy(valText, truncated);
        events.push({ kind: 'record', offset, typeName: kind, key: String(key), value: expectedAtoms(kind, val), expireMs, idle, freq });
        expireMs = null;
        idle = null;
        freq = null;
      }
    }
  }
  return { version: Number(head[1]), size: Number(head[2]), events, storedChecksum, checksumOk };
}

/** Our reader's output as the same event kinds (records keep their file offsets). */
export function recordEvent(r: RdbRecord): { offset: number; key: string; value: RdbValue; expireMs: number | null; idle: number | null; freq: number | null } {
  return { offset: r.offset ?? -1, key: r.key, value: r.value, expireMs: r.expireMs, idle: r.idle, freq: r.freq };
}
