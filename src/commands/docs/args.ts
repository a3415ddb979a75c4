/**
 * A one-line notation for COMMAND DOCS argument trees, close to the syntax line of the
 * documentation, so the tables stay readable and small:
 *
 *   key:k value condition(NX|XX)?@2.6.12 GET?@6.2.0 LIMIT=limit{offset:i count:i}?
 *
 * - `name` is a string argument; `name:T` gives the type: k key, i integer, d double,
 *   p pattern, t unix-time, - pure-token.
 * - `TOKEN=name` puts a token before the argument; a bare `TOKEN` is a pure token whose name
 *   is the token in lower case. Names or tokens outside [A-Za-z0-9_-] are "quoted".
 * - `name(a|b)` is a oneof, `name{a b}` a block.
 * - Suffixes: `?` optional, `+` multiple, `&` multiple_token, `@v` since, `!v` deprecated_since,
 *   `#n` key_spec_index (by default key arguments are numbered in order of appearance; other
 *   arguments, such as SORT's BY pattern, have one only when given).
 */
import type { CommandArg } from '../registry.js';

const TYPES: Record<string, CommandArg['type']> = { k: 'key', i: 'integer', d: 'double', p: 'pattern', t: 'unix-time', '-': 'pure-token', s: 'string' };
const CODES: Record<string, string> = Object.fromEntries(Object.entries(TYPES).map(([c, t]) => [t, c]));
const IDENT = /[A-Za-z0-9_-]/;

export function parseArgs(text: string): CommandArg[] {
  let p = 0;
  let keyIndex = 0;
  const fail = (why: string): never => {
    throw new Error(`bad argument notation at ${p} (${why}): ${text}`);
  };
  const atom = (): { s: string; quoted: boolean } => {
    if (text[p] === '"') {
      const end = text.indexOf('"', p + 1);
      if (end < 0) fail('unterminated quote');
      const s = text.slice(p + 1, end);
      p = end + 1;
      return { s, quoted: true };
    }
    const start = p;
    while (p < text.length && IDENT.test(text[p])) p++;
    if (p === start) fail('name expected');
    return { s: text.slice(start, p), quoted: false };
  };
  const number = (): string => {
    const start = p;
    while (p < text.length && /[0-9.]/.test(text[p])) p++;
    return text.slice(start, p);
  };
  const item = (): CommandArg => {
    const first = atom();
    let token: string | undefined;
    let name: string;
    let type: CommandArg['type'] = 'string';
    if (text[p] === '=') {
      p++;
      token = first.s;
      name = atom().s;
    } else if (!first.quoted && /^[A-Z]/.test(first.s)) {
      token = first.s;
      name = first.s.toLowerCase();
      type = 'pure-token';
    } else name = first.s;
    if (text[p] === ':') {
      type = TYPES[text[p + 1]] ?? fail('unknown type');
      p += 2;
    }
    let sub: CommandArg[] | undefined;
    if (text[p] === '(' || text[p] === '{') {
      const close = text[p] === '(' ? ')' : '}';
      type = text[p] === '(' ? 'oneof' : 'block';
      p++;
      sub = list(close === ')' ? '|' : ' ', close);
    }
    const arg: CommandArg = { name, type };
    if (token !== undefined) arg.token = token;
    for (;;) {
      const c = text[p];
      if (c === '?') arg.optional = true;
      else if (c === '+') arg.multiple = true;
      else if (c === '&') arg.multipleToken = true;
      else if (c === '@' || c === '!' || c === '#') {
        p++;
        const v = number();
        if (c === '@') arg.since = v;
        else if (c === '!') arg.deprecatedSince = v;
        else arg.keySpecIndex = Number(v);
        continue;
      } else break;
      p++;
    }
    if (type === 'key') {
      arg.keySpecIndex ??= keyIndex;
      keyIndex = arg.keySpecIndex + 1;
    }
    if (sub) arg.arguments = sub;
    return arg;
  };
  const list = (sep: string, close: string | null): CommandArg[] => {
    const out: CommandArg[] = [];
    for (;;) {
      out.push(item());
      if (p >= text.length) {
        if (close) fail(`'${close}' expected`);
        return out;
      }
      if (text[p] === close) {
        p++;
        return out;
      }
      if (text[p] !== sep) fail(`'${sep}' expected`);
      p++;
    }
  };
  return text === '' ? [] : list(' ', null);
}

/** The inverse of parseArgs, used to write the tables from what redis-server reports. */
export function formatArgs(args: readonly CommandArg[]): string {
  let keyIndex = 0;
  const quote = (s: string, re: RegExp) => (re.test(s) ? s : `"${s}"`);
  const one = (a: CommandArg): string => {
    let s: string;
    const name = quote(a.name, /^[a-z][a-z0-9_-]*$/);
    if (a.type === 'pure-token' && a.token !== undefined && /^[A-Z][A-Z0-9_-]*$/.test(a.token) && a.name === a.token.toLowerCase()) s = a.token;
    else {
      s = a.token !== undefined ? `${quote(a.token, /^[A-Za-z0-9_-]+$/)}=${name}` : name;
      if (a.type !== 'string' && a.type !== 'oneof' && a.type !== 'block') s += ':' + CODES[a.type];
    }
    if (a.type === 'oneof') s += `(${a.arguments!.map(one).join('|')})`;
    if (a.type === 'block') s += `{${a.arguments!.map(one).join(' ')}}`;
    if (a.optional) s += '?';
    if (a.multiple) s += '+';
    if (a.multipleToken) s += '&';
    if (a.since !== undefined) s += '@' + a.since;
    if (a.deprecatedSince !== undefined) s += '!' + a.deprecatedSince;
    if (a.type === 'key') {
      if (a.keySpecIndex !== keyIndex) s += '#' + a.keySpecIndex;
      keyIndex = a.keySpecIndex! + 1;
    } else if (a.keySpecIndex !== undefined) s += '#' + a.keySpecIndex;
    return s;
  };
  return args.map(one).join(' ');
}
