/**
 * Script flags: the `#!lua flags=...` shebang of EVAL scripts (7.0) and the flags of
 * FUNCTION's register_function, and how they change the checks a script call goes through.
 */

export const enum ScriptFlag {
  NoWrites = 1 << 0,
  AllowOom = 1 << 1,
  AllowStale = 1 << 2,
  NoCluster = 1 << 3,
  AllowCrossSlot = 1 << 4,
  /** No shebang: an EVAL script of before 7.0, checked per command instead of up front. */
  EvalCompat = 1 << 5,
}

export const FLAG_NAMES: readonly [string, ScriptFlag][] = [
  ['no-writes', ScriptFlag.NoWrites],
  ['allow-oom', ScriptFlag.AllowOom],
  ['allow-stale', ScriptFlag.AllowStale],
  ['no-cluster', ScriptFlag.NoCluster],
  ['allow-cross-slot-keys', ScriptFlag.AllowCrossSlot],
];

export interface Shebang {
  flags: number;
  /** Bytes of the shebang line (without its newline): blanked before compiling, so lines keep their numbers. */
  length: number;
}

/** Splits a line like redis's sdssplitargs does for plain words (quotes are kept simple). */
function splitWords(line: string): string[] {
  return line.split(/[ \t]+/).filter((w) => w.length > 0);
}

/** Reads an EVAL script's shebang; returns an error text (without "ERR ") when it is invalid. */
export function parseEvalShebang(body: string): Shebang | string {
  if (!body.startsWith('#!')) return { flags: ScriptFlag.EvalCompat, length: 0 };
  const end = body.indexOf('\n');
  if (end < 0) return 'Invalid script shebang';
  const parts = splitWords(body.slice(0, end).replace(/\r$/, ''));
  if (parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return `Unknown lua shebang option: ${part}`;
    const list = part.slice(6);
    for (const name of list === '' ? [] : list.split(',')) {
      const f = FLAG_NAMES.find(([n]) => n === name);
      if (!f) return `Unexpected flag in script shebang: ${name}`;
      flags |= f[1];
    }
  }
  return { flags, length: end };
}

/** The command flags a script call is checked with, from the script's declared flags (7.0's scriptFlagsToCmdFlags). */
export function commandFlagsFor(base: ReadonlySet<string>, scriptFlags: number): Set<string> {
  const out = new Set(base);
  if (scriptFlags & ScriptFlag.EvalCompat) return out;
  out.delete('stale');
  out.delete('denyoom');
  out.delete('write');
  if (!(scriptFlags & (ScriptFlag.AllowOom | ScriptFlag.NoWrites))) out.add('denyoom');
  if (!(scriptFlags & ScriptFlag.NoWrites)) out.add('write');
  if (scriptFlags & ScriptFlag.AllowStale) out.add('stale');
  out.delete('may_replicate');
  return out;
}
