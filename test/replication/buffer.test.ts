/** The shared replication buffer: 7.0's block sizes, omem/oll accounting, trimming, PSYNC attach. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplBuffer, allocationSize, type BufferReader, type Block } from '../../src/replication/buffer.js';

function reader(feedable = true): BufferReader & { newBlocks: number } {
  return {
    refBlock: null as Block | null,
    refPos: 0,
    newBlocks: 0,
    canFeed: () => feedable,
    onNewBlock() {
      this.newBlocks++;
    },
  };
}

const MB = 1024 * 1024;

test('jemalloc size classes: a 16 KB block holds 20440 bytes, a 64 KB one 81880', () => {
  assert.equal(allocationSize(16384 + 40), 20480);
  assert.equal(allocationSize(65536 + 40), 81920);
  assert.equal(allocationSize(20480), 20480);
  assert.equal(allocationSize(20481), 24576);
});

test('omem grows by 20504 per block with small writes; 1mb is reached at 52 blocks like Redis', () => {
  const readers = new Set<BufferReader>();
  const b = new ReplBuffer(0, () => MB, readers);
  const r = reader();
  readers.add(r);
  const cmd = ['SET', 'key', 'x'.repeat(100)];
  b.feedCommand(cmd);
  assert.equal(b.memoryOf(r), 20504);
  assert.equal(b.blocksOf(r), 1);
  let n = 0;
  while (b.memoryOf(r) < MB) {
    b.feedCommand(cmd);
    n++;
  }
  assert.equal(b.blocksOf(r), 52);
  assert.equal(b.memoryOf(r), 52 * 20504);
  assert.equal(b.memoryOf(r), 1066208);
  assert.equal(r.newBlocks, 52); // every new block, the first one included, triggers the limit check
  assert.ok(n > 0);
});

test("the offset index Redis adds to mem_replication_backlog: one entry per 64 blocks created, dropped with its block", () => {
  const readers = new Set<BufferReader>();
  let size = 64 * MB;
  const b = new ReplBuffer(0, () => size, readers);
  const cmd = ['SET', 'key', 'x'.repeat(1000)];
  const feedBlocks = (n: number) => {
    while (b.blocks.length < n) b.feedCommand(cmd);
  };
  b.feedCommand(cmd);
  assert.equal(b.indexMemory(), 4); // an empty rax: its head node (what makes Redis show 20508 for one block)
  feedBlocks(63);
  assert.equal(b.indexMemory(), 4);
  feedBlocks(64);
  assert.equal(b.indexMemory(), 2 * 4 + 8); // one entry: two nodes and the entry's pointer
  feedBlocks(128);
  assert.equal(b.indexMemory(), (2 * 2 + 4) * 4 + 2 * 8);
  // Trimming the first 64 blocks removes the 64th, the one indexed first.
  size = 0;
  b.trim(64);
  assert.equal(b.blocks.length, 64);
  assert.equal(b.indexMemory(), 2 * 4 + 8);
});

test('a reader waiting for its snapshot to start retains nothing', () => {
  const readers = new Set<BufferReader>();
  const b = new ReplBuffer(0, () => MB, readers);
  const waiting = reader(false);
  readers.add(waiting);
  for (let i = 0; i < 1000; i++) b.feedCommand(['SET', 'k', 'v'.repeat(50)]);
  assert.equal(b.memoryOf(waiting), 0);
  assert.equal(b.blocksOf(waiting), 0);
});

test('offsets, peek/advance and trimming: the backlog keeps about repl-backlog-size, a lagging reader pins more', () => {
  const readers = new Set<BufferReader>();
  const size = 64 * 1024;
  const b = new ReplBuffer(100, () => size, readers);
  const slow = reader();
  readers.add(slow);
  const payload = Buffer.alloc(1000, 97);
  for (let i = 0; i < 500; i++) b.feed(payload);
  assert.equal(b.offset, 100 + 500 * 1000);
  // The slow reader has sent nothing: every byte is still there.
  assert.equal(b.firstByteOffset, 101);
  assert.equal(b.pendingOf(slow), 500 * 1000);
  // Drain it: the head blocks become trimmable.
  let sent = 0;
  for (let chunk = b.peek(slow); chunk !== null; chunk = b.peek(slow)) {
    sent += chunk.length;
    b.advance(slow, chunk.length);
  }
  assert.equal(sent, 500 * 1000);
  b.feed(payload); // a new block triggers trimming
  assert.ok(b.histlen <= size + 20440 + 1000, `histlen ${b.histlen}`);
  assert.ok(b.histlen >= size, `histlen ${b.histlen}`);
  assert.equal(b.firstByteOffset, b.offset - b.histlen + 1);
});

test('attachAt serves a PSYNC from any offset the backlog still holds', () => {
  const readers = new Set<BufferReader>();
  const b = new ReplBuffer(0, () => MB, readers);
  const stream = Buffer.from('0123456789'.repeat(5000));
  b.feed(stream);
  const r = reader();
  readers.add(r);
  assert.equal(b.attachAt(r, 0), false); // offsets start at 1
  assert.equal(b.attachAt(r, b.offset + 2), false);
  assert.equal(b.attachAt(r, 30001), true);
  const parts: Buffer[] = [];
  for (let chunk = b.peek(r); chunk !== null; chunk = b.peek(r)) {
    parts.push(Buffer.from(chunk));
    b.advance(r, chunk.length);
  }
  assert.deepEqual(Buffer.concat(parts), stream.subarray(30000));
  // Caught up: the next write is delivered from the start of it.
  assert.equal(b.attachAt(r, b.offset + 1), true);
  b.feed(Buffer.from('tail'));
  assert.equal(b.peek(r)!.toString(), 'tail');
});
