/**
 * Redis's log format: `<pid>:<role> <dd> <Mon> <yyyy> <HH>:<MM>:<SS>.<mmm> <level> <message>`.
 * Role: M master, S replica, C child/early startup, X sentinel. Level chars: `.` debug,
 * `-` verbose, `*` notice, `#` warning. Time is local time like Redis.
 */
import { appendFileSync, openSync, closeSync, writeSync } from 'node:fs';
import type { SyslogSink } from './syslog.js';

export const enum LogLevel {
  Debug = 0,
  Verbose = 1,
  Notice = 2,
  Warning = 3,
}

export const LEVEL_NAMES = ['debug', 'verbose', 'notice', 'warning'] as const;
const LEVEL_CHARS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function formatLogTime(d: Date): string {
  const ms = d.getMilliseconds();
  return (
    `${pad2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.` +
    (ms < 10 ? '00' + ms : ms < 100 ? '0' + ms : String(ms))
  );
}

export class Logger {
  level: LogLevel = LogLevel.Notice;
  /** '' means standard output. */
  private file = '';
  /** Role letter provider (M/S/C). */
  role: () => string = () => 'M';
  /** Extra sink (tests, the embeddable API). */
  onLine: ((line: string) => void) | null = null;
  /** When true nothing is written to stdout (embedded servers). */
  quietStdout = false;
  /** syslog-enabled: each line's message also goes here. */
  syslog: SyslogSink | null = null;

  setFile(path: string): void {
    if (path !== '') {
      // Fail early like Redis when the log file cannot be opened.
      const fd = openSync(path, 'a');
      closeSync(fd);
    }
    this.file = path;
  }

  getFile(): string {
    return this.file;
  }

  log(level: LogLevel, message: string): void {
    if (level < this.level) return;
    this.write(level, message, this.role());
  }

  /** Writes a line regardless of the configured level and with an explicit role (startup banner). */
  raw(level: LogLevel, message: string, role: string): void {
    this.write(level, message, role);
  }

  /** Writes a block of text without the line prefix, if the level passes (Redis's LL_RAW). */
  block(level: LogLevel, text: string): void {
    if (level < this.level) return;
    this.emit(text);
    this.syslog?.write(level, text);
  }

  /** Writes `<pid>:<text>` as is (Redis's signal handler lines have no time or level). */
  plain(text: string): void {
    this.emit(`${process.pid}:${text}\n`);
  }

  private write(level: LogLevel, message: string, role: string): void {
    this.emit(`${process.pid}:${role} ${formatLogTime(new Date())} ${LEVEL_CHARS[level]} ${message}\n`);
    this.syslog?.write(level, message);
  }

  private emit(line: string): void {
    if (this.onLine) this.onLine(line);
    if (this.file !== '') {
      try {
        appendFileSync(this.file, line);
      } catch {
        // Redis silently drops lines it cannot write.
      }
    } else if (!this.quietStdout) {
      try {
        writeSync(1, line);
      } catch {
        // stdout closed
      }
    }
  }

  debug(m: string): void {
    this.log(LogLevel.Debug, m);
  }
  verbose(m: string): void {
    this.log(LogLevel.Verbose, m);
  }
  notice(m: string): void {
    this.log(LogLevel.Notice, m);
  }
  warning(m: string): void {
    this.log(LogLevel.Warning, m);
  }
}
