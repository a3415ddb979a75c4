/**
 * Reads redis.conf syntax (with `include`, `rename-command` and the directives reddish refuses)
 * and `--directive value` command-line options into a Config, reporting errors as Redis does:
 * the "FATAL CONFIG FILE ERROR" block, or a single log line when a file cannot be opened.
 */
import { validateUserLine, userLineRules } from '../acl/rules.js';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { splitArgs } from '../protocol/request-parser.js';
import { globMatch } from '../store/glob.js';
import { formatLogTime } from '../log/logger.js';
import { Config, ConfigError } from './config.js';
import { DEPRECATED_DIRECTIVES } from './defs.js';
import { REDIS_VERSION } from '../version.js';

export class FatalConfigError extends Error {
  /** Where the report goes: Redis writes the block to stderr, the open failure as a log line. */
  readonly stream: 'stderr' | 'log';
  /** For 'log' reports: the log file configured when the error happened ('' = stdout). */
  logfile = '';
  constructor(
    readonly reason: string,
    readonly lineNumber: number,
    readonly line: string,
    stream: 'stderr' | 'log' = 'stderr',
  ) {
    super(stream === 'log' ? logLine(reason) : formatFatal(reason, lineNumber, line));
    this.stream = stream;
  }
}

function formatFatal(reason: string, lineNumber: number, line: string): string {
  let s = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (lineNumber > 0) s += `Reading the configuration file, at line ${lineNumber}\n>>> '${line}'\n`;
  return s + reason + '\n';
}

/** A warning log line as Redis writes it before the server role is known. */
function logLine(message: string): string {
  return `${process.pid}:C ${formatLogTime(new Date())} # ${message}\n`;
}

/**
 * Prints a FatalConfigError where Redis would: the report block on stderr; an unreadable
 * config file as a log line on stdout, or in the log file when one was configured before it.
 */
export function reportFatalConfig(e: FatalConfigError): void {
  // Synchronous writes: the caller exits right after, possibly from the server thread.
  if (e.stream === 'stderr') {
    writeSync(2, e.message);
    return;
  }
  if (e.logfile !== '') {
    try {
      appendFileSync(e.logfile, e.message);
      return;
    } catch {
      // Redis falls back to stdout when the log file cannot be opened.
    }
  }
  writeSync(1, e.message);
}

/** Texts for directives that would need a feature reddish lacks. */
const MISSING = {
  loadmodule: 'reddish does not support modules: loadmodule cannot be honoured',
  moduleConfig: 'reddish does not support modules: module configuration directives cannot be honoured',
} as const;

/**
 * Applies a whole config text. Lines are numbered within `text`; `include` loads another file
 * (relative paths resolve from the process's working directory, as in Redis).
 */
export function loadConfigText(config: Config, text: string, depth = 0): void {
  if (depth > 32) throw new FatalConfigError('Too many nested includes', 0, '');
  config.readingFile = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line[0] === '#') continue;
    const args = splitArgs(line);
    if (args === null) throw new FatalConfigError('Unbalanced quotes in configuration line', i + 1, line);
    if (args.length === 0) continue;
    const directive = args[0].toLowerCase();
    const fail = (reason: string): never => {
      throw new FatalConfigError(reason, i + 1, line);
    };
    if (config.def(directive)) {
      try {
        config.applyDirective(args);
      } catch (e) {
        if (e instanceof ConfigError) fail(e.message);
        throw e;
      }
      continue;
    }
    if (DEPRECATED_DIRECTIVES.get(directive) === args.length) continue;
    if (directive === 'include' && args.length === 2) {
      includeFile(config, args[1], depth + 1);
    } else if (directive === 'rename-command' && args.length === 3) {
      // Checked and applied against the command table when the server builds it.
      config.renames.push({ from: args[1], to: args[2], lineNumber: i + 1, line });
    } else if (directive === 'user' && args.length >= 2) {
      const err = validateUserLine(args, config.aclUsers);
      if (err !== null) fail(err);
      config.aclUsers.push(userLineRules(args));
    } else if (directive === 'loadmodule' && args.length >= 2) {
      fail(MISSING.loadmodule);
    } else if (directive.includes('.')) {
      fail(args.length < 2 ? 'Module config specified without value' : MISSING.moduleConfig);
    } else if (directive === 'sentinel') {
      // A bare "sentinel" line is skipped by Redis outside sentinel mode; anything else fails.
      if (args.length !== 1) fail('sentinel directive while not in sentinel mode');
    } else {
      fail('Bad directive or wrong number of arguments');
    }
  }
  config.readingFile = false;
  checkLogfile(config);
}

/** Like Redis, fail at load time when the configured log file cannot be opened for appending. */
function checkLogfile(config: Config): void {
  const logfile = config.str('logfile');
  if (logfile === '') return;
  try {
    closeSync(openSync(logfile, 'a'));
  } catch (e) {
    throw new FatalConfigError(`Can't open the log file: ${describeErrno(e as NodeJS.ErrnoException)}`, 0, '');
  }
}

function openFailure(shownPath: string, e: unknown, config?: Config): FatalConfigError {
  const err = new FatalConfigError(`Fatal error, can't open config file '${shownPath}': ${describeErrno(e as NodeJS.ErrnoException)}`, 0, '', 'log');
  if (config) err.logfile = config.str('logfile');
  return err;
}

/** `include path`: a missing file is fatal; a pattern matching nothing is skipped (conf.d style). */
function includeFile(config: Config, path: string, depth: number): void {
  if (/[*?[]/.test(path)) {
    for (const p of globFiles(path)) {
      let text: string;
      try {
        text = readFileSync(p, 'latin1');
      } catch (e) {
        throw openFailure(p, e, config);
      }
      loadConfigText(config, text, depth);
    }
    return;
  }
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw openFailure(path, e, config);
  }
  loadConfigText(config, text, depth);
}

/** Files matching a pattern in its last path component, sorted like glob(3). */
function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((n) => !n.startsWith('.') && globMatch(base, n, false))
    .sort()
    .map((n) => (dir === '.' && !pattern.startsWith('./') ? n : join(dir, n)));
}

export function loadConfigFile(config: Config, path: string, depth = 0): void {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw openFailure(resolve(path), e);
  }
  loadConfigText(config, text, depth);
}

/**
 * Redis's loadServerConfig: the file's text, then stdin's, then the command-line options
 * (after a newline) are read as one text, so line numbers of options follow the file's.
 */
export function loadServerConfig(config: Config, file: string | null, stdinText: string | null, options: string): void {
  let text = '';
  if (file !== null) {
    try {
      text = readFileSync(file, 'latin1');
    } catch (e) {
      throw openFailure(resolve(file), e);
    }
  }
  if (stdinText !== null) text += stdinText;
  if (options !== '') text += '\n' + options;
  loadConfigText(config, text);
}

function describeErrno(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  if (err.code === 'EISDIR') return 'Is a directory';
  if (err.code === 'ENOTDIR') return 'Not a directory';
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
