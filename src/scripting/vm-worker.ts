/**
 * The Lua thread: runs the VM (lua-vm.ts) on requests from the server thread, and turns each
 * redis.call/log/setresp into a round trip to the server, which runs the command and answers.
 *
 *   Idle ──server: Run/Compile/Heap──▶ Request ──▶ (Host ⇄ Answer)* ──▶ Done ──server reads──▶ Idle
 *
 * Keeping Lua off the server thread is what lets the server answer -BUSY, take SCRIPT KILL
 * and end a runaway script (by ending this thread) while the script is still running.
 */
import { workerData } from 'node:worker_threads';
import { LuaVm, type RunResult, type VmHost } from './lua-vm.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { readReply, writeScriptReply } from './reply-codec.js';
import { awaitTurnChange, READY, receive, send, Tag, Turn, TURN, WireWriter, type Channel } from './wire.js';

const { control, data } = workerData as Channel;
const ctl = new Int32Array(control);
const out = new WireWriter();

function waitForTurn(turn: Turn): void {
  for (;;) {
    const cur = Atomics.load(ctl, TURN);
    if (cur === turn) return;
    awaitTurnChange(ctl, cur, 1000);
  }
}

/** One round trip to the server; returns its Reply message's RESP bytes. */
function ask(msg: Buffer): Buffer {
  send(ctl, data, msg, Turn.Host);
  waitForTurn(Turn.Answer);
  return receive(ctl, data).bytes();
}

const host: VmHost = {
  // The server already turned a RESP3 null into the marker; a bare null here is RESP2 nil (false).
  call: (args, raise) => readReply(ask(out.reset(Tag.Call).u8(raise ? 1 : 0).list(args).view()), 0, false)[0],
  log: (level, message) => void ask(out.reset(Tag.Log).u8(level).bytes(message).view()),
  setResp: (version) => void ask(out.reset(Tag.SetResp).u8(version).view()),
};

const resultWriter = new ReplyWriter();
resultWriter.resp = 3;

function encodeResult(r: RunResult): Buffer {
  if (r.failed) return out.reset(Tag.Done).u8(1).bytes(Buffer.from(r.message, 'latin1')).i32(r.line ?? -1).view();
  resultWriter.len = 0;
  writeScriptReply(resultWriter, r.value, []);
  return out.reset(Tag.Done).u8(0).bytes(resultWriter.buf.subarray(0, resultWriter.len)).view();
}

/** Waits for the next request without blocking the event loop, so VM rebuilds can complete. */
async function nextRequest(): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
  for (;;) {
    for (let i = 0; i < 20000; i++) if (Atomics.load(ctl, TURN) === Turn.Request) return;
    const cur = Atomics.load(ctl, TURN);
    if (cur === Turn.Request) return;
    const w = waitAsync(ctl, TURN, cur);
    if (w.async) await w.value;
  }
}

// A pending Atomics.waitAsync does not keep a thread alive; this timer does, until the server ends it.
setInterval(() => {}, 1 << 30);
const vm = new LuaVm();
await vm.start();
Atomics.store(ctl, READY, 1);
for (;;) {
  await nextRequest();
  // After an abort the VM rebuilds asynchronously: let that finish before serving.
  while (!vm.ready) await new Promise((r) => setTimeout(r, 2));
  const req = receive(ctl, data);
  let reply: Buffer;
  switch (req.tag) {
    case Tag.Run: {
      const chunk = req.bytes();
      const keys = req.list();
      const args = req.list();
      reply = encodeResult(vm.run(chunk, keys, args, host));
      break;
    }
    case Tag.Compile: {
      const body = req.bytes();
      const err = vm.compileError(body, req.i32());
      reply = out.reset(Tag.Done).u8(err === null ? 0 : 1).bytes(Buffer.from(err ?? '', 'latin1')).view();
      break;
    }
    default:
      reply = out.reset(Tag.Done).i32(vm.heapBytes()).view();
  }
  send(ctl, data, reply, Turn.Done);
}
