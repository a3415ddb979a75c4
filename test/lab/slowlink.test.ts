/**
 * reddish slowlink: delay on a PING round trip, throughput capped near window / RTT, the rate
 * cap, bounded buffering with a stalled receiver, pause / resume / cut / restore, and the CLI's
 * control interface. Only 127.0.0.1, small delays and windows, everything cleaned up.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SlowLink } from '../../src/lab/slowlink.js';
import { spawnServer, hasRedisServer, freePort, ROOT, type SpawnedServer } from '../../src/lab/processes.js';

const CLI = join(ROOT, 'dist', 'src', 'bin', 'reddish.js');
const KB = 1024;
/** What one socket read can add above the window (Node reads up to 64 KB at a time). */
const READ_SLACK = 64 * KB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server answering +PONG to every line (enough of Redis for latency tests). */
async function pongServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const socks = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    socks.add(c);
    c.on('close', () => socks.delete(c));
    c.on('error', () => undefined);
    let acc = '';
    c.on('data', (d) => {
      acc += d.toString('latin1');
      let i: number;
      while ((i = acc.indexOf('\n')) >= 0) {
        acc = acc.slice(i + 1);
        c.write('+PONG\r\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  };
}

/**
 * A server that, per connection, either sinks what it receives (recording when bytes arrive)
 * or, if the client's first line is "SEND <n>", sends n bytes of a pattern.
 */
async function bulkServer() {
  const socks = new Set<net.Socket>();
  const received: { total: number; marks: { at: number; total: number }[]; hash: ReturnType<typeof createHash>; sock: net.Socket }[] = [];
  const srv = net.createServer((c) => {
    socks.add(c);
    c.on('close', () => socks.delete(c));
    c.on('error', () => undefined);
    const rec = { total: 0, marks: [] as { at: number; total: number }[], hash: createHash('sha1'), sock: c };
    received.push(rec);
    let first = true;
    c.on('data', (d) => {
      if (first) {
        first = false;
        const m = /^SEND (\d+)\n/.exec(d.toString('latin1'));
        if (m) {
          c.end(pattern(Number(m[1])));
          return;
        }
      }
      rec.total += d.length;
      rec.hash.update(d);
      rec.marks.push({ at: performance.now(), total: rec.total });
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  };
}

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 255;
  return b;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends PING and resolves with the round-trip time (rejects after timeoutMs). */
function ping(s: net.Socket, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const timer = setTimeout(() => {
      s.off('data', onData);
      reject(new Error('no PONG'));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      if (d.toString().includes('PONG')) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(performance.now() - t0);
      }
    };
    s.on('data', onData);
    s.write('PING\r\n');
  });
}

/** Throughput over the steady part of a transfer: from the first `skip` bytes to the end. */
function steadyRate(marks: { at: number; total: number }[], skip: number): number {
  const from = marks.find((m) => m.total >= skip)!;
  const last = marks[marks.length - 1];
  return ((last.total - from.total) * 1000) / (last.at - from.at);
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('slowlink: latency', () => {
  test('a one-way delay per direction adds to a PING round trip', async () => {
    const pong = await pongServer();
    const link = await new SlowLink({ listenPort: 0, targetPort: pong.port, delayUpMs: 40, delayDownMs: 80 }).start();
    try {
      const s = await connect(link.port);
      const rtts: number[] = [];
      for (let i = 0; i < 5; i++) rtts.push(await ping(s));
      rtts.sort((a, b) => a - b);
      const median = rtts[2];
      assert.ok(median >= 119 && median < 160, `median RTT ${median.toFixed(1)} ms, expected ~120 (${rtts.map((x) => x.toFixed(1))})`);
      // changed while running
      link.set({ delayUpMs: 10, delayDownMs: 10 });
      const r = await ping(s);
      assert.ok(r >= 19 && r < 60, `RTT ${r} after set()`);
      s.destroy();
    } finally {
      await link.close();
      await pong.close();
    }
  });

  test('against redis-server: PING through a 50 ms each-way link', { skip: !hasRedisServer() && 'redis-server not installed' }, async () => {
    const srv: SpawnedServer = await spawnServer('redis');
    const link = await new SlowLink({ listenPort: 0, targetPort: srv.port, delayUpMs: 50, delayDownMs: 50 }).start();
    try {
      const s = await connect(link.port);
      const direct = await connect(srv.port);
      const base = await ping(direct);
      const rtts = [await ping(s), await ping(s), await ping(s)].sort((a, b) => a - b);
      assert.ok(rtts[1] >= 99 && rtts[1] < 100 + base + 40, `RTT ${rtts[1]} (direct ${base})`);
      s.destroy();
      direct.destroy();
    } finally {
      await link.close();
      await srv.stop();
    }
  });
});

describe('slowlink: window and rate', () => {
  let bulk: Awaited<ReturnType<typeof bulkServer>>;
  before(async () => {
    bulk = await bulkServer();
  });
  after(async () => {
    await bulk.close();
  });

  test('upload: a 128 KB window over a 100 ms RTT moves ~1.28 MB/s, bounded in flight, intact', async () => {
    const W = 128 * KB;
    const link = await new SlowLink({ listenPort: 0, targetPort: bulk.port, delayUpMs: 100, windowBytes: W }).start();
    try {
      const data = pattern(1536 * KB);
      const s = await connect(link.port);
      const idx = bulk.received.length;
      await waitFor(() => bulk.received.length > idx, 2000, 'the target to accept');
      const rec = bulk.received[idx];
      let maxSeen = 0;
      const poll = setInterval(() => (maxSeen = Math.max(maxSeen, link.stats().up.inFlight)), 5);
      s.write(data);
      await waitFor(() => rec.total >= data.length, 10000, 'the upload');
      clearInterval(poll);
      const rate = steadyRate(rec.marks, 2 * W);
      const expected = W / 0.1;
      assert.ok(rate > expected * 0.8 && rate < expected * 1.15, `steady rate ${(rate / KB).toFixed(0)} KB/s, expected ~${(expected / KB).toFixed(0)} KB/s`);
      assert.equal(rec.hash.digest('hex'), createHash('sha1').update(data).digest('hex'));
      const st = link.stats();
      assert.ok(st.up.maxInFlight <= W, `max in flight ${st.up.maxInFlight}`);
      assert.ok(st.up.maxQueued <= W + READ_SLACK, `max queued ${st.up.maxQueued}`);
      assert.ok(maxSeen <= W && maxSeen >= W * 0.5, `in flight seen ${maxSeen}`);
      assert.equal(st.up.bytesOut, data.length);
      assert.equal(st.maxThroughput, expected);
      s.destroy();
    } finally {
      await link.close();
    }
  });

  test('download: a 64 KB window over 50+50 ms moves ~640 KB/s (window / RTT, both delays)', async () => {
    const W = 64 * KB;
    const N = 768 * KB;
    const link = await new SlowLink({ listenPort: 0, targetPort: bulk.port, delayUpMs: 50, delayDownMs: 50, windowBytes: W }).start();
    try {
      const s = await connect(link.port);
      const marks: { at: number; total: number }[] = [];
      const hash = createHash('sha1');
      let total = 0;
      const ended = new Promise<void>((r) => s.on('end', r));
      s.on('data', (d: Buffer) => {
        total += d.length;
        hash.update(d);
        marks.push({ at: performance.now(), total });
      });
      s.write('SEND ' + N + '\n');
      await Promise.race([ended, sleep(10000)]);
      assert.equal(total, N);
      assert.equal(hash.digest('hex'), createHash('sha1').update(pattern(N)).digest('hex'));
      const rate = steadyRate(marks, 2 * W);
      const expected = W / 0.1;
      assert.ok(rate > expected * 0.8 && rate < expected * 1.15, `steady rate ${(rate / KB).toFixed(0)} KB/s, expected ~${(expected / KB).toFixed(0)} KB/s`);
      assert.ok(link.stats().down.maxInFlight <= W);
      assert.ok(link.stats().down.maxQueued <= W + READ_SLACK);
      s.destroy();
    } finally {
      await link.close();
    }
  });

  test('a rate cap of 256 KB/s with no delay: 256 KB take ~1 s', async () => {
    const link = await new SlowLink({ listenPort: 0, targetPort: bulk.port, rateBytesPerSec: 256 * KB }).start();
    try {
      const s = await connect(link.port);
      const idx = bulk.received.length;
      await waitFor(() => bulk.received.length > idx, 2000, 'the target to accept');
      const rec = bulk.received[idx];
      const t0 = performance.now();
      s.write(pattern(256 * KB));
      await waitFor(() => rec.total >= 256 * KB, 5000, 'the upload');
      const ms = performance.now() - t0;
      // The cap holds the upload back (never faster than the rate allows; slower only if the machine is).
      assert.ok(ms > 850, `took ${ms.toFixed(0)} ms`);
      s.destroy();
    } finally {
      await link.close();
    }
  });

  test('a receiver that stops reading stops the sender: the link holds at most a window', async () => {
    const W = 128 * KB;
    const link = await new SlowLink({ listenPort: 0, targetPort: bulk.port, delayUpMs: 5, windowBytes: W }).start();
    try {
      const s = await connect(link.port);
      const idx = bulk.received.length;
      await waitFor(() => bulk.received.length > idx, 2000, 'the target to accept');
      const rec = bulk.received[idx];
      rec.sock.pause(); // the target stops reading
      const N = 24 * 1024 * KB;
      const data = pattern(N);
      s.write(data);
      await sleep(600);
      const st = link.stats();
      assert.ok(st.up.inFlight <= W, `in flight ${st.up.inFlight}`);
      assert.ok(st.up.maxInFlight <= W, `max in flight ${st.up.maxInFlight}`);
      assert.ok(st.up.queued <= W + READ_SLACK && st.up.maxQueued <= W + READ_SLACK, `queued ${st.up.queued}, max ${st.up.maxQueued}`);
      assert.ok(st.up.bytesIn < N, `the proxy read everything (${st.up.bytesIn}): no backpressure`);
      assert.ok(s.writableLength > 0, 'the sender should still hold unsent data');
      const heldBefore = st.up.bytesIn;
      await sleep(200);
      assert.ok(link.stats().up.bytesIn - heldBefore <= READ_SLACK, 'the proxy kept reading from a stalled link');
      rec.sock.resume();
      await waitFor(() => rec.total >= N, 20000, 'the rest of the transfer');
      assert.equal(rec.hash.digest('hex'), createHash('sha1').update(data).digest('hex'));
      s.destroy();
    } finally {
      await link.close();
    }
  });
});

describe('slowlink: pause, resume, cut, restore', () => {
  test('pause freezes the link, resume delivers what was held', async () => {
    const pong = await pongServer();
    const link = await new SlowLink({ listenPort: 0, targetPort: pong.port, delayUpMs: 20, delayDownMs: 20 }).start();
    try {
      const s = await connect(link.port);
      await ping(s);
      link.pause();
      assert.equal(link.stats().state, 'paused');
      const pending = ping(s, 3000);
      await sleep(300);
      let done = false;
      void pending.then(() => (done = true));
      await sleep(10);
      assert.equal(done, false, 'a PING got through a paused link');
      const t = performance.now();
      link.resume();
      await pending;
      const after = performance.now() - t;
      assert.ok(after < 120, `PONG came ${after.toFixed(0)} ms after resume`);
      assert.ok((await ping(s)) < 100);
      // new connections are accepted while paused but carry nothing until resume
      link.pause();
      const s2 = await connect(link.port);
      const p2 = ping(s2, 3000);
      await sleep(150);
      link.resume();
      await p2;
      s.destroy();
      s2.destroy();
    } finally {
      await link.close();
      await pong.close();
    }
  });

  test('cut drops every connection and refuses new ones; restore accepts again', async () => {
    const pong = await pongServer();
    const link = await new SlowLink({ listenPort: 0, targetPort: pong.port }).start();
    try {
      const a = await connect(link.port);
      const b = await connect(link.port);
      await ping(a);
      await ping(b);
      assert.equal(link.stats().connections, 2);
      const closed = [a, b].map((s) => new Promise<void>((r) => s.once('close', () => r())));
      a.on('error', () => undefined);
      b.on('error', () => undefined);
      link.cut();
      await Promise.race([Promise.all(closed), sleep(2000).then(() => assert.fail('connections not dropped'))]);
      assert.equal(link.stats().connections, 0);
      assert.equal(link.stats().state, 'cut');
      // a new connection is refused (reset at once)
      const c = await connect(link.port).catch(() => null);
      if (c) {
        c.on('error', () => undefined);
        await Promise.race([new Promise((r) => c.once('close', r)), sleep(2000).then(() => assert.fail('connection not refused'))]);
      }
      assert.ok(link.stats().refused >= 1);
      link.restore();
      const d = await connect(link.port);
      assert.ok((await ping(d)) < 100);
      d.destroy();
    } finally {
      await link.close();
      await pong.close();
    }
  });

  test('an unreachable target closes the client connection', async () => {
    const port = await freePort();
    const link = await new SlowLink({ listenPort: 0, targetPort: port }).start();
    try {
      const s = await connect(link.port);
      s.on('error', () => undefined);
      await Promise.race([new Promise((r) => s.once('close', r)), sleep(2000).then(() => assert.fail('not closed'))]);
      assert.equal(link.stats().refused, 1);
    } finally {
      await link.close();
    }
  });

  test('a client that closes after sending still gets its data delivered', async () => {
    const bulk = await bulkServer();
    const link = await new SlowLink({ listenPort: 0, targetPort: bulk.port, delayUpMs: 50 }).start();
    try {
      const s = await connect(link.port);
      const idx = bulk.received.length;
      s.end(pattern(10000));
      await waitFor(() => bulk.received.length > idx && bulk.received[idx].total === 10000, 3000, 'delivery after close');
      await waitFor(() => link.stats().connections === 0, 3000, 'the connection to be closed');
    } finally {
      await link.close();
      await bulk.close();
    }
  });
});

describe('slowlink CLI', () => {
  function startCli(args: string[]): { proc: ChildProcess; out: () => string; waitFor: (re: RegExp, ms?: number) => Promise<string> } {
    const proc = spawn(process.execPath, [CLI, 'slowlink', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    return {
      proc,
      out: () => out,
      async waitFor(re, ms = 5000) {
        const end = performance.now() + ms;
        for (;;) {
          const m = re.exec(out);
          if (m) return m[0];
          if (performance.now() > end || proc.exitCode !== null) throw new Error(`no ${re} in:\n${out}`);
          await sleep(10);
        }
      },
    };
  }

  function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [CLI, 'slowlink', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const t = setTimeout(() => p.kill('SIGKILL'), 10000);
      p.on('exit', (code) => {
        clearTimeout(t);
        resolve({ code, out });
      });
    });
  }

  test('bad arguments exit 2; a busy listen port exits 1', async () => {
    let r = await runCli(['--target', '127.0.0.1:1']);
    assert.equal(r.code, 2);
    assert.match(r.out, /required option '--listen <port>' not specified/);
    r = await runCli(['--listen', '0', '--target', 'nowhere']);
    assert.equal(r.code, 2);
    assert.match(r.out, /invalid target 'nowhere'/);
    r = await runCli(['--listen', '0', '--target', '1', '--window', 'huge']);
    assert.equal(r.code, 2);
    assert.match(r.out, /invalid window 'huge'/);
    r = await runCli(['--listen', '0', '--target', '1', '--delay', '-5']);
    assert.equal(r.code, 2);
    const busy = net.createServer();
    await new Promise<void>((res) => busy.listen(0, '127.0.0.1', res));
    try {
      r = await runCli(['--listen', String((busy.address() as net.AddressInfo).port), '--target', '1']);
      assert.equal(r.code, 1);
      assert.match(r.out, /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      busy.close();
    }
    r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /--delay-down <ms>/);
  });

  test('stdin and control-port commands, periodic stats, SIGUSR1/SIGUSR2, SIGTERM', async () => {
    const pong = await pongServer();
    const controlPort = await freePort();
    const cli = startCli(['--listen', '0', '--target', `127.0.0.1:${pong.port}`, '--delay', '10', '--window', '256kb', '--stats-interval', '0.2', '--control', String(controlPort)]);
    try {
      const banner = await cli.waitFor(/127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+: delay up 10 ms, down 10 ms; window 256\.0 KB/);
      const port = Number(/127\.0\.0\.1:(\d+) ->/.exec(banner)![1]);
      await cli.waitFor(/control port 127\.0\.0\.1:\d+/);
      const s = await connect(port);
      s.on('error', () => undefined);
      assert.ok((await ping(s)) >= 19);
      await cli.waitFor(/\[slowlink\] running conns=1 .*up \d+ B/);

      // control port
      const ctl = await connect(controlPort);
      const lines: string[] = [];
      let acc = '';
      ctl.on('data', (d) => {
        acc += d;
        const parts = acc.split('\n');
        acc = parts.pop()!;
        lines.push(...parts);
      });
      const ask = async (cmd: string) => {
        const n = lines.length;
        ctl.write(cmd + '\n');
        await waitFor(() => lines.length > n, 3000, `reply to ${cmd}`);
        return lines[n];
      };
      assert.equal(await ask('pause'), 'OK paused');
      await assert.rejects(ping(s, 250));
      assert.equal(await ask('resume'), 'OK running');
      const st = JSON.parse(await ask('stats'));
      assert.equal(st.state, 'running');
      assert.equal(st.connections, 1);
      assert.match(await ask('set delay-down 30'), /^OK .*delay up 10 ms, down 30 ms/);
      assert.match(await ask('set window nope'), /^ERR invalid window 'nope'/);
      assert.match(await ask('frobnicate'), /^ERR unknown command 'frobnicate'/);

      // stdin
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      cli.proc.stdin!.write('cut\n');
      await cli.waitFor(/OK cut/);
      await closed;
      cli.proc.stdin!.write('restore\n');
      await cli.waitFor(/OK running/);
      const s2 = await connect(port);
      await ping(s2);

      // signals
      process.kill(cli.proc.pid!, 'SIGUSR1');
      await cli.waitFor(/link paused/);
      process.kill(cli.proc.pid!, 'SIGUSR1');
      await cli.waitFor(/link running/);
      s2.on('error', () => undefined);
      const closed2 = new Promise<void>((r) => s2.once('close', () => r()));
      process.kill(cli.proc.pid!, 'SIGUSR2');
      await cli.waitFor(/link cut/);
      await closed2;
      process.kill(cli.proc.pid!, 'SIGUSR2');
      await waitFor(() => (cli.out().match(/link running/g) ?? []).length >= 2, 3000, 'restore by SIGUSR2');
      ctl.destroy();

      const exited = new Promise<number | null>((r) => cli.proc.once('exit', (c) => r(c)));
      process.kill(cli.proc.pid!, 'SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (cli.proc.exitCode === null) cli.proc.kill('SIGKILL');
      await pong.close();
    }
  });
});
