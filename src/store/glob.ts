/**
 * Glob-style matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
 * `*`, `?`, `[abc]`, `[^a-z]`, `\x` escapes. Strings are latin1 (one char per byte).
 *
 * A naive backtracking matcher is exponential on patterns like `a*a*a*a*b`. Once the tail after
 * a `*` has failed to match at every position, no earlier `*` can help by consuming more, so the
 * whole match is abandoned ("give up" flag) — this keeps the worst case polynomial.
 */

function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export function globMatch(pattern: string, str: string, nocase = false): boolean {
  const state = { giveUp: false };
  return matchFrom(pattern, 0, str, 0, nocase, state);
}

function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean, st: { giveUp: boolean }): boolean {
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      for (; si < slen; si++) {
        if (matchFrom(p, pi + 1, s, si, nocase, st)) return true;
        if (st.giveUp) return false;
      }
      st.giveUp = true;
      return false;
    } else if (pc === 63 /* ? */) {
      si++;
    } else if (pc === 91 /* [ */) {
      pi++;
      const negate = p.charCodeAt(pi) === 94; /* ^ */
      if (negate) pi++;
      let matched = false;
      const c = s.charCodeAt(si);
      for (;;) {
        if (pi >= plen) {
          // Unterminated class: the last char acts as the end of the pattern.
          pi--;
          break;
        }
        const cc = p.charCodeAt(pi);
        if (cc === 92 /* \ */ && pi + 1 < plen) {
          pi++;
          if (p.charCodeAt(pi) === c) matched = true;
        } else if (cc === 93 /* ] */) {
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* - */) {
          // Redis compares range bounds as C `char`, which is signed on the platforms it
          // ships for (x86-64): bytes >= 0x80 sort below ASCII inside a range.
          let lo = signedChar(cc);
          let hi = signedChar(p.charCodeAt(pi + 2));
          let x = signedChar(c);
          if (lo > hi) [lo, hi] = [hi, lo];
          if (nocase) {
            lo = lower(lo);
            hi = lower(hi);
            x = lower(x);
          }
          pi += 2;
          if (x >= lo && x <= hi) matched = true;
        } else if (nocase ? lower(cc) === lower(c) : cc === c) {
          matched = true;
        }
        pi++;
      }
      if (negate) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      let want = pc;
      if (pc === 92 /* \ */ && pi + 1 < plen) {
        pi++;
        want = p.charCodeAt(pi);
      }
      const c = s.charCodeAt(si);
      if (nocase ? lower(want) !== lower(c) : want !== c) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}

/** True when the pattern has no glob metacharacters (lets callers do a direct lookup). */
export function isLiteralPattern(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 42 || c === 63 || c === 91 || c === 92) return false;
  }
  return true;
}
