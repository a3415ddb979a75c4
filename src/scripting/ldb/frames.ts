/**
 * What a script compiled for a debugging session calls (compiler.ts, `debug` option): a frame
 * record per Lua function call, kept on a stack for `trace` and `print`, and a line event per
 * statement that the session turns into stops. Lua's line hook fires when a function starts,
 * when the line changes, and on every jump back (loops); the compiled code mirrors that with
 * `last` (the frame's previous line; -1 forces the next event).
 */
import type { LuaValue } from '../lua/types.js';

export interface Frame {
  /** The function running in this frame (tells whether the call site's name is its own). */
  fn: unknown;
  /** The name Lua's debug info gives the call ("f" for f(), "m" for o:m()); none for top level. */
  name: string | undefined;
  /** Current line, and the line of the last line event. */
  line: number;
  last: number;
  /** The locals visible at the current statement: name, value, name, value, ... */
  locals: () => LuaValue[];
  /** Replaced by a tail call: Lua no longer has this frame. */
  hidden: boolean;
}

const noLocals = (): LuaValue[] => [];

export class DebugRuntime {
  readonly noLocals = noLocals;
  readonly frames: Frame[] = [];
  /** Set by each call site just before the call: the name and the callee, and whether it is `return f()`. */
  cn: string | undefined = undefined;
  cf: unknown = undefined;
  tc = false;

  constructor(private readonly onLine: (f: Frame) => void) {}

  /** Lua functions of the script seen so far (a call that returns to a tail call's RETURN was not one). */
  private readonly luaFns = new WeakSet<object>();

  isLua(fn: unknown): boolean {
    return typeof fn === 'function' && this.luaFns.has(fn);
  }

  enter(fn: unknown): Frame {
    if (typeof fn === 'function') this.luaFns.add(fn);
    // A callable table's __call handler is the function its call enters.
    const named = this.cf === fn || (typeof this.cf === 'object' && this.cf !== null);
    const tail = named && this.tc;
    this.cf = undefined;
    this.tc = false;
    if (tail) {
      for (let i = this.frames.length - 1; i >= 0; i--) {
        if (!this.frames[i].hidden) {
          this.frames[i].hidden = true;
          break;
        }
      }
    }
    // A function called from a library function (pcall, sort) or by a tail call has no name.
    const f: Frame = { fn, name: named && !tail ? this.cn : undefined, line: 0, last: -1, locals: noLocals, hidden: false };
    this.frames.push(f);
    return f;
  }

  leave(f: Frame): void {
    const i = this.frames.lastIndexOf(f);
    if (i >= 0) this.frames.length = i;
  }

  at(f: Frame, line: number, locals: () => LuaValue[]): void {
    f.line = line;
    f.locals = locals;
    if (f.last === line) return;
    f.last = line;
    this.onLine(f);
  }

  /** The frames Lua would report, innermost first. */
  visible(): Frame[] {
    const out: Frame[] = [];
    for (let i = this.frames.length - 1; i >= 0; i--) if (!this.frames[i].hidden) out.push(this.frames[i]);
    return out;
  }
}
