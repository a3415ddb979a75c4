/**
 * The byte format of messages between the server thread and the Lua thread: a tag byte, then
 * fields as u32 lengths + bytes. Replies travel as RESP (they already are, on the command side).
 */

export const enum Tag {
  Run = 1,
  Compile = 2,
  Heap = 3,
  Call = 4,
  Log = 5,
  SetResp = 6,
  Done = 7,
  Reply = 8,
}

export class WireWriter {
  private buf = Buffer.allocUnsafe(4096);
  private n = 0;

  reset(tag: Tag): this {
    this.n = 0;
    this.u8(tag);
    return this;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.n++] = v;
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.buf.writeInt32LE(v, this.n);
    this.n += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.i32(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }

  list(items: readonly Uint8Array[]): this {
    this.i32(items.length);
    for (const b of items) this.bytes(b);
    return this;
  }

  get length(): number {
    return this.n;
  }

  view(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}

export class WireReader {
  private p = 1;
  constructor(readonly buf: Buffer) {}

  get tag(): Tag {
    return this.buf[0];
  }

  u8(): number {
    return this.buf[this.p++];
  }

  i32(): number {
    const v = this.buf.readInt32LE(this.p);
    this.p += 4;
    return v;
  }

  bytes(): Buffer {
    const n = this.i32();
    const b = this.buf.subarray(this.p, this.p + n);
    this.p += n;
    return b;
  }

  list(): Buffer[] {
    const n = this.i32();
    const out = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) out[i] = this.bytes();
    return out;
  }
}

/**
 * The shared channel: a control word (whose turn it is) and a growable byte area holding the
 * one message in flight. Only the side whose turn it is touches the bytes.
 */
export const enum Turn {
  /** Nothing in flight; the server may send a request. */
  Idle = 0,
  /** A request (Run/Compile/Heap) waits for the Lua thread. */
  Request = 1,
  /** The Lua thread waits for the server to answer a Call/Log/SetResp. */
  Host = 2,
  /** The server answered; the Lua thread reads the Reply. */
  Answer = 3,
  /** The Lua thread finished; the server reads Done. */
  Done = 4,
}

/** Control slots. */
export const TURN = 0;
export const LENGTH = 1;
/** 1 once the Lua thread's VM is built and it waits for requests. */
export const READY = 2;

/** A growable SharedArrayBuffer (ES2024; Node 20 has it, this TypeScript lib does not describe it). */
export type GrowableShared = SharedArrayBuffer & { grow(n: number): void; readonly maxByteLength: number };
const Growable = SharedArrayBuffer as unknown as new (n: number, opts: { maxByteLength: number }) => GrowableShared;

export interface Channel {
  control: SharedArrayBuffer;
  data: GrowableShared;
}

export function newChannel(): Channel {
  return { control: new SharedArrayBuffer(16), data: new Growable(1 << 16, { maxByteLength: 1 << 30 }) };
}

/** Puts a message in the byte area (growing it if needed) and hands the turn over. */
export function send(ctl: Int32Array, data: GrowableShared, msg: Buffer, turn: Turn): void {
  if (msg.length > data.byteLength) data.grow(Math.min(data.maxByteLength, Math.max(msg.length, data.byteLength * 2)));
  new Uint8Array(data).set(msg, 0);
  Atomics.store(ctl, LENGTH, msg.length);
  Atomics.store(ctl, TURN, turn);
  Atomics.notify(ctl, TURN);
}

/** Copies the message in flight out of the byte area. */
export function receive(ctl: Int32Array, data: SharedArrayBuffer): WireReader {
  const n = Atomics.load(ctl, LENGTH);
  return new WireReader(Buffer.from(new Uint8Array(data, 0, n)));
}

/**
 * Waits until the turn is no longer `current`, up to `ms` (Infinity: no limit). Spins briefly
 * first: a script's round trips are a few microseconds apart and sleeping costs more.
 */
export function awaitTurnChange(ctl: Int32Array, current: Turn, ms: number): Turn {
  for (let i = 0; i < 2000; i++) {
    const t = Atomics.load(ctl, TURN);
    if (t !== current) return t;
  }
  Atomics.wait(ctl, TURN, current, ms);
  return Atomics.load(ctl, TURN);
}
