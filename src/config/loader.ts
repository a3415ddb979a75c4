/**
 * Reads redis.conf syntax (with `include`) and `--directive value` command-line options into a
 * Config, reporting errors with Redis's "FATAL CONFIG FILE ERROR" block.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitArgs } from '../protocol/request-parser.js';
import { Config, ConfigError } from './config.js';
import { REDIS_VERSION } from '../version.js';

export class FatalConfigError extends Error {
  constructor(
    readonly reason: string,
    readonly lineNumber: number,
    readonly line: string,
  ) {
    super(formatFatal(reason, lineNumber, line));
  }
}

function formatFatal(reason: string, lineNumber: number, line: string): string {
  let s = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (lineNumber > 0) s += `Reading the configuration file, at line ${lineNumber}\n>>> '${line}'\n`;
  return s + reason + '\n';
}

/**
 * Applies a whole config text. Lines are numbered within `text`; `include` loads another file
 * (relative paths resolve from the process's working directory, as in Redis).
 */
export function loadConfigText(config: Config, text: string, depth = 0): void {
  if (depth > 32) throw new FatalConfigError('Too many nested includes', 0, '');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line[0] === '#') continue;
    const args = splitArgs(line);
    if (args === null) throw new FatalConfigError('Unbalanced quotes in configuration line', i + 1, line);
    if (args.length === 0) continue;
    const directive = args[0].toLowerCase();
    if (directive === 'include' && args.length === 2) {
      loadConfigFile(config, args[1], depth + 1);
      continue;
    }
    try {
      config.applyDirective(args);
    } catch (e) {
      if (e instanceof ConfigError) throw new FatalConfigError(e.message, i + 1, line);
      throw e;
    }
  }
}

export function loadConfigFile(config: Config, path: string, depth = 0): void {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FatalConfigError(`Fatal error, can't open config file '${resolve(path)}': ${describeErrno(err)}`, 0, '');
  }
  loadConfigText(config, text, depth);
}

function describeErrno(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  if (err.code === 'EISDIR') return 'Is a directory';
  return err.message;
}

/**
 * Turns `redis-server`-style argv into config text: an optional config file path first, then
 * `--name value...` options, each starting a new directive line.
 */
export function argvToConfig(argv: string[]): { file: string | null; options: string } {
  let file: string | null = null;
  let i = 0;
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    file = argv[0];
    i = 1;
  }
  const lines: string[] = [];
  let current: string[] | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && a.length > 2) {
      if (current) lines.push(current.join(' '));
      current = [a.slice(2)];
    } else {
      if (!current) {
        // A bare word where a directive was expected: let the loader report it on its line.
        current = [quoteArg(a)];
      } else {
        current.push(quoteArg(a));
      }
    }
  }
  if (current) lines.push(current.join(' '));
  return { file, options: lines.join('\n') };
}

/** Quotes an argument so splitArgs gives it back unchanged (like Redis's sdscatrepr). */
function quoteArg(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
