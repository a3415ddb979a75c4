/**
 * Records the keyspace-notification stream one server publishes: a subscriber on
 * `__key*__:*` (plus a marker channel used to know that everything before it has arrived).
 */
import { RespClient, type Reply } from '../helpers/resp.js';

const MARKER = 'notify-test-marker';
/** Markers are unique across recorders: every subscriber of a server sees every marker. */
let markers = 0;

export class Recorder {
  private taken = 0;

  private constructor(
    readonly sub: RespClient,
    readonly resp3: boolean,
  ) {}

  /** Connects a subscriber (RESP3 when asked: messages then arrive as push frames). */
  static async open(port: number, resp3 = false): Promise<Recorder> {
    const sub = await RespClient.connect(port);
    if (resp3) await sub.call('HELLO', '3');
    const r = new Recorder(sub, resp3);
    // In RESP3 the confirmations are pushes too, so do not wait for replies: wait for them.
    sub.socket.write(`*3\r\n$10\r\nPSUBSCRIBE\r\n$10\r\n__key*__:*\r\n$${MARKER.length}\r\n${MARKER}\r\n`);
    await r.waitFor(() => r.frames().length >= 2, 'psubscribe confirmations');
    r.taken = 2;
    return r;
  }

  private frames(): Reply[] {
    return this.resp3 ? this.sub.pushes : this.sub.unclaimed;
  }

  private async waitFor(cond: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Everything published since the last call, up to a marker that `publisher` (a plain
   * connection to the same server, or to its master) publishes now: each message as
   * "channel message" (RESP2) or with the frame kind prefixed (RESP3, to check the push type).
   */
  async drain(publisher: RespClient): Promise<string[]> {
    const tag = `m${++markers}`;
    await publisher.call('PUBLISH', MARKER, tag);
    const isMarker = (f: Reply) => f.t !== 'nil' && 'v' in f && Array.isArray(f.v) && f.v.length === 4 && (f.v[3] as { v: string }).v === tag;
    await this.waitFor(() => this.frames().slice(this.taken).some(isMarker), `marker ${tag}`);
    const all = this.frames();
    const out: string[] = [];
    let i = this.taken;
    for (; i < all.length; i++) {
      const f = all[i];
      if (isMarker(f)) break;
      // Other recorders' markers are not notifications.
      if (!isAnyMarker(f)) out.push(describe(f));
    }
    this.taken = i + 1;
    return out;
  }

  /** Waits until at least `n` keyspace messages are pending, then returns them (no marker). */
  async take(n: number, timeoutMs = 10000): Promise<string[]> {
    await this.waitFor(() => this.frames().length - this.taken >= n, `${n} notifications`, timeoutMs);
    const out = this.frames().slice(this.taken).map(describe);
    this.taken = this.frames().length;
    return out;
  }

  close(): void {
    this.sub.close();
  }
}

function isAnyMarker(f: Reply): boolean {
  return (f.t === 'array' || f.t === 'push') && f.v.length === 4 && (f.v[1] as { v: string }).v === MARKER;
}

/** "kind pattern channel message" of one pmessage frame. */
function describe(f: Reply): string {
  if (f.t !== 'array' && f.t !== 'push') return `unexpected ${JSON.stringify(f)}`;
  const parts = f.v.map((x) => (x.t === 'bulk' || x.t === 'simple' ? x.v : JSON.stringify(x)));
  return `${f.t}:${parts.join(' ')}`;
}
