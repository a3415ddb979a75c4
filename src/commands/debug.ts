/**
 * DEBUG: the subcommands Redis's tests and tools drive (OBJECT, PROTOCOL, POPULATE, SLEEP,
 * SET-ACTIVE-EXPIRE, LOG, ERROR, LISTPACK, QUICKLIST, QUICKLIST-PACKED-THRESHOLD,
 * STRINGMATCH-TEST, PAUSE-CRON, REPLYBUFFER, HELP). Other modules add theirs to `server.debugSubcommands` (RELOAD,
 * DIGEST, DIGEST-VALUE from persistence, CHANGE-REPL-ID from replication).
 */
import type { Client } from '../net/client.js';
import type { RedisValue } from '../store/values.js';
import { StringValue } from '../store/values.js';
import { ListValue } from '../store/list.js';
import { idleSeconds } from '../store/keyspace.js';
import { globMatch } from '../store/glob.js';
import { parseMemory } from '../config/config.js';
import { RdbWriter, setPackedThreshold } from '../persistence/rdb-writer.js';
import { toWriteValue } from '../persistence/values.js';
import { refcount as objectRefcount } from './keyspace.js';
import { replyHelp } from './connection.js';
import { parseInt64 } from './util.js';
import { replyBufferTuning } from '../net/client.js';

/** Blocks the event loop, as Redis's DEBUG SLEEP blocks the server. */
export function sleepSync(ms: number): void {
  if (!(ms > 0)) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1], 10) | 0 : 0;
}

/** C's strtod on the longest numeric prefix (0 when there is none). */
function strtod(s: string): number {
  const v = Number.parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}

function syntaxError(c: Client, argv: string[]): void {
  c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try DEBUG HELP.`);
}

function debugAllowed(c: Client): boolean {
  const mode = c.server.config.str('enable-debug-command');
  if (mode === 'yes') return true;
  if (mode === 'local' && (c.unixSocket || c.addr.startsWith('127.') || c.addr.startsWith('::1'))) return true;
  c.error(
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  );
  return false;
}

// ---------------------------------------------------------------- OBJECT

/** Stable fake addresses for "Value at:": one per value object, like a pointer would be. */
const addresses = new WeakMap<RedisValue, string>();
let nextAddress = 0x7f0000100000;

function addressOf(v: RedisValue): string {
  let a = addresses.get(v);
  if (a === undefined) {
    a = '0x' + nextAddress.toString(16);
    nextAddress += 16;
    addresses.set(v, a);
  }
  return a;
}

/** Reads an RDB length at `p`: [value, next position, special-encoding type or -1]. */
function rdbLen(b: Buffer, p: number): [number, number, number] {
  const t = b[p] >> 6;
  if (t === 0) return [b[p] & 0x3f, p + 1, -1];
  if (t === 1) return [((b[p] & 0x3f) << 8) | b[p + 1], p + 2, -1];
  if (t === 3) return [0, p + 1, b[p] & 0x3f];
  if (b[p] === 0x80) return [b.readUInt32BE(p + 1), p + 5, -1];
  return [Number(b.readBigUInt64BE(p + 1)), p + 9, -1];
}

/** An RDB string at `p`: [its uncompressed length, next position]. */
function rdbStringLen(b: Buffer, p: number): [number, number] {
  const [n, q, special] = rdbLen(b, p);
  if (special < 0) return [n, q + n];
  if (special === 3) {
    const [clen, q2] = rdbLen(b, q);
    const [ulen, q3] = rdbLen(b, q2);
    return [ulen, q3 + clen];
  }
  // An integer-encoded string: 1, 2 or 4 bytes; its text is what the node holds.
  const bytes = special === 0 ? 1 : special === 1 ? 2 : 4;
  const v = special === 0 ? b.readInt8(q) : special === 1 ? b.readInt16LE(q) : b.readInt32LE(q);
  return [String(v).length, q + bytes];
}

/** The quicklist figures of a list's serialized form: node count and uncompressed bytes. */
function quicklistShape(payload: Buffer): { nodes: number; bytes: number } {
  let [nodes, p] = rdbLen(payload, 1);
  let bytes = 0;
  for (let i = 0; i < nodes; i++) {
    [, p] = rdbLen(payload, p); // container: plain or packed
    let n: number;
    [n, p] = rdbStringLen(payload, p);
    bytes += n;
  }
  return { nodes, bytes };
}

function debugObject(c: Client, argv: string[]): void {
  // Like Redis, no expiry check and no statistics: the raw dictionary entry.
  const v = c.db.dict.get(argv[2]);
  if (v === undefined) {
    c.error('ERR no such key');
    return;
  }
  const cfg = c.server.config;
  const payload = RdbWriter.dumpPayload(toWriteValue(v), {
    compression: cfg.bool('rdbcompression'),
    limits: {
      hashMaxListpackEntries: cfg.num('hash-max-listpack-entries'),
      hashMaxListpackValue: cfg.num('hash-max-listpack-value'),
      zsetMaxListpackEntries: cfg.num('zset-max-listpack-entries'),
      zsetMaxListpackValue: cfg.num('zset-max-listpack-value'),
      setMaxIntsetEntries: cfg.num('set-max-intset-entries'),
      listMaxListpackSize: cfg.num('list-max-listpack-size'),
    },
  });
  // The value alone: no type byte, RDB version (2 bytes) nor checksum (8 bytes).
  const serialized = payload.length - 11;
  let extra = '';
  if (v instanceof ListValue && v.length > 0) {
    const q = quicklistShape(payload);
    const avg = v.length / q.nodes;
    const compressed = cfg.num('list-compress-depth') !== 0 ? 1 : 0;
    extra = ` ql_nodes:${q.nodes} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${cfg.num('list-max-listpack-size')} ql_compressed:${compressed} ql_uncompressed_size:${q.bytes}`;
  }
  c.w.simple(
    `Value at:${addressOf(v)} refcount:${objectRefcount(c, v)} encoding:${v.encoding()} serializedlength:${serialized} lru:${v.lru} lru_seconds_idle:${idleSeconds(v.lru)}${extra}`,
  );
}

// ---------------------------------------------------------------- PROTOCOL

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';

function debugProtocol(c: Client, argv: string[]): void {
  const w = c.w;
  const resp3 = c.resp === 3;
  switch (argv[2].toLowerCase()) {
    case 'string':
      w.bulk('Hello World');
      return;
    case 'integer':
      w.int(12345);
      return;
    case 'double':
      w.double(3.141);
      return;
    case 'bignum': {
      const n = '1234567999999999999999999999999999999';
      if (resp3) w.raw(`(${n}\r\n`);
      else w.bulk(n);
      return;
    }
    case 'null':
      w.nil();
      return;
    case 'array':
    case 'set':
      if (argv[2].toLowerCase() === 'array') w.array(3);
      else w.set(3);
      for (let i = 0; i < 3; i++) w.int(i);
      return;
    case 'map':
      w.map(3);
      for (let i = 0; i < 3; i++) {
        w.int(i);
        w.bool(i === 1);
      }
      return;
    case 'attrib':
      // Attributes exist in RESP3 only; the real reply follows them.
      if (resp3) {
        w.raw('|1\r\n');
        w.bulk('key-popularity');
        w.array(2);
        w.bulk('key:123');
        w.int(90);
      }
      w.bulk('Some real reply following the attribute');
      return;
    case 'push':
      if (!resp3) {
        c.error('ERR RESP2 is not supported by this command');
        return;
      }
      w.push(2);
      w.bulk('server-cpu-usage');
      w.int(42);
      w.bulk('Some real reply following the push reply');
      return;
    case 'true':
      w.bool(true);
      return;
    case 'false':
      w.bool(false);
      return;
    case 'verbatim':
      w.verbatim('This is a verbatim\nstring');
      return;
    default:
      c.error(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

// ---------------------------------------------------------------- POPULATE

/** Redis's getPositiveLongFromObjectOrReply: one error for anything but an integer >= 0. */
function positiveLong(c: Client, s: string): number | null {
  const n = parseInt64(s);
  if (n === null || n < 0) {
    c.error('ERR value is out of range, must be positive');
    return null;
  }
  return n;
}

function debugPopulate(c: Client, argv: string[]): void {
  const count = positiveLong(c, argv[2]);
  if (count === null) return;
  let size = 0;
  if (argv.length === 5) {
    const n = positiveLong(c, argv[4]);
    if (n === null) return;
    size = n;
  }
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const db = c.db;
  const ks = c.server.keyspace;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    // Existing keys are left alone (an expired one is gone first, as lookupKeyWrite does).
    const old = db.peek(key);
    if (old !== undefined) {
      ks.touch(old);
      continue;
    }
    let value = `value:${j}`;
    // With a size, the value is that many bytes: the text, cut or padded with zero bytes.
    if (size > 0) value = value.length >= size ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.add(key, new StringValue(value));
  }
  c.w.ok();
}

// ---------------------------------------------------------------- encodings

/** Redis's objectCommandLookupOrReply: a read lookup without touching, "no such key" if missing. */
function lookupOrNoKey(c: Client, key: string): RedisValue | undefined {
  const v = c.db.peek(key);
  if (v === undefined) {
    c.server.keyspace.misses++;
    c.error('ERR no such key');
  } else c.server.keyspace.hits++;
  return v;
}

function debugListpack(c: Client, argv: string[]): void {
  const v = lookupOrNoKey(c, argv[2]);
  if (v === undefined) return;
  if (v.encoding() !== 'listpack') {
    c.error('ERR Not a listpack encoded object.');
    return;
  }
  const payload = RdbWriter.dumpPayload(toWriteValue(v), { compression: false });
  process.stdout.write(`{listpack of key '${argv[2]}': encoding listpack, serialized form ${payload.length - 11} bytes}\n`);
  c.w.simple('Listpack structure printed on stdout');
}

function debugQuicklist(c: Client, argv: string[]): void {
  const v = lookupOrNoKey(c, argv[2]);
  if (v === undefined) return;
  if (v.encoding() !== 'quicklist') {
    c.error('ERR Not a quicklist encoded object.');
    return;
  }
  const shape = quicklistShape(RdbWriter.dumpPayload(toWriteValue(v), { compression: false }));
  process.stdout.write(`{quicklist of key '${argv[2]}': count ${(v as ListValue).length}, nodes ${shape.nodes}, uncompressed bytes ${shape.bytes}}\n`);
  c.w.simple('Quicklist structure printed on stdout');
}

function debugPackedThreshold(c: Client, argv: string[]): void {
  const n = parseMemory(argv[2]);
  if (n === null || !setPackedThreshold(n)) {
    c.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    return;
  }
  c.w.ok();
}

/** Throws random patterns and strings at the glob matcher: it must neither throw nor hang. */
function debugStringmatchTest(c: Client): void {
  const alphabet = 'ab*?[]^-\\\\xyz';
  const rnd = (n: number) => {
    let s = '';
    const len = Math.floor(Math.random() * n);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
    return s;
  };
  for (let i = 0; i < 100000; i++) globMatch(rnd(32), rnd(32));
  c.w.simple('Apparently Redis did not crash: test passed');
}

// ---------------------------------------------------------------- dispatch

interface Sub {
  /** Accepted argument counts (argv length, including DEBUG and the subcommand). */
  argc: (n: number) => boolean;
  handler: (c: Client, argv: string[]) => void;
}

const SUBS: Record<string, Sub> = {
  object: { argc: (n) => n === 3, handler: debugObject },
  protocol: { argc: (n) => n === 3, handler: debugProtocol },
  populate: { argc: (n) => n >= 3 && n <= 5, handler: debugPopulate },
  listpack: { argc: (n) => n === 3, handler: debugListpack },
  quicklist: { argc: (n) => n === 3 || n === 4, handler: debugQuicklist },
  'quicklist-packed-threshold': { argc: (n) => n === 3, handler: debugPackedThreshold },
  'stringmatch-test': { argc: (n) => n === 2, handler: debugStringmatchTest },
  sleep: {
    argc: (n) => n === 3,
    handler: (c, argv) => {
      // Whole microseconds, as Redis converts the seconds before sleeping.
      sleepSync(Math.trunc(strtod(argv[2]) * 1e6) / 1000);
      c.w.ok();
    },
  },
  'set-active-expire': {
    argc: (n) => n === 3,
    handler: (c, argv) => {
      c.server.activeExpireEnabled = atoi(argv[2]) !== 0;
      c.w.ok();
    },
  },
  'pause-cron': {
    argc: (n) => n === 3,
    handler: (c, argv) => {
      c.server.cronPaused = atoi(argv[2]) !== 0;
      c.w.ok();
    },
  },
  replybuffer: {
    argc: (n) => n === 4,
    handler: (c, argv) => {
      const what = argv[2].toLowerCase();
      if (what === 'peak-reset-time') {
        const v = argv[3].toLowerCase();
        if (v === 'never') replyBufferTuning.peakResetMs = -1;
        else if (v === 'reset') replyBufferTuning.peakResetMs = 5000;
        else {
          const n = parseInt64(argv[3]);
          if (n === null) {
            c.error('ERR value is not an integer or out of range');
            return;
          }
          replyBufferTuning.peakResetMs = n;
        }
      } else if (what === 'resizing') {
        replyBufferTuning.resizing = atoi(argv[3]) !== 0;
      } else {
        syntaxError(c, argv);
        return;
      }
      c.w.ok();
    },
  },
  log: {
    argc: (n) => n === 3,
    handler: (c, argv) => {
      c.server.log.warning(`DEBUG LOG: ${argv[2]}`);
      c.w.ok();
    },
  },
  error: {
    argc: (n) => n === 3,
    // The argument is the whole error line (no "ERR " added), newlines made spaces.
    handler: (c, argv) => c.w.raw(`-${argv[2].replace(/[\r\n]/g, ' ')}\r\n`),
  },
};

/** Argument counts Redis accepts for the subcommands other modules register. */
const EXT_ARGC: Record<string, (n: number) => boolean> = {
  digest: (n) => n === 2,
  'digest-value': (n) => n >= 2,
  'change-repl-id': (n) => n === 2,
  'set-skip-checksum-validation': (n) => n === 3,
};

const HELP = [
  'CHANGE-REPL-ID',
  '    Give the instance new replication IDs (for testing replication only).',
  'DIGEST',
  '    Output a hex signature of the whole dataset.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of the given keys.',
  'ERROR <string>',
  '    Reply with an error whose text is <string>.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level information about <key> and its value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named <prefix>:<num> (prefix "key" by default) with',
  '    values "value:<num>", cut or padded with zero bytes to <size> when given.',
  '    Existing keys are left alone; nothing is propagated to replicas.',
  'PROTOCOL <type>',
  '    Reply with a sample value of <type>: string, integer, double, bignum, null,',
  '    array, set, map, attrib, push, verbatim, true or false.',
  'RELOAD [MERGE] [NOFLUSH] [NOSAVE]',
  '    Save the dataset to the RDB file, empty it and load the file back. NOSAVE skips',
  '    the save, NOFLUSH keeps the current keys (a key also in the file is then an',
  '    error unless MERGE is given, in which case the file\'s value wins).',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Skip (1) or do again (0) the checksum checks of RDB files and RESTORE payloads.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Turn the background expiry of keys off (0) or back on (1).',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Elements of at least <size> bytes get a quicklist node of their own (0 restores',
  '    the 1GB default; up to 4GB).',
  'SLEEP <seconds>',
  '    Stop the server for <seconds> (decimals allowed).',
  'STRINGMATCH-TEST',
  '    Run random patterns and strings through the glob matcher.',
  'LISTPACK <key>',
  '    Print information about the listpack encoding of <key> on standard output.',
  'QUICKLIST <key> [<0|1>]',
  '    Print information about the quicklist encoding of <key> on standard output.',
  'PAUSE-CRON <0|1>',
  '    Stop (1) or resume (0) the periodic tasks (expiry, client timeouts, statistics).',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|<milliseconds>>',
  '    How often the peak use of a client\'s reply buffer is forgotten (default 5000).',
  'REPLYBUFFER RESIZING <0|1>',
  '    Turn the periodic resizing of client reply buffers off (0) or on (1).',
];

export function debugCommand(c: Client, argv: string[]): void {
  if (!debugAllowed(c)) return;
  const sub = argv[1].toLowerCase();
  if (sub === 'help' && argv.length === 2) {
    replyHelp(c, 'DEBUG', HELP);
    return;
  }
  const own = SUBS[sub];
  if (own !== undefined && Object.prototype.hasOwnProperty.call(SUBS, sub)) {
    if (!own.argc(argv.length)) syntaxError(c, argv);
    else own.handler(c, argv);
    return;
  }
  const ext = c.server.debugSubcommands.get(sub);
  if (ext) {
    const argc = EXT_ARGC[sub];
    if (argc !== undefined && !argc(argv.length)) syntaxError(c, argv);
    else ext.handler(c, argv);
    return;
  }
  syntaxError(c, argv);
}
