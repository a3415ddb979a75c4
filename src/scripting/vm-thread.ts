/**
 * The server thread's side of the Lua thread (vm-worker.ts). It has the same surface as the
 * in-thread VM, and each call stays synchronous for the server: it hands the request over and
 * serves the script's commands until the result comes back. A script still running after
 * busy-reply-threshold puts the server in Redis's busy mode, where the hooks below answer
 * other clients (-BUSY) and may kill the script, by ending the thread and starting a new one.
 *
 *   run ─▶ Request ─┬─ Host: run the command, Answer ─┐
 *                   │◀────────────────────────────────┘
 *                   ├─ threshold passed: busy.timedOut(), then poll clients every few ms
 *                   ├─ busy.killRequested(): end the thread ─▶ "killed" failure
 *                   └─ Done ─▶ result
 */
import { Worker } from 'node:worker_threads';
import type { ReplyValue } from 'lua-redis-wasm';
import type { RunResult, ScriptVm, VmHost } from './lua-vm.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { readReply, writeScriptReply } from './reply-codec.js';
import { awaitTurnChange, newChannel, READY, receive, send, Tag, Turn, TURN, WireWriter, type Channel } from './wire.js';

export interface BusyHooks {
  /** busy-reply-threshold in ms (0: never busy). */
  thresholdMs(): number;
  /** The running script passed the threshold (log it, start answering -BUSY). */
  timedOut(elapsedMs: number): void;
  /** Serve other clients for a moment (Redis's processEventsWhileBlocked). */
  poll(): void;
  /** Whether SCRIPT KILL / FUNCTION KILL asked to stop the running script. */
  killRequested(): boolean;
}

const POLL_MS = 10;

interface LuaThread {
  worker: Worker;
  channel: Channel;
  ctl: Int32Array;
}

export class ThreadedVm implements ScriptVm {
  private thread: LuaThread | null = null;
  private readonly out = new WireWriter();
  private readonly replyWriter = new ReplyWriter();
  busy: BusyHooks | null = null;
  private started = false;

  constructor() {
    // Replies go to the Lua thread in RESP3 so no type is lost on the way.
    this.replyWriter.resp = 3;
  }

  private spawn(): LuaThread {
    const channel = newChannel();
    const worker = new Worker(new URL('./vm-worker.js', import.meta.url), { workerData: channel });
    worker.unref();
    return { worker, channel, ctl: new Int32Array(channel.control) };
  }

  async start(): Promise<void> {
    const t = (this.thread = this.spawn());
    const failed = new Promise<never>((_, reject) => t.worker.once('error', reject));
    while (Atomics.load(t.ctl, READY) !== 1) await Promise.race([new Promise((r) => setTimeout(r, 5)), failed]);
    this.started = true;
  }

  /** Once started; a thread restarted after a kill is waited for by the next request. */
  get ready(): boolean {
    return this.started && this.thread !== null;
  }

  /** Starts the thread on first need: the wasm VM only serves scripts the compiler leaves to it. */
  startLazily(): void {
    if (this.thread !== null || this.closed) return;
    this.start().catch(() => {
      this.thread = null;
    });
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    const t = this.thread;
    this.thread = null;
    if (t) await t.worker.terminate();
  }

  /** Whether requests can be served right now (false for a moment after a kill). */
  get threadReady(): boolean {
    return this.readyThread() !== null;
  }

  /** Calls `fn` once the current thread is ready (on the event loop: a new thread starts from it). */
  onReady(fn: () => void): void {
    const check = (): void => {
      if (this.threadReady || this.thread === null) fn();
      else setTimeout(check, 5);
    };
    check();
  }

  /**
   * The thread, once ready. A thread started after a kill becomes ready only when the server's
   * event loop turns again (Node starts workers from it), so waiting here would not help.
   */
  private readyThread(): LuaThread | null {
    const t = this.thread;
    return t && Atomics.load(t.ctl, READY) === 1 ? t : null;
  }

  compileError(body: Buffer, shebangLength: number): string | null {
    const r = this.request(this.out.reset(Tag.Compile).bytes(body).i32(shebangLength).view(), null);
    if (r === null) return 'the Lua thread is restarting after a script was killed, try again';
    if ('failed' in r) return r.message;
    return r.u8() === 0 ? null : r.bytes().latin1Slice();
  }

  heapBytes(): number {
    const r = this.request(this.out.reset(Tag.Heap).view(), null);
    return r === null || 'failed' in r ? 0 : r.i32();
  }

  run(chunk: Buffer, keys: Buffer[], args: Buffer[], host: VmHost): RunResult {
    const r = this.request(this.out.reset(Tag.Run).bytes(chunk).list(keys).list(args).view(), host);
    if (r === null) return { failed: true, message: 'ERR the Lua thread is restarting after a script was killed, try again', line: null };
    if ('failed' in r) return r;
    if (r.u8() === 1) {
      const message = r.bytes().latin1Slice();
      const line = r.i32();
      return { failed: true, message, line: line < 0 ? null : line };
    }
    return { failed: false, value: readReply(r.bytes(), 0, false)[0] };
  }

  /** Sends a request and serves the thread until it is done; the Done message's reader, or a kill. */
  private request(msg: Buffer, host: VmHost | null): ReturnType<typeof receive> | { failed: true; message: string; line: null } | null {
    const t = this.readyThread();
    if (!t) return null;
    const { ctl, channel } = t;
    send(ctl, channel.data, msg, Turn.Request);
    const started = performance.now();
    // A library load has its own short limit; a script the busy threshold.
    const loadLimit = (host as { timeoutMs?: number } | null)?.timeoutMs;
    const threshold = loadLimit ?? (host ? (this.busy?.thresholdMs() ?? 0) : 0);
    let waiting: Turn = Turn.Request;
    let timedOut = false;
    for (;;) {
      const left = timedOut ? POLL_MS : threshold > 0 ? Math.max(1, started + threshold - performance.now()) : Infinity;
      const turn = awaitTurnChange(ctl, waiting, left);
      if (turn === Turn.Done) {
        const done = receive(ctl, channel.data);
        Atomics.store(ctl, TURN, Turn.Idle);
        return done;
      }
      if (turn === Turn.Host) {
        send(ctl, channel.data, this.serve(receive(ctl, channel.data), host), Turn.Answer);
        waiting = Turn.Answer;
        continue;
      }
      const elapsed = performance.now() - started;
      if (loadLimit !== undefined && elapsed >= loadLimit) {
        this.restart();
        return { failed: true, message: 'ERR FUNCTION LOAD timeout', line: null };
      }
      if (!host || !this.busy) continue;
      if (!timedOut && threshold > 0 && elapsed >= threshold) {
        timedOut = true;
        this.busy.timedOut(Math.floor(elapsed));
      }
      if (timedOut) {
        this.busy.poll();
        if (this.busy.killRequested()) {
          this.restart();
          return { failed: true, message: 'ERR Script killed by user with SCRIPT KILL...', line: null };
        }
      }
    }
  }

  /** Answers one Host message (a command, a log line, a RESP switch) with a Reply. */
  private serve(m: ReturnType<typeof receive>, host: VmHost | null): Buffer {
    let value: ReplyValue = null;
    if (host) {
      switch (m.tag) {
        case Tag.Call: {
          const raise = m.u8() === 1;
          value = host.call(m.list(), raise);
          break;
        }
        case Tag.Log: {
          const level = m.u8();
          host.log(level, m.bytes());
          break;
        }
        case Tag.SetResp:
          host.setResp(m.u8());
          break;
      }
    }
    const w = this.replyWriter;
    w.len = 0;
    writeScriptReply(w, value, []);
    return this.out.reset(Tag.Reply).bytes(w.buf.subarray(0, w.len)).view();
  }

  /** Ends a runaway script's thread and starts a fresh one (ready in the background). */
  private restart(): void {
    const old = this.thread;
    this.thread = this.spawn();
    if (old) void old.worker.terminate();
  }
}
