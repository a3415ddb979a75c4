/**
 * Startup checks Redis makes against operating-system limits, with its log lines:
 * the open-file limit needed by `maxclients` (adjustOpenFilesLimit) and the kernel's
 * accept-queue cap for `tcp-backlog` (checkTcpBacklogSettings).
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Config } from './config.js';
import type { Logger } from '../log/logger.js';

/** Descriptors Redis keeps for itself beyond one per client (CONFIG_MIN_RESERVED_FDS). */
export const MIN_RESERVED_FDS = 32;

export class OpenFilesLimitError extends Error {}

/** The soft and hard RLIMIT_NOFILE of this process, from /proc (null where there is no /proc). */
export function readOpenFilesLimit(): { soft: number; hard: number } | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) return null;
  const num = (s: string): number => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
  return { soft: num(m[1]), hard: num(m[2]) };
}

function readNrOpen(): number | null {
  try {
    const n = parseInt(readFileSync('/proc/sys/fs/nr_open', 'latin1'), 10);
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Node has no setrlimit, but util-linux's prlimit(1) can set this process's limit from outside
 * (prlimit(2) on our pid), with the same permission rules setrlimit would apply to Redis.
 */
function trySetLimit(n: number): boolean {
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${n}:${n}`], { stdio: 'ignore', timeout: 5000 });
  if (r.status !== 0) return false;
  const now = readOpenFilesLimit();
  return now !== null && now.soft === n;
}

/**
 * Redis's adjustOpenFilesLimit: raise the limit to maxclients+32, or settle for the highest
 * value reachable in steps of 16 below it and lower maxclients to match. Redis retries
 * setrlimit every 16 descriptors; the values that loop can reach are computed here (the
 * kernel's nr_open for a privileged process, the hard limit otherwise) so only a few are tried.
 */
export function adjustOpenFilesLimit(config: Config, log: Logger): void {
  const maxclients = config.num('maxclients');
  const maxfiles = maxclients + MIN_RESERVED_FDS;
  const limit = readOpenFilesLimit();
  if (limit === null) {
    log.warning(
      'Unable to obtain the current NOFILE limit (No such file or directory), assuming 1024 and setting the max clients configuration accordingly.',
    );
    config.assign(config.def('maxclients')!, 1024 - MIN_RESERVED_FDS);
    return;
  }
  const oldlimit = limit.soft;
  if (oldlimit >= maxfiles) return;
  // The first value of Redis's descending sequence maxfiles, maxfiles-16, ... that fits under cap.
  const stepDownTo = (cap: number): number => (maxfiles <= cap ? maxfiles : maxfiles - 16 * Math.ceil((maxfiles - cap) / 16));
  let bestlimit = oldlimit;
  const tried = new Set<number>();
  for (const cap of [maxfiles, readNrOpen(), limit.hard]) {
    if (cap === null) continue;
    const candidate = stepDownTo(cap);
    if (candidate <= oldlimit || tried.has(candidate)) continue;
    tried.add(candidate);
    if (trySetLimit(candidate)) {
      bestlimit = candidate;
      break;
    }
  }
  if (bestlimit >= maxfiles) {
    log.notice(`Increased maximum number of open files to ${maxfiles} (it was originally set to ${oldlimit}).`);
    return;
  }
  if (bestlimit <= MIN_RESERVED_FDS) {
    const msg = `Your current 'ulimit -n' of ${oldlimit} is not enough for the server to start. Please increase your open file limit to at least ${maxfiles}. Exiting.`;
    log.warning(msg);
    throw new OpenFilesLimitError(msg);
  }
  const lowered = bestlimit - MIN_RESERVED_FDS;
  config.assign(config.def('maxclients')!, lowered);
  log.warning(`You requested maxclients of ${maxclients} requiring at least ${maxfiles} max file descriptors.`);
  // Every failing setrlimit in Redis's loop is a raise beyond what the process may have: EPERM.
  log.warning(`Server can't set maximum open files to ${maxfiles} because of OS error: Operation not permitted.`);
  log.warning(
    `Current maximum open files is ${bestlimit}. maxclients has been reduced to ${lowered} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.`,
  );
}

/** Redis's checkTcpBacklogSettings (Linux): warn when somaxconn caps the listen backlog. */
export function checkTcpBacklog(config: Config, log: Logger): void {
  let somaxconn: number;
  try {
    somaxconn = parseInt(readFileSync('/proc/sys/net/core/somaxconn', 'latin1'), 10);
  } catch {
    return;
  }
  const backlog = config.num('tcp-backlog');
  if (somaxconn > 0 && somaxconn < backlog) {
    log.warning(
      `WARNING: The TCP backlog setting of ${backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of ${somaxconn}.`,
    );
  }
}
