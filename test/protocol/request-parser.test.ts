import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, ProtocolError, splitArgs } from '../../src/protocol/request-parser.js';

function parser(maxBulkLen = 512 * 1024 * 1024, authRequired = false): RequestParser {
  return new RequestParser({ maxBulkLen, authRequired });
}

function encode(args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

/** Feeds `input` in the given pieces and collects every command. */
function parseAll(p: RequestParser, pieces: Buffer[]): string[][] {
  const out: string[][] = [];
  for (const piece of pieces) {
    p.feed(piece);
    for (;;) {
      const cmd = p.next();
      if (cmd === null) break;
      if (cmd.length > 0) out.push(cmd);
    }
  }
  return out;
}

const commands = [
  ['SET', 'key', 'value'],
  ['GET', 'key'],
  ['MSET', 'a', '', 'b', '\x00\xff\r\n'],
  ['PING'],
  ['ECHO', 'x'.repeat(40000)],
  ['SET', 'k', 'y'.repeat(70000)],
];
const stream = Buffer.concat(commands.map(encode));

test('parses a pipeline fed in one chunk', () => {
  assert.deepEqual(parseAll(parser(), [stream]), commands);
});

test('parses a pipeline split at every byte boundary (small args), and in three pieces', () => {
  const small = Buffer.concat(commands.slice(0, 4).map(encode));
  for (let a = 1; a < small.length; a++) {
    for (let b = a; b < small.length; b++) {
      const got = parseAll(parser(), [small.subarray(0, a), small.subarray(a, b), small.subarray(b)]);
      assert.deepEqual(got, commands.slice(0, 4), `split at ${a}/${b}`);
    }
  }
});

test('parses the pipeline with big arguments split at many boundaries', () => {
  for (let cut = 1; cut < stream.length; cut += cut < 300 ? 1 : 211) {
    const got = parseAll(parser(), [stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(got, commands, `split at ${cut}`);
  }
});

test('parses the pipeline fed one byte at a time', () => {
  const small = Buffer.concat(commands.slice(0, 4).map(encode));
  const pieces: Buffer[] = [];
  for (let i = 0; i < small.length; i++) pieces.push(small.subarray(i, i + 1));
  assert.deepEqual(parseAll(parser(), pieces), commands.slice(0, 4));
});

test('a large bulk arriving in many chunks is assembled once and is binary-safe', () => {
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  const msg = Buffer.concat([Buffer.from(`*2\r\n$3\r\nSET\r\n$${big.length}\r\n`), big, Buffer.from('\r\n')]);
  const pieces: Buffer[] = [];
  for (let i = 0; i < msg.length; i += 65536) pieces.push(msg.subarray(i, i + 65536));
  const p = parser();
  const got = parseAll(p, pieces);
  assert.equal(got.length, 1);
  assert.equal(got[0][1].length, big.length);
  assert.ok(Buffer.from(got[0][1], 'latin1').equals(big));
  assert.equal(p.pending(), 0);
});

test('inline commands with quotes and escapes', () => {
  const p = parser();
  const got = parseAll(p, [Buffer.from('set a "b c\\x41\\n"\r\nget \'it\\\'s\'\nPING\r\n\r\n')]);
  assert.deepEqual(got, [['set', 'a', 'b cA\n'], ['get', "it's"], ['PING']]);
});

test('pending() counts unconsumed bytes (qbuf)', () => {
  const p = parser();
  p.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nab'));
  assert.equal(p.next(), null);
  assert.ok(p.pending() > 0);
  p.feed(Buffer.from('c\r\n'));
  assert.deepEqual(p.next(), ['GET', 'abc']);
  assert.equal(p.next(), null);
  assert.equal(p.pending(), 0);
});

function expectError(input: string, message: RegExp, opts: { max?: number; auth?: boolean } = {}): void {
  const p = parser(opts.max, opts.auth);
  p.feed(Buffer.from(input, 'latin1'));
  assert.throws(
    () => {
      while (p.next() !== null);
    },
    (e: unknown) => e instanceof ProtocolError && message.test(e.message),
  );
}

test('malformed input raises Redis protocol errors', () => {
  expectError('*abc\r\n', /^Protocol error: invalid multibulk length$/);
  expectError('*3000000000\r\n', /^Protocol error: invalid multibulk length$/);
  expectError('*1\r\n+foo\r\n', /^Protocol error: expected '\$', got '\+'$/);
  expectError('*1\r\n$-5\r\n', /^Protocol error: invalid bulk length$/);
  expectError('*1\r\n$abc\r\n', /^Protocol error: invalid bulk length$/);
  expectError('*1\r\n$2000000\r\n', /^Protocol error: invalid bulk length$/, { max: 1024 * 1024 });
  expectError('set "unbalanced\r\n', /^Protocol error: unbalanced quotes in request$/);
  expectError('set "a"b\r\n', /^Protocol error: unbalanced quotes in request$/);
  expectError('x'.repeat(70 * 1024), /^Protocol error: too big inline request$/);
  expectError('*' + '1'.repeat(70 * 1024), /^Protocol error: too big mbulk count string$/);
  expectError('*1\r\n$' + '1'.repeat(70 * 1024), /^Protocol error: too big bulk count string$/);
  expectError('*20\r\n', /^Protocol error: unauthenticated multibulk length$/, { auth: true });
  expectError('*1\r\n$20000\r\n', /^Protocol error: unauthenticated bulk length$/, { auth: true });
});

test('empty and negative multibulk counts are skipped like Redis', () => {
  assert.deepEqual(parseAll(parser(), [Buffer.from('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n')]), [['PING']]);
});

test('splitArgs follows redis.conf quoting', () => {
  assert.deepEqual(splitArgs('save 900 1'), ['save', '900', '1']);
  assert.deepEqual(splitArgs('save ""'), ['save', '']);
  assert.deepEqual(splitArgs("  a  'b c'  \"d\\te\" "), ['a', 'b c', 'd\te']);
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
});

test('detach() copies leftovers out of a reused read buffer (small and big arguments)', () => {
  const shared = Buffer.allocUnsafeSlow(64 * 1024);
  const big = 'B'.repeat(100 * 1024);
  const input = Buffer.concat([encode(['SET', 'k', 'v1']), encode(['SET', 'big', big]), encode(['GET', 'k'])]);
  for (const step of [7, 1000, 40000, 65536]) {
    const p = parser();
    const got: string[][] = [];
    for (let off = 0; off < input.length; off += step) {
      const n = Math.min(step, input.length - off, shared.length);
      input.copy(shared, 0, off, off + n);
      p.feed(shared.subarray(0, n));
      for (let cmd = p.next(); cmd !== null; cmd = p.next()) got.push(cmd);
      p.detach(shared.buffer);
      shared.fill(0x58); // the next read overwrites the buffer
    }
    assert.deepEqual(got, [['SET', 'k', 'v1'], ['SET', 'big', big], ['GET', 'k']], `step ${step}`);
  }
});
