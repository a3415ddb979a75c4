/**
 * An execution unit: what one command (or a whole MULTI/EXEC, a script, serving blocked
 * clients) propagates is collected and emitted when the unit ends, bare when it is one
 * command and wrapped in MULTI/EXEC when more, as 7.0's propagatePendingCommands does.
 *
 *   idle ──begin──▶ active ──add()*──▶ flush ──▶ idle
 *   idle ──add()──▶ emitted at once (active expiry, eviction outside a command)
 */
import type { Propagator } from './hooks.js';

export class ExecutionUnit {
  active = false;
  private pending: { db: number; argv: string[] }[] = [];

  constructor(private readonly target: () => Propagator | null) {}

  add(dbId: number, argv: string[]): void {
    const p = this.target();
    if (!p) return;
    if (!this.active) {
      p.propagate(dbId, argv);
      return;
    }
    this.pending.push({ db: dbId, argv });
  }

  flush(wrap: boolean): void {
    const unit = this.pending;
    if (unit.length === 0) return;
    this.pending = [];
    const p = this.target();
    if (!p) return;
    if (unit.length === 1 || !wrap) {
      for (const u of unit) p.propagate(u.db, u.argv);
      return;
    }
    p.propagate(unit[0].db, ['MULTI']);
    for (const u of unit) p.propagate(u.db, u.argv);
    p.propagate(unit[unit.length - 1].db, ['EXEC']);
  }
}
