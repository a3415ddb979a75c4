/**
 * Lua 5.1 → JavaScript. luaparse gives the syntax tree; this module writes one JS function per
 * Lua function and `new Function` builds them once per script, so V8 JITs the script like any
 * other code. The shapes (types.ts): a Lua function is `(...args) => LuaValue[]`, locals are JS
 * `let`s (fresh per loop iteration, so closures capture as Lua's upvalues do), multiple results
 * are arrays that only the last expression of a list spreads.
 *
 * Errors carry positions without a try/catch per operation: every Lua function frame keeps a
 * position index `P` (set per statement line and before each call) and one catch turns
 * LibError/ArgError into "user_script:<line>: ..." (runtime.ts `frameError`).
 */
import luaparse from 'luaparse';
import { LuaTable, luaStringHash } from './table.js';
import type { LuaValue } from './types.js';
import { R, type Position } from './runtime.js';

type Node = any; // luaparse's AST (untyped package)

export interface CompileOptions {
  /** "user_script" (Redis's '@user_script' without the '@'). */
  chunkName: string;
  /** The environment: read-only tables let global reads become constants. */
  globals: LuaTable;
  /** Names whose global reads must stay dynamic (KEYS/ARGV change per run). */
  dynamicGlobals?: ReadonlySet<string>;
  /**
   * The Lua debugger's runtime (ldb/frames.ts): when given, the chunk is compiled for a debugging
   * session, with frame records, a line event per statement and the locals each statement sees.
   * Normal compiles never get this, so their code is unchanged.
   */
  debug?: unknown;
}

export class CompileRefused extends Error {}

const PARSE_OPTIONS = {
  luaVersion: '5.1',
  encodingMode: 'pseudo-latin1',
  locations: true,
  ranges: true,
  scope: false,
  comments: false,
} as const;

export function parse(source: string): Node {
  return (luaparse as any).parse(source, PARSE_OPTIONS);
}

interface Var {
  js: string;
  name: string;
  fn: FuncState;
}

/** A local as the debugger lists it: Lua's name (loops' hidden ones included) and its JS variable. */
interface DebugLocal {
  name: string;
  js: string;
}

class FuncState {
  /** Temps in use; they are reused from one statement to the next (smaller JS frames). */
  temps = 0;
  maxTemps = 0;
  /** Active locals (Lua allows 200 per function) and upvalues (60). */
  active = 0;
  readonly upvalues = new Set<Var>();
  /** Debug compiles: the locals active at this point, in Lua's declaration order. */
  readonly live: DebugLocal[] = [];
  constructor(
    readonly parent: FuncState | undefined,
    readonly vararg: boolean,
  ) {}
  temp(): string {
    const n = ++this.temps;
    if (n > this.maxTemps) this.maxTemps = n;
    return `$${n}`;
  }
}

class Scope {
  readonly vars = new Map<string, Var>();
  constructor(
    readonly parent: Scope | undefined,
    readonly fn: FuncState,
  ) {}
  lookup(name: string): Var | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }
}

const MULTI = new Set(['CallExpression', 'StringCallExpression', 'TableCallExpression', 'VarargLiteral']);
const ARITH: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '^': 'pow' };

/** Names that force a script onto the wasm fallback (their semantics need a real Lua VM). */
const FALLBACK_NAMES = new Set(['coroutine', 'dump', 'getfenv', 'setfenv']);

/** Whether a function body uses '...' itself (nested functions aside). */
function usesVararg(node: Node): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(usesVararg);
  if (node.type === 'VarargLiteral') return true;
  if (node.type === 'FunctionDeclaration') return false;
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const v = node[key];
    if (v && typeof v === 'object' && usesVararg(v)) return true;
  }
  return false;
}

function isLiteral(n: Node): boolean {
  return n.type === 'NumericLiteral' || n.type === 'StringLiteral' || n.type === 'BooleanLiteral' || n.type === 'NilLiteral';
}

/**
 * `k and e` with k a true constant is e, `nil or e` is e: Lua's code generator drops the constant
 * (luaK_goiftrue), so errors name e as if it stood alone.
 */
function foldLogical(n: Node): Node {
  while (n.type === 'LogicalExpression' && isLiteral(n.left)) {
    const truthy = !(n.left.type === 'NilLiteral' || (n.left.type === 'BooleanLiteral' && !n.left.value));
    if ((n.operator === 'and') === truthy) n = n.right;
    else break;
  }
  return n;
}

export interface Compiled {
  /** The JS source of the chunk factory (for debugging and tests). */
  code: string;
  factory: (...deps: unknown[]) => (...args: LuaValue[]) => LuaValue[];
  deps: unknown[];
}

export function compileChunk(source: string, opts: CompileOptions): Compiled {
  const ast = parse(source);
  const gen = new CodeGen(source, opts);
  return gen.chunk(ast);
}

class CodeGen {
  private readonly consts: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();
  readonly positions: Position[] = [];
  private readonly posIndex = new Map<string, number>();
  private nextVar = 0;
  private scope!: Scope;
  /** The line P holds at this point of the code being written (its statement's). */
  private curLine = 0;
  /** Compiling for a debugging session (see CompileOptions.debug). */
  private readonly debug: boolean;
  private nextFn = 0;
  /** The next call compiled is a `return f(...)` (a tail call, which Lua's debug info shows as such). */
  private tailNext = false;
  /** The JS expression of the callee of the last call compiled (debug compiles). */
  private lastCallee = 'undefined';

  constructor(
    private readonly src: string,
    private readonly opts: CompileOptions,
  ) {
    this.debug = opts.debug !== undefined;
  }

  chunk(ast: Node): Compiled {
    const fn = new FuncState(undefined, true);
    // The main function's last instruction (its return) is on the line of the last token.
    const last = ast.body.length > 0 ? ast.body[ast.body.length - 1].loc.end.line : 0;
    const body = this.funcBody(fn, [], true, ast.body, undefined, last);
    const constDecls = this.consts.map((_, i) => `const K${i} = KS[${i}];`).join('\n');
    const code = `"use strict";\n${constDecls}\nreturn function main(...$va) {\n${body}\n};`;
    if (this.debug) {
      const factory = new Function('R', 'LT', 'POS', 'KS', 'D', code) as Compiled['factory'];
      return { code, factory, deps: [R, LuaTable, this.positions, this.consts, this.opts.debug] };
    }
    const factory = new Function('R', 'LT', 'POS', 'KS', code) as Compiled['factory'];
    return { code, factory, deps: [R, LuaTable, this.positions, this.consts] };
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private k(v: unknown): string {
    let i = this.constIndex.get(v);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(v);
      this.constIndex.set(v, i);
    }
    return `K${i}`;
  }

  private pos(line: number, name?: string, method = false): number {
    const key = `${line}|${name ?? ''}|${method ? 1 : 0}`;
    let i = this.posIndex.get(key);
    if (i === undefined) {
      i = this.positions.length;
      this.positions.push({ chunk: this.opts.chunkName, line, name, method });
      this.posIndex.set(key, i);
    }
    return i;
  }

  private declare(name: string): Var {
    const v: Var = { js: `${name}$${++this.nextVar}`, name, fn: this.scope.fn };
    this.scope.vars.set(name, v);
    if (this.debug) this.scope.fn.live.push({ name, js: v.js });
    // Lua's limits are compile errors there: such scripts go where Lua reports them.
    if (++this.scope.fn.active > 200) throw new CompileRefused('more than 200 local variables');
    this.scopeCount.set(this.scope, (this.scopeCount.get(this.scope) ?? 0) + 1);
    return v;
  }

  private readonly scopeCount = new Map<Scope, number>();

  private withScope<T>(fn: FuncState, f: () => T): T {
    const saved = this.scope;
    const scope = new Scope(saved, fn);
    this.scope = scope;
    const live = fn.live.length;
    try {
      return f();
    } finally {
      fn.live.length = live;
      fn.active -= this.scopeCount.get(scope) ?? 0;
      this.scopeCount.delete(scope);
      this.scope = saved;
    }
  }

  /** A variable seen from the current function: upvalues count against Lua's limit of 60. */
  private resolve(name: string): Var | undefined {
    const v = this.scope.lookup(name);
    if (v !== undefined && v.fn !== this.scope.fn) {
      for (let f: FuncState | undefined = this.scope.fn; f && f !== v.fn; f = f.parent) {
        f.upvalues.add(v);
        if (f.upvalues.size > 60) throw new CompileRefused('more than 60 upvalues');
      }
    }
    return v;
  }

  /** Is a Lua literal string usable as a JS string literal? JSON escapes cover bytes 0..255. */
  private str(s: string): string {
    return JSON.stringify(s);
  }

  private num(n: number): string {
    if (Number.isNaN(n)) return 'NaN';
    if (n === Infinity) return 'Infinity';
    if (Object.is(n, -0)) return '-0';
    return n < 0 ? `(${n})` : String(n);
  }

  /** How an error names a value (ldebug.c getobjname): "local 'x'", "global 'x'", "field 'x'"... */
  private nameOf(node: Node): string | undefined {
    node = foldLogical(node);
    switch (node.type) {
      case 'Identifier': {
        const v = this.scope.lookup(node.name);
        if (!v) return `global '${node.name}'`;
        return v.fn === this.scope.fn ? `local '${node.name}'` : `upvalue '${node.name}'`;
      }
      case 'MemberExpression':
        return node.indexer === ':' ? `method '${node.identifier.name}'` : `field '${node.identifier.name}'`;
      case 'IndexExpression':
        return node.index.type === 'StringLiteral' ? `field '${node.index.value}'` : `field '?'`;
      default:
        return undefined;
    }
  }

  /** The function name a callee gets in "bad argument #1 to 'x'" (getfuncname). */
  private funcName(node: Node): string | undefined {
    switch (node.type) {
      case 'Identifier':
        return node.name;
      case 'MemberExpression':
        return node.identifier.name;
      case 'IndexExpression':
        return node.index.type === 'StringLiteral' ? node.index.value : '?';
      default:
        return undefined;
    }
  }

  private nameArg(name: string | undefined): string {
    return name === undefined ? 'undefined' : this.str(name);
  }

  /** Cheap, side-effect-free expressions that may be written twice. */
  private isSimple(node: Node): boolean {
    switch (node.type) {
      case 'NumericLiteral':
      case 'StringLiteral':
      case 'BooleanLiteral':
      case 'NilLiteral':
        return true;
      case 'Identifier':
        return this.scope.lookup(node.name) !== undefined;
      default:
        return false;
    }
  }

  /** Whether evaluating the node may run a call (which moves P): then call args go to temps. */
  private hasCall(node: Node): boolean {
    if (node === null || typeof node !== 'object') return false;
    if (MULTI.has(node.type) && node.type !== 'VarargLiteral') return true;
    if (node.type === 'FunctionDeclaration') return false;
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'range') continue;
      const v = node[key];
      if (Array.isArray(v)) {
        if (v.some((x) => this.hasCall(x))) return true;
      } else if (v && typeof v === 'object' && v.type && this.hasCall(v)) return true;
    }
    // Metamethods may run too, but they keep their own frames: only direct calls matter.
    return false;
  }

  /**
   * luaparse drops parentheses; `(f())` keeps one value. The text between the previous token
   * (from `from`) and the node tells: count the '(' there, minus the list's own opener.
   */
  private parenCount(from: number, node: Node): number {
    const gap = this.src.slice(from, node.range[0]);
    let n = 0;
    for (let i = 0; i < gap.length; i++) {
      const c = gap[i];
      if (c === '-' && gap[i + 1] === '-') {
        const long = /^--\[(=*)\[/.exec(gap.slice(i));
        if (long) {
          const close = gap.indexOf(`]${long[1]}]`, i + long[0].length);
          i = close < 0 ? gap.length : close + long[1].length + 1;
        } else {
          const nl = gap.indexOf('\n', i);
          i = nl < 0 ? gap.length : nl;
        }
      } else if (c === '(') n++;
    }
    return n;
  }

  // ── functions ────────────────────────────────────────────────────────────────────────────

  /** `code` (a slow path that may raise) with P moved to `line` first when it differs. */
  private at(line: number, code: string): string {
    return line === this.curLine ? code : `(P = ${this.pos(line)}, ${code})`;
  }

  private funcBody(fn: FuncState, params: Node[], vararg: boolean, body: Node[], self: string | undefined, endLine = 0): string {
    const savedLine = this.curLine;
    this.curLine = 0;
    try {
      return this.funcBodyIn(fn, params, vararg, body, self, endLine);
    } finally {
      this.curLine = savedLine;
    }
  }

  private funcBodyIn(fn: FuncState, params: Node[], vararg: boolean, body: Node[], self: string | undefined, endLine: number): string {
    return this.withScope(fn, () => {
      const names: string[] = [];
      if (self) names.push(this.declare(self).js);
      for (const p of params) if (p.type === 'Identifier') names.push(this.declare(p.name).js);
      // LUA_COMPAT_VARARG: a vararg function has a local 'arg', the table {..., n = count}
      // unless its body uses '...' itself (then it stays nil).
      let argDecl = '';
      if (vararg && fn.parent !== undefined) {
        const arg = this.declare('arg');
        argDecl = `let ${arg.js} = ${usesVararg(body) ? 'undefined' : 'R.argTable($va)'};\n`;
      }
      let stmts = argDecl + this.block(body, false, true);
      const temps = fn.maxTemps > 0 ? `let ${Array.from({ length: fn.maxTemps }, (_, i) => `$${i + 1}`).join(', ')};\n` : '';
      const sig = [...names, ...(vararg ? ['...$va'] : [])].join(', ');
      if (this.debug) {
        // A frame record for the debugger (trace, print), and the line event of the function's
        // final return (reached when the body falls off its end).
        const selfName = fn.parent === undefined ? 'main' : `$fn${++this.nextFn}`;
        // At the final return the function's locals (parameters too) are out of scope already.
        if (endLine > 0) stmts += `\nD.at($F, ${endLine}, D.noLocals);`;
        const inner = `let P = 0;\n${temps}const $F = D.enter(${selfName});\nif (--R.budget < 0) R.tick();\ntry {\n${stmts}\n} catch (e) { throw R.frameError(e, POS[P]); } finally { D.leave($F); }\nreturn [];`;
        return fn.parent === undefined ? inner : `(function ${selfName}(${sig}) {\n${inner}\n})`;
      }
      const inner = `let P = 0;\n${temps}if (--R.budget < 0) R.tick();\ntry {\n${stmts}\n} catch (e) { throw R.frameError(e, POS[P]); }\nreturn [];`;
      return fn.parent === undefined ? inner : `(function (${sig}) {\n${inner}\n})`;
    });
  }

  private functionExpr(node: Node, self?: string): string {
    const params: Node[] = node.parameters;
    const vararg = params.some((p) => p.type === 'VarargLiteral');
    const fn = new FuncState(this.scope.fn, vararg);
    return this.funcBody(fn, params, vararg, node.body, self, node.loc.end.line);
  }

  // ── debugger hooks (debug compiles only) ─────────────────────────────────────────────────

  /** The locals the current statement sees, as a closure the debugger calls when it stops. */
  private localsFn(): string {
    const live = this.scope.fn.live;
    if (live.length === 0) return 'D.noLocals';
    return `() => [${live.map((l) => `${this.str(l.name)}, ${l.js}`).join(', ')}]`;
  }

  /** The line where Lua's code for an expression starts (a function value: its 'end' line). */
  private exprLine(e: Node): number {
    return e.type === 'FunctionDeclaration' ? e.loc.end.line : e.loc.start.line;
  }

  /**
   * Debug compiles: the line of the instruction that puts a value of a list (call arguments,
   * table items) in place. Calls and tables emit code as they are parsed (from their first
   * line), functions on their 'end' line, operators where they end; a constant, a variable or
   * an indexing is only moved into place when the next item starts (the line of the comma, that
   * is, where it ends), the last one at the closing bracket.
   */
  private valueLine(v: Node, last: boolean, closeLine: number): number {
    if (MULTI.has(v.type) || v.type === 'TableConstructorExpression') return v.loc.start.line;
    if (v.type === 'FunctionDeclaration' || v.type === 'BinaryExpression' || v.type === 'LogicalExpression' || v.type === 'UnaryExpression') return v.loc.end.line;
    return last ? closeLine : v.loc.end.line;
  }

  /** Debug compiles: the right operand of `a and/or b` on a line of its own is a line event when it runs. */
  private rightAt(e: Node, code: string): string {
    if (!this.debug || e.right.loc.start.line === e.left.loc.end.line) return code;
    return `(${this.atExpr(e.right.loc.start.line)}, ${code})`;
  }

  /** A line event inside an expression spread over lines (Lua's hook fires per instruction line). */
  private atExpr(line: number): string {
    return `D.at($F, ${line}, ${this.localsFn()})`;
  }

  /** A line event: the frame is now at `line` (the debugger stops there when it steps or has a breakpoint). */
  private lineHook(line: number): string {
    return `D.at($F, ${line}, ${this.localsFn()});`;
  }

  /**
   * Whether Lua's code generator emits an instruction for a statement (a line event needs one):
   * not for `do`, nor for `local x` without a value at a function's start or right after another
   * such `local` (luaK_nil then has nothing to do, or extends the previous LOADNIL).
   */
  private hasCode(s: Node, prev: Node | undefined, first: boolean): boolean {
    if (s.type === 'DoStatement' || s.type === 'RepeatStatement') return false;
    const nilLocal = (n: Node | undefined) => n !== undefined && n.type === 'LocalStatement' && n.init.every((e: Node) => e.type === 'NilLiteral');
    if (nilLocal(s)) {
      if (first) return false;
      if (nilLocal(prev)) return false;
    }
    return true;
  }

  /**
   * The line of a statement's first instruction in Lua's code: a function value is made on the
   * line of its 'end' (where Lua's parser emits the closure), other statements start on their line.
   */
  private firstLine(s: Node): number {
    const isFn = (e: Node | undefined) => e !== undefined && e.type === 'FunctionDeclaration';
    switch (s.type) {
      case 'FunctionDeclaration':
        return s.loc.end.line;
      case 'LocalStatement':
        return isFn(s.init[0]) ? s.init[0].loc.end.line : s.loc.start.line;
      case 'AssignmentStatement':
        return s.variables[0].type === 'Identifier' && isFn(s.init[0]) ? s.init[0].loc.end.line : s.loc.start.line;
      case 'ReturnStatement':
        return isFn(s.arguments[0]) ? s.arguments[0].loc.end.line : s.loc.start.line;
      case 'IfStatement':
        return s.clauses[0].condition.loc.start.line;
      case 'WhileStatement':
        return s.condition.loc.start.line;
      default:
        return s.loc.start.line;
    }
  }

  // ── statements ───────────────────────────────────────────────────────────────────────────

  private block(body: Node[], newScope = true, atStart = false): string {
    const run = () => {
      const out: string[] = [];
      let lastLine = -1;
      let prev: Node | undefined;
      for (const s of body) {
        const line = s.loc.start.line;
        if (line !== lastLine) {
          out.push(`P = ${this.pos(line)};`);
          lastLine = line;
        }
        this.curLine = line;
        const fn = this.scope.fn;
        const mark = fn.temps;
        if (this.debug && this.hasCode(s, prev, atStart && prev === undefined)) out.push(this.lineHook(this.firstLine(s)));
        prev = s;
        out.push(this.statement(s));
        fn.temps = mark;
        if (s.type !== 'LocalStatement' && s.type !== 'AssignmentStatement') lastLine = -1;
      }
      return out.join('\n');
    };
    return newScope ? this.withScope(this.scope.fn, run) : run();
  }

  private statement(s: Node): string {
    switch (s.type) {
      case 'LocalStatement':
        return this.localStatement(s);
      case 'AssignmentStatement':
        return this.assignment(s);
      case 'CallStatement':
        return `${this.callExpr(s.expression, false)};`;
      case 'FunctionDeclaration':
        return this.functionDeclaration(s);
      case 'ReturnStatement':
        return this.returnStatement(s);
      case 'IfStatement':
        return this.ifStatement(s);
      case 'WhileStatement':
        // Debug compiles: the jump back to the condition is a new line event even on the same line.
        return `while (${this.condAt(s.condition)}) {\nif (--R.budget < 0) R.tick();\n${this.block(s.body)}${this.debug ? '\n$F.last = -1;' : ''}\n}`;
      case 'RepeatStatement':
        // The condition sees the body's locals: test it inside the body's scope.
        return this.withScope(this.scope.fn, () => {
          const body = this.block(s.body, false);
          return `do {\nif (--R.budget < 0) R.tick();\n${body}\nif (${this.condAt(s.condition)}) break;${this.debug ? '\n$F.last = -1;' : ''}\n} while (true);`;
        });
      case 'DoStatement':
        return `{\n${this.block(s.body)}\n}`;
      case 'BreakStatement':
        return 'break;';
      case 'ForNumericStatement':
        return this.forNumeric(s);
      case 'ForGenericStatement':
        return this.forGeneric(s);
      case 'LabelStatement':
      case 'GotoStatement':
        throw new CompileRefused('goto is not Lua 5.1');
      default:
        throw new CompileRefused(`unsupported statement ${s.type}`);
    }
  }

  /** An expression list adjusted to `n` values, as JS expressions (temps hold a spread call). */
  private adjust(exprs: Node[], n: number, from: number, pre: string[]): string[] {
    const out: string[] = [];
    let prevEnd = from;
    for (let i = 0; i < exprs.length; i++) {
      const e = exprs[i];
      const last = i === exprs.length - 1;
      if (last && MULTI.has(e.type) && n > i + 1 && this.parenCount(prevEnd, e) === 0) {
        const t = this.scope.fn.temp();
        pre.push(`${t} = ${this.multi(e)};`);
        for (let j = i; j < n; j++) out.push(`${t}[${j - i}]`);
        return out;
      }
      if (i < n) {
        if (n > 1 && exprs.length > 1) {
          // Every value is computed before any is assigned.
          const t = this.scope.fn.temp();
          pre.push(`${t} = ${this.expr(e)};`);
          out.push(t);
        } else out.push(this.expr(e));
      } else pre.push(`${this.expr(e)};`);
      prevEnd = e.range[1];
    }
    while (out.length < n) out.push('undefined');
    return out;
  }

  private localStatement(s: Node): string {
    const pre: string[] = [];
    const from = s.variables[s.variables.length - 1].range[1];
    const values = this.adjust(s.init, s.variables.length, from, pre);
    // The new locals come into scope after the values (local x = x reads the outer x).
    const names = s.variables.map((v: Node) => this.declare(v.name).js);
    return `${pre.join('\n')}\nlet ${names.map((n: string, i: number) => `${n} = ${values[i]}`).join(', ')};`;
  }

  private assignment(s: Node): string {
    const pre: string[] = [];
    const targets: Array<(v: string) => string> = [];
    // Lua evaluates the tables and keys of the targets first, then the values, then assigns.
    for (const v of s.variables) targets.push(this.target(v, pre, s.variables.length > 1));
    const from = s.variables[s.variables.length - 1].range[1];
    const values = this.adjust(s.init, s.variables.length, from, pre);
    const out = [...pre];
    for (let i = targets.length - 1; i >= 0; i--) out.push(targets[i](values[i]));
    return out.join('\n');
  }

  /** Prepares an assignment target; returns the statement that stores a value into it. */
  private target(v: Node, pre: string[], hoist: boolean): (value: string) => string {
    if (v.type === 'Identifier') {
      const local = this.resolve(v.name);
      if (local) return (value) => `${local.js} = ${value};`;
      const g = this.opts.globals;
      return (value) => `R.setGlobal(${this.k(g)}, ${this.str(v.name)}, ${value});`;
    }
    const name = this.nameOf(v.base);
    let obj = this.expr(v.base);
    if (hoist && !this.isSimple(v.base)) {
      const t = this.scope.fn.temp();
      pre.push(`${t} = ${obj};`);
      obj = t;
    }
    const fn = this.scope.fn;
    if (v.type === 'MemberExpression') {
      const key = this.str(v.identifier.name);
      const h = luaStringHash(v.identifier.name);
      return (value) => {
        const o = this.isSimple(v.base) || hoist ? obj : fn.temp();
        const val = fn.temp();
        const first = o === obj ? '' : `${o} = ${obj}; `;
        return `${first}${val} = ${value};\nif (${o} instanceof LT && ${o}.metatable === undefined) ${o}.setStrH(${key}, ${h}, ${val}); else R.setIndex(${o}, ${key}, ${val}, ${this.nameArg(name)});`;
      };
    }
    let key = this.expr(v.index);
    if (hoist && !this.isSimple(v.index)) {
      const t = this.scope.fn.temp();
      pre.push(`${t} = ${key};`);
      key = t;
    }
    return (value) => {
      let pre = '';
      let o = obj;
      let kk = key;
      if (!(this.isSimple(v.base) || hoist)) {
        o = fn.temp();
        pre += `${o} = ${obj}; `;
      }
      if (!(this.isSimple(v.index) || hoist)) {
        kk = fn.temp();
        pre += `${kk} = ${key}; `;
      }
      const val = fn.temp();
      return `${pre}${val} = ${value};\nif (${o} instanceof LT && ${o}.metatable === undefined) ${o}.set(${kk}, ${val}); else R.setIndex(${o}, ${kk}, ${val}, ${this.nameArg(name)});`;
    };
  }

  private functionDeclaration(s: Node): string {
    const id = s.identifier;
    if (s.isLocal) {
      const v = this.declare(id.name);
      return `let ${v.js};\n${v.js} = ${this.functionExpr(s)};`;
    }
    if (id === null) return `${this.functionExpr(s)};`;
    // Debug compiles: Lua makes the closure on the 'end' line and stores it on the 'function'
    // line, two line events when they differ.
    const storedAt = (f: string): string => {
      if (!this.debug || s.loc.start.line === s.loc.end.line) return f;
      const t = this.scope.fn.temp();
      return `(${t} = ${f}, ${this.lineHook(s.loc.start.line).slice(0, -1)}, ${t})`;
    };
    if (id.type === 'MemberExpression' && id.indexer === ':') {
      const store = this.target({ ...id, indexer: '.' }, [], false);
      return store(storedAt(this.functionExpr(s, 'self')));
    }
    return this.target(id, [], false)(storedAt(this.functionExpr(s)));
  }

  private returnStatement(s: Node): string {
    const args: Node[] = s.arguments;
    if (args.length === 0) return 'return [];';
    const from = s.range[0] + 6;
    // Debug compiles: Lua's RETURN sits on the statement's last line, a line event of its own
    // when the values ended on an earlier line (after a call to a C function in a tail call:
    // a Lua function replaces the frame instead).
    const endLine = s.loc.end.line;
    const ret = (values: string, from: number, callee?: string): string => {
      if (!this.debug || endLine === from) return `return ${values};`;
      const t = this.scope.fn.temp();
      const at = this.atExpr(endLine);
      return `return (${t} = ${values}, ${callee !== undefined ? `D.isLua(${callee}) || ` : ''}${at}, ${t});`;
    };
    if (args.length === 1) {
      const e = args[0];
      if (MULTI.has(e.type) && this.parenCount(from, e) === 0) {
        // `return f(...)` is a tail call in Lua: the debugger no longer sees the caller's frame.
        if (this.debug && e.type !== 'VarargLiteral') this.tailNext = true;
        const values = this.multi(e);
        if (e.type === 'VarargLiteral') return ret(values, e.loc.end.line);
        return ret(values, e.base.loc.end.line, this.lastCallee);
      }
      return ret(`[${this.expr(e)}]`, e.loc.end.line);
    }
    return ret(this.list(args, from), args[args.length - 1].loc.end.line);
  }

  /** An expression list as one JS array expression (the last multi-value expression spreads). */
  private list(exprs: Node[], from: number): string {
    const parts: string[] = [];
    let prevEnd = from;
    exprs.forEach((e, i) => {
      if (i === exprs.length - 1 && MULTI.has(e.type) && this.parenCount(prevEnd, e) === 0) parts.push(`...${this.multi(e)}`);
      else parts.push(this.expr(e));
      prevEnd = e.range[1];
    });
    return `[${parts.join(', ')}]`;
  }

  private ifStatement(s: Node): string {
    const out: string[] = [];
    s.clauses.forEach((c: Node, i: number) => {
      if (c.type === 'IfClause') out.push(`if (${this.test(c.condition)}) {\n${this.block(c.body)}\n}`);
      else if (c.type === 'ElseifClause') {
        out.push(` else {\nif (${this.condAt(c.condition)}) {\n${this.block(c.body)}\n}`);
      } else out.push(` else {\n${this.block(c.body)}\n}`);
      void i;
    });
    const elseifs = s.clauses.filter((c: Node) => c.type === 'ElseifClause').length;
    return out.join('') + '}'.repeat(elseifs);
  }

  private forNumeric(s: Node): string {
    const fn = this.scope.fn;
    const i = fn.temp();
    const lim = fn.temp();
    const step = fn.temp();
    const startE = this.expr(s.start);
    const limE = this.expr(s.end);
    const stepE = s.step ? this.expr(s.step) : '1';
    const constStep = s.step === null ? 1 : s.step.type === 'NumericLiteral' ? s.step.value : undefined;
    const cond = constStep !== undefined ? (constStep > 0 ? `${i} <= ${lim}` : `${lim} <= ${i}`) : `(${step} > 0 ? ${i} <= ${lim} : ${lim} <= ${i})`;
    return this.withScope(fn, () => {
      if (this.debug) fn.live.push({ name: '(for index)', js: i }, { name: '(for limit)', js: lim }, { name: '(for step)', js: step });
      // Debug compiles: each pass jumps back into the body (a line event), then runs the loop
      // test on the 'for' line (another one, where the loop variable is out of scope), as
      // Lua's FORLOOP does.
      const [enter, loop] = this.debug ? ['$F.last = -1;\n', `\n${this.lineHook(s.loc.start.line)}`] : ['', ''];
      const v = this.declare(s.variable.name);
      const body = this.block(s.body, false);
      return (
        `${i} = ${startE}; ${lim} = ${limE}; ${step} = ${stepE};\n` +
        `if (typeof ${i} !== 'number') ${i} = R.forNumber(${i}, 'initial value');\n` +
        `if (typeof ${lim} !== 'number') ${lim} = R.forNumber(${lim}, 'limit');\n` +
        `if (typeof ${step} !== 'number') ${step} = R.forNumber(${step}, 'step');\n` +
        `for (; ${cond}; ${i} += ${step}) {\nif (--R.budget < 0) R.tick();\n${enter}let ${v.js} = ${i};\n${body}${loop}\n}`
      );
    });
  }

  private forGeneric(s: Node): string {
    const fn = this.scope.fn;
    const f = fn.temp();
    const st = fn.temp();
    const ctl = fn.temp();
    const r = fn.temp();
    const pre: string[] = [];
    const vals = this.adjust(s.iterators, 3, s.range[0], pre);
    const line = s.loc.start.line;
    // Lua names the iterator by its hidden loop local when a library rejects an argument.
    const callPos = this.pos(line, '(for generator)');
    return this.withScope(fn, () => {
      if (this.debug) fn.live.push({ name: '(for generator)', js: f }, { name: '(for state)', js: st }, { name: '(for control)', js: ctl });
      const [enter, loop] = this.debug ? ['$F.last = -1;\n', `\n${this.lineHook(line)}`] : ['', ''];
      const vars: Var[] = s.variables.map((v: Node) => this.declare(v.name));
      const body = this.block(s.body, false);
      const k = vars[0].js;
      const rest = vars.slice(1);
      // next/ipairs over a plain table run inline: no result array per step.
      const restFromR = rest.map((v, j) => `${v.js} = ${r}[${j + 1}]`).join(', ');
      const restFromPair = rest.length > 0 ? `${rest[0].js} = ${r}[1]` : '';
      return (
        `${pre.join('\n')}\n${f} = ${vals[0]}; ${st} = ${vals[1]}; ${ctl} = ${vals[2]};\n` +
        `for (;;) {\nif (--R.budget < 0) R.tick();\n` +
        `let ${vars.map((v) => v.js).join(', ')};\n` +
        `if (${f} === R.next && ${st} instanceof LT) { ${r} = ${st}.next(${ctl}); if (${r} === undefined) break; ${k} = ${r}[0]; ${restFromPair ? restFromPair + ';' : ''} }\n` +
        `else if (${f} === R.ipairsStep && ${st} instanceof LT && typeof ${ctl} === 'number') { ${k} = ${ctl} + 1; ${rest.length > 0 ? `${rest[0].js} = ` : `${r} = `}${st}.getInt(${k}); if (${rest.length > 0 ? rest[0].js : r} === undefined) break; }\n` +
        `else { P = ${callPos}; ${this.debug ? `D.cn = '(for generator)', D.cf = ${f}; ` : ''}${r} = R.call(${f}, [${st}, ${ctl}], undefined); ${k} = ${r}[0]; if (${k} === undefined) break; ${restFromR ? restFromR + ';' : ''} }\n` +
        `${ctl} = ${k};\n${enter}${body}${loop}\n}`
      );
    });
  }

  // ── expressions ──────────────────────────────────────────────────────────────────────────

  /** A multi-value expression as a JS array expression. */
  private multi(e: Node): string {
    if (e.type === 'VarargLiteral') return '$va';
    return this.callExpr(e, true);
  }

  /** One value. */
  expr(e: Node): string {
    switch (e.type) {
      case 'NumericLiteral':
        return this.num(e.value);
      case 'StringLiteral':
        return this.str(e.value);
      case 'BooleanLiteral':
        return e.value ? 'true' : 'false';
      case 'NilLiteral':
        return 'undefined';
      case 'VarargLiteral':
        return '$va[0]';
      case 'Identifier':
        return this.identifier(e);
      case 'FunctionDeclaration':
        return this.functionExpr(e);
      case 'TableConstructorExpression':
        return this.tableConstructor(e);
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression':
        return `${this.callExpr(e, true)}[0]`;
      case 'MemberExpression':
        return this.index(e.base, { type: 'StringLiteral', value: e.identifier.name }, this.nameOf(e.base), e.loc.end.line);
      case 'IndexExpression':
        return this.index(e.base, e.index, this.nameOf(e.base), e.loc.end.line);
      case 'BinaryExpression':
        return this.binary(e);
      case 'LogicalExpression': {
        const t = this.scope.fn.temp();
        const l = this.expr(e.left);
        const r = this.rightAt(e, this.expr(e.right));
        return e.operator === 'and'
          ? `((${t} = ${l}) === undefined || ${t} === false ? ${t} : ${r})`
          : `((${t} = ${l}) !== undefined && ${t} !== false ? ${t} : ${r})`;
      }
      case 'UnaryExpression':
        return this.unary(e);
      default:
        throw new CompileRefused(`unsupported expression ${e.type}`);
    }
  }

  private identifier(e: Node): string {
    const v = this.resolve(e.name);
    if (v) return v.js;
    const name: string = e.name;
    if (FALLBACK_NAMES.has(name)) throw new CompileRefused(`uses ${name}`);
    const g = this.opts.globals;
    // KEYS and ARGV of the EVAL environment: the runtime holds the running script's tables.
    if (this.opts.dynamicGlobals?.has(name)) return `R.${name}`;
    if (g.readonly) {
      const value = g.getStr(name);
      // A read-only environment cannot change: its values are constants of the script.
      if (value !== undefined) {
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        return this.k(value);
      }
    }
    return `R.getGlobal(${this.k(g)}, ${this.str(name)})`;
  }

  /** Constant value of an expression when it is known at compile time (read-only library fields). */
  private constValue(e: Node): { value: LuaValue } | undefined {
    if (e.type === 'Identifier') {
      if (this.scope.lookup(e.name) || this.opts.dynamicGlobals?.has(e.name)) return undefined;
      if (FALLBACK_NAMES.has(e.name)) throw new CompileRefused(`uses ${e.name}`);
      const g = this.opts.globals;
      if (!g.readonly) return undefined;
      const value = g.getStr(e.name);
      return value === undefined ? undefined : { value };
    }
    if (e.type === 'MemberExpression' && e.indexer === '.') {
      const base = this.constValue(e.base);
      if (base && base.value instanceof LuaTable && base.value.readonly) {
        if (e.identifier.name === 'dump' && FALLBACK_NAMES.has('dump')) throw new CompileRefused('uses string.dump');
        const value = base.value.getStr(e.identifier.name);
        if (value !== undefined) return { value };
      }
    }
    return undefined;
  }

  private index(baseNode: Node, keyNode: Node, name: string | undefined, line: number): string {
    if (keyNode.type === 'StringLiteral') {
      const c = this.constValue({ type: 'MemberExpression', indexer: '.', base: baseNode, identifier: { name: keyNode.value } });
      if (c) return this.constExpr(c.value);
      if (keyNode.value === 'dump' && FALLBACK_NAMES.has('dump')) throw new CompileRefused('uses string.dump');
    }
    const fn = this.scope.fn;
    const o = fn.temp();
    const v = fn.temp();
    const base = this.expr(baseNode);
    if (keyNode.type === 'StringLiteral') {
      const key = this.str(keyNode.value);
      const h = luaStringHash(keyNode.value);
      return `((${o} = ${base}) instanceof LT && (${v} = ${o}.getStrH(${key}, ${h})) !== undefined ? ${v} : ${this.at(line, `R.index(${o}, ${key}, ${this.nameArg(name)})`)})`;
    }
    const kk = fn.temp();
    const key = this.expr(keyNode);
    return `(${o} = ${base}, ${kk} = ${key}, ${o} instanceof LT && (${v} = ${o}.get(${kk})) !== undefined ? ${v} : ${this.at(line, `R.index(${o}, ${kk}, ${this.nameArg(name)})`)})`;
  }

  private constExpr(value: LuaValue): string {
    if (typeof value === 'number') return this.num(value);
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'string') return this.str(value);
    return this.k(value);
  }

  private tableConstructor(e: Node): string {
    const fields: Node[] = e.fields;
    let narr = 0;
    let nrec = 0;
    for (const f of fields) {
      if (f.type === 'TableValue') narr++;
      else nrec++;
    }
    const lastField = fields[fields.length - 1];
    const lastMulti = lastField && lastField.type === 'TableValue' && MULTI.has(lastField.value.type) && this.parenCount(lastField.range[0], lastField.value) === 0;
    if (lastMulti) narr--;
    const fn = this.scope.fn;
    const t = fn.temp();
    const [a, h] = R.constructorSizes(narr, nrec);
    const parts = [`${t} = new LT(${a}, ${h})`];
    // Lua keeps list items in registers and stores them 50 at a time (when the next field
    // starts, and at the '}'), while record items are stored at once: with both kinds, the
    // list values wait in temps so that stores happen in Lua's order.
    const buffered = nrec > 0 && narr > 0;
    let pending: Array<[number, string]> = [];
    const flush = () => {
      for (const [i, v] of pending) parts.push(`R.setItem(${t}, ${i}, ${v})`);
      pending = [];
    };
    let idx = 1;
    // Debug compiles: a field on a line of its own is a line event (Lua's hook sees its code there).
    const tableLine = e.loc.start.line;
    // Lua stores list items at the '}' (SETLIST), on that line.
    const listAt = this.debug && (narr > 0 || lastMulti) && e.loc.end.line !== tableLine ? this.atExpr(e.loc.end.line) : '';
    // A field's value is stored (or, for a list item, moved into place) by an instruction on the
    // line where the value ends; a call or a nested table starts its code where it starts; the
    // last list item is moved at the '}' (listAt).
    const fieldLine = (f: Node): number => this.valueLine(f.value, f.type === 'TableValue' && f === lastField, e.loc.end.line);
    const fieldAt = (f: Node, code: string): string => (this.debug && fieldLine(f) !== tableLine ? `(${this.atExpr(fieldLine(f))}, ${code})` : code);
    for (const f of fields) {
      if (pending.length === 50) flush();
      if (f.type === 'TableKeyString') parts.push(`R.rawsetKey(${t}, ${this.str(f.key.name)}, ${fieldAt(f, this.expr(f.value))})`);
      else if (f.type === 'TableKey') {
        const key = f.key.type === 'StringLiteral' ? this.str(f.key.value) : this.expr(f.key);
        parts.push(`R.rawsetKey(${t}, ${key}, ${fieldAt(f, this.expr(f.value))})`);
      } else if (f === lastField && lastMulti) {
        const m = fn.temp();
        parts.push(`${m} = ${fieldAt(f, this.multi(f.value))}`);
        if (listAt) parts.push(listAt);
        flush();
        parts.push(`R.setList(${t}, ${idx}, ${m})`);
      } else if (buffered) {
        const v = fn.temp();
        parts.push(`${v} = ${fieldAt(f, this.expr(f.value))}`);
        pending.push([idx++, v]);
      } else {
        parts.push(`R.setItem(${t}, ${idx++}, ${fieldAt(f, this.expr(f.value))})`);
      }
    }
    if (listAt && !lastMulti) parts.push(listAt);
    flush();
    parts.push(t);
    return `(${parts.join(', ')})`;
  }

  /** Operands: simple ones are used as they are, others go through temps (evaluated in order). */
  private operands(nodes: Node[]): { pre: string[]; vals: string[] } {
    const pre: string[] = [];
    const vals: string[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (i > 0 && this.debug && n.loc.start.line !== nodes[i - 1].loc.end.line) pre.push(this.atExpr(n.loc.start.line));
      if (this.isSimple(n)) vals.push(this.expr(n));
      else {
        const t = this.scope.fn.temp();
        pre.push(`${t} = ${this.expr(n)}`);
        vals.push(t);
      }
    }
    return { pre, vals };
  }

  private seq(pre: string[], result: string): string {
    return pre.length === 0 ? `(${result})` : `(${pre.join(', ')}, ${result})`;
  }

  private binary(e: Node): string {
    const op: string = e.operator;
    const arith = ARITH[op];
    if (arith) {
      const { pre, vals } = this.operands([e.left, e.right]);
      const [a, b] = vals;
      const checks = [e.left, e.right].map((n, i) => (n.type === 'NumericLiteral' ? '' : `typeof ${vals[i]} === 'number'`)).filter(Boolean);
      let fast: string;
      if (op === '%') fast = `${a} - Math.floor(${a} / ${b}) * ${b}`;
      else if (op === '^') fast = `Math.pow(${a}, ${b})`;
      else fast = `${a} ${op} ${b}`;
      const slow = this.at(e.loc.end.line, `R.arith(${this.str(arith)}, ${a}, ${b}, ${this.nameArg(this.nameOf(e.left))}, ${this.nameArg(this.nameOf(e.right))})`);
      return this.seq(pre, checks.length ? `${checks.join(' && ')} ? ${fast} : ${slow}` : fast);
    }
    if (op === '..') {
      const { pre, vals } = this.operands([e.left, e.right]);
      const [a, b] = vals;
      const slow = this.at(e.loc.end.line, `R.concat(${a}, ${b}, ${this.nameArg(this.nameOf(e.left))}, ${this.nameArg(this.nameOf(e.right))})`);
      return this.seq(pre, `typeof ${a} === 'string' && typeof ${b} === 'string' ? ${a} + ${b} : ${slow}`);
    }
    return this.compare(e);
  }

  /** Comparisons give JS booleans, which are Lua booleans. */
  private compare(e: Node): string {
    const op: string = e.operator;
    const { pre, vals } = this.operands([e.left, e.right]);
    const [a, b] = vals;
    const lit = (n: Node) => n.type === 'NumericLiteral' || n.type === 'StringLiteral' || n.type === 'NilLiteral' || n.type === 'BooleanLiteral';
    if (op === '==' || op === '~=') {
      const eq = lit(e.left) || lit(e.right) ? `${a} === ${b}` : `(${a} === ${b} || typeof ${a} === 'object' && typeof ${b} === 'object' && R.eqMeta(${a}, ${b}))`;
      return this.seq(pre, op === '==' ? eq : `!(${eq})`);
    }
    const num = (x: string, n: Node) => (n.type === 'NumericLiteral' ? '' : `typeof ${x} === 'number'`);
    const checks = [num(a, e.left), num(b, e.right)].filter(Boolean).join(' && ');
    // a > b is b < a, a >= b is b <= a (the operands keep their evaluation order).
    const [x, y, fn] = op === '<' ? [a, b, 'lt'] : op === '<=' ? [a, b, 'le'] : op === '>' ? [b, a, 'lt'] : [b, a, 'le'];
    const jsop = fn === 'lt' ? '<' : '<=';
    return this.seq(pre, checks ? `${checks} ? ${x} ${jsop} ${y} : ${this.at(e.loc.end.line, `R.${fn}(${x}, ${y})`)}` : `${x} ${jsop} ${y}`);
  }

  private unary(e: Node): string {
    const { pre, vals } = this.operands([e.argument]);
    const a = vals[0];
    const name = this.nameArg(this.nameOf(e.argument));
    const line = e.loc.end.line;
    switch (e.operator) {
      case 'not':
        return this.seq(pre, `${a} === undefined || ${a} === false`);
      case '-':
        return this.seq(pre, `typeof ${a} === 'number' ? -${a} : ${this.at(line, `R.unm(${a}, ${name})`)}`);
      case '#':
        return this.seq(pre, `typeof ${a} === 'string' ? (${a}).length : ${this.at(line, `R.len(${a}, ${name})`)}`);
      default:
        throw new CompileRefused(`operator ${e.operator}`);
    }
  }

  /** A condition evaluated at a loop's top or an elseif: P moves to its line first. */
  private condAt(e: Node): string {
    const line = e.loc.start.line;
    this.curLine = line;
    if (this.debug) return `(D.at($F, ${line}, ${this.localsFn()}), P = ${this.pos(line)}, ${this.test(e)})`;
    return `(P = ${this.pos(line)}, ${this.test(e)})`;
  }

  /** A condition as a JS boolean expression. */
  test(e: Node): string {
    switch (e.type) {
      case 'BooleanLiteral':
        return e.value ? 'true' : 'false';
      case 'NilLiteral':
        return 'false';
      case 'NumericLiteral':
      case 'StringLiteral':
      case 'TableConstructorExpression':
      case 'FunctionDeclaration':
        return `(${this.expr(e)}, true)`;
      case 'LogicalExpression':
        return e.operator === 'and' ? `(${this.test(e.left)} && ${this.rightAt(e, this.test(e.right))})` : `(${this.test(e.left)} || ${this.rightAt(e, this.test(e.right))})`;
      case 'UnaryExpression':
        if (e.operator === 'not') return `!${this.test(e.argument)}`;
        break;
      case 'BinaryExpression':
        if (['==', '~=', '<', '<=', '>', '>='].includes(e.operator)) return this.compare(e);
        break;
      case 'Identifier':
        if (this.scope.lookup(e.name)) {
          const v = this.expr(e);
          return `(${v} !== undefined && ${v} !== false)`;
        }
        break;
    }
    const t = this.scope.fn.temp();
    return `((${t} = ${this.expr(e)}) !== undefined && ${t} !== false)`;
  }

  /** A call; `wantArray` (always true here) gives the result array. */
  private callExpr(e: Node, wantArray: boolean): string {
    void wantArray;
    const tail = this.tailNext;
    this.tailNext = false;
    const fn = this.scope.fn;
    let argNodes: Node[];
    let argsFrom: number;
    if (e.type === 'StringCallExpression') {
      argNodes = [e.argument];
      argsFrom = e.argument.range[0];
    } else if (e.type === 'TableCallExpression') {
      argNodes = [e.arguments];
      argsFrom = e.arguments.range[0];
    } else {
      argNodes = e.arguments;
      // Skip the call's own '(' (the first one after the callee).
      const open = this.src.indexOf('(', e.base.range[1]);
      argsFrom = open + 1;
      // Lua 5.1 refuses a call whose '(' starts a new line (its parser reports it).
      if (/[\n\r]/.test(this.src.slice(e.base.range[1], open).replace(/--\[(=*)\[[\s\S]*?\]\1\]|--[^\n]*/g, (m) => m.replace(/[^\n\r]/g, ''))))
        throw new CompileRefused('ambiguous syntax (function call x new statement)');
    }
    const base = e.base;
    const line = base.loc.end.line;
    const pre: string[] = [];
    let callee: string;
    let self: string | undefined;
    const isMethod = base.type === 'MemberExpression' && base.indexer === ':';
    const name = this.funcName(base);
    const what = this.nameOf(base);
    const P = this.pos(line, name, isMethod);
    if (isMethod) {
      const o = fn.temp();
      pre.push(`${o} = ${this.expr(base.base)}`);
      self = o;
      const f = fn.temp();
      const key = this.str(base.identifier.name);
      pre.push(`${f} = R.method(${o}, ${key}, ${this.nameArg(this.nameOf(base.base))})`);
      callee = f;
    } else {
      const c = this.constValue(base);
      if (c && typeof c.value === 'function') callee = this.k(c.value);
      else if (base.type === 'Identifier' && this.scope.lookup(base.name) && !argNodes.some((a) => this.hasCall(a))) callee = this.expr(base);
      else {
        const f = fn.temp();
        pre.push(`${f} = ${this.expr(base)}`);
        callee = f;
      }
    }
    // Debug compiles: arguments on other lines than the call are line events, and so is the call
    // itself afterwards (Lua puts the CALL on the line of its '('); the arguments then go to temps.
    const closeLine = e.loc.end.line;
    const argLines = this.debug && argNodes.some((a, i) => a.loc.start.line !== line || a.loc.end.line !== line || this.valueLine(a, i === argNodes.length - 1, closeLine) !== line);
    // Arguments that run calls go to temps so that P names this call when it runs.
    // (Debug compiles always do: the callee's name is set after the arguments, which may run
    // other calls through metamethods.)
    const hoist = this.debug || argNodes.some((a) => this.hasCall(a));
    const args: string[] = self ? [self] : [];
    let prevEnd = argsFrom;
    argNodes.forEach((a, i) => {
      const last = i === argNodes.length - 1;
      const spread = last && MULTI.has(a.type) && this.parenCount(prevEnd, a) === 0;
      let v = spread ? this.multi(a) : this.expr(a);
      if (argLines && this.valueLine(a, last, closeLine) !== line) pre.push(this.atExpr(this.valueLine(a, last, closeLine)));
      if (hoist && !this.isSimple(a)) {
        const t = fn.temp();
        pre.push(`${t} = ${v}`);
        v = t;
      }
      args.push(spread ? `...${v}` : v);
      prevEnd = a.range[1];
    });
    if (argLines) pre.push(this.atExpr(line));
    // Debug compiles: the callee learns the name it was called by (Lua's getfuncname).
    if (this.debug) {
      pre.push(`D.cn = ${this.nameArg(name)}, D.cf = ${callee}, D.tc = ${tail}`);
      this.lastCallee = callee;
    }
    pre.push(`P = ${P}`);
    const list = args.join(', ');
    const known = callee.startsWith('K') && !isMethod;
    const call = known ? `${callee}(${list})` : `(typeof ${callee} === 'function' ? ${callee}(${list}) : R.call(${callee}, [${list}], ${this.nameArg(what)}))`;
    return `(${pre.join(', ')}, ${call})`;
  }
}
