/**
 * syslog-enabled: every log line also goes to the system log, as Redis's syslog(3) calls do
 * (the bare message, tagged `<ident>[<pid>]`, at the facility of syslog-facility and the level
 * Redis maps each of its own to). Node has no syslog binding and cannot open /dev/log's
 * datagram socket, so the lines are handed to util-linux's `logger` (Debian's bsdutils, always
 * installed), one long-running process reading `<priority>message` lines on its stdin.
 *
 * REDDISH_SYSLOG_SOCKET names another socket than /dev/log (the tests listen on one of their own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LogLevel } from './logger.js';

const FACILITIES: Record<string, number> = {
  user: 1,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Redis's syslogLevelMap: debug → LOG_DEBUG, verbose → LOG_INFO, notice → LOG_NOTICE, warning → LOG_WARNING. */
const SEVERITY: Record<LogLevel, number> = {
  [LogLevel.Debug]: 7,
  [LogLevel.Verbose]: 6,
  [LogLevel.Notice]: 5,
  [LogLevel.Warning]: 4,
};

export class SyslogSink {
  private proc: ChildProcess | null = null;
  /** Set once `logger` could not be run or died: like syslog(3), lines are then dropped silently. */
  private broken = false;
  private readonly facility: number;

  constructor(
    private readonly ident: string,
    facility: string,
  ) {
    this.facility = FACILITIES[facility] ?? FACILITIES.local0;
  }

  write(level: LogLevel, message: string): void {
    if (this.broken) return;
    const p = this.proc ?? this.start();
    if (p === null || p.stdin === null) return;
    const pri = this.facility * 8 + SEVERITY[level];
    // One syslog message per call, as Redis sends one: embedded newlines would split it.
    p.stdin.write(`<${pri}>${message.replace(/\r?\n/g, ' ')}\n`);
  }

  private start(): ChildProcess | null {
    const args = [`--id=${process.pid}`, '-t', this.ident, '--prio-prefix'];
    const socket = process.env.REDDISH_SYSLOG_SOCKET;
    if (socket) args.push('-u', socket);
    try {
      const p = spawn('logger', args, { stdio: ['pipe', 'ignore', 'ignore'] });
      p.on('error', () => this.fail());
      p.on('exit', () => this.fail());
      p.stdin?.on('error', () => this.fail());
      // The log must never keep the server alive on its own.
      p.unref();
      (p.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      this.proc = p;
      return p;
    } catch {
      this.fail();
      return null;
    }
  }

  private fail(): void {
    this.broken = true;
    this.proc = null;
  }

  /** Closes logger's stdin so it flushes what it has and exits. */
  close(): void {
    this.proc?.stdin?.end();
    this.proc = null;
  }
}
