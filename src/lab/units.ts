/**
 * Parsing and printing of the quantities the lab tools take on their command lines: byte sizes
 * with Redis's units (`64kb`, `3mb`, `1.5m`), durations in ms, counts (`2000000`, `2m`, `500k`),
 * host:port pairs. Errors are thrown as `UsageError` so the CLI can exit with status 2.
 */
import { MEMORY_UNITS } from '../config/defs.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A byte size like redis.conf writes them: `1mb` is 1024*1024, `1m` is 1,000,000, plain numbers
 * are bytes. Decimals are allowed (`1.5mb`). Case-insensitive.
 */
export function parseSize(s: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(String(s));
  const mul = m ? MEMORY_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || mul === undefined) throw new UsageError(`invalid ${what} '${s}' (expected bytes, or a number with a unit: k, kb, m, mb, g, gb)`);
  const n = Math.round(Number(m[1]) * mul);
  if (!Number.isSafeInteger(n)) throw new UsageError(`invalid ${what} '${s}' (too large)`);
  return n;
}

/** A duration in milliseconds: `250`, `250ms`, `1.5s`. */
export function parseMs(s: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(String(s));
  if (!m) throw new UsageError(`invalid ${what} '${s}' (expected milliseconds, e.g. 100 or 100ms or 1.5s)`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1);
  return n;
}

/** A non-negative integer count: `2000000`, `2e6`, `2m`, `500k`, `1_000_000`. */
export function parseCount(s: string, what = 'count'): number {
  const t = String(s).trim().replace(/[_,]/g, '');
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(t);
  if (!m) throw new UsageError(`invalid ${what} '${s}' (expected a non-negative integer)`);
  const mul = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1000 : 1000000;
  const n = Number(m[1]) * mul;
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`invalid ${what} '${s}' (expected a non-negative integer)`);
  return n;
}

/** A positive number (rates): `50000`, `2.5`, `10k`. */
export function parsePositive(s: string, what = 'number'): number {
  const t = String(s).trim().replace(/[_,]/g, '');
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(t);
  if (!m) throw new UsageError(`invalid ${what} '${s}' (expected a positive number)`);
  const mul = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1000 : 1000000;
  const n = Number(m[1]) * mul;
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`invalid ${what} '${s}' (expected a positive number)`);
  return n;
}

export function parsePort(s: string | number, what = 'port', allowZero = false): number {
  const n = typeof s === 'number' ? s : /^\s*\d+\s*$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw new UsageError(`invalid ${what} '${s}' (expected ${allowZero ? 0 : 1}..65535)`);
  return n;
}

/** `host:port`, `[::1]:port` or just `port` (host defaults to 127.0.0.1). */
export function parseHostPort(s: string, what = 'address'): { host: string; port: number } {
  const t = String(s).trim();
  let m = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (m) return { host: m[1], port: parsePort(m[2], `${what} port`) };
  m = /^([^:]+):(\d+)$/.exec(t);
  if (m) return { host: m[1], port: parsePort(m[2], `${what} port`) };
  if (/^\d+$/.test(t)) return { host: '127.0.0.1', port: parsePort(t, `${what} port`) };
  throw new UsageError(`invalid ${what} '${s}' (expected host:port)`);
}

/** 1536 → "1.5 KB", 3145728 → "3.0 MB" (binary units, like Redis's INFO *_human). */
export function formatBytes(n: number): string {
  const a = Math.abs(n);
  if (a < 1024) return `${Math.round(n)} B`;
  if (a < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (a < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** 1234567 → "1,234,567". */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
