/**
 * An execution unit: what one command (or a whole MULTI/EXEC, a script, serving blocked
 * clients) propagates is collected and emitted when the unit ends, bare when it is one
 * command and wrapped in MULTI/EXEC when more, as 7.0's propagatePendingCommands does.
 *
 *   idle ──begin──▶ active ──add()*──▶ flush ──▶ idle
 *   idle ──add()──▶ emitted at once (active expiry, eviction outside a command)
 */
import { PROPAGATE_ALL, type Propagator } from './hooks.js';

export class ExecutionUnit {
  active = false;
  private pending: { db: number; argv: string[]; target: number }[] = [];

  constructor(private readonly target: () => Propagator | null) {}

  /** A write for `target` (AOF, replicas or both); one with nowhere to go is not counted. */
  add(dbId: number, argv: string[], target = PROPAGATE_ALL): void {
    const p = this.target();
    if (!p) return;
    const to = p.accepts ? p.accepts(target) : target;
    if (to === 0) return;
    if (!this.active) {
      p.propagate(dbId, argv, to);
      return;
    }
    this.pending.push({ db: dbId, argv, target: to });
  }

  flush(wrap: boolean): void {
    const unit = this.pending;
    if (unit.length === 0) return;
    this.pending = [];
    const p = this.target();
    if (!p) return;
    if (unit.length === 1 || !wrap) {
      for (const u of unit) p.propagate(u.db, u.argv, u.target);
      return;
    }
    // MULTI and EXEC go everywhere, even around commands meant for one side only (as 7.0).
    p.propagate(unit[0].db, ['MULTI'], PROPAGATE_ALL);
    for (const u of unit) p.propagate(u.db, u.argv, u.target);
    p.propagate(unit[unit.length - 1].db, ['EXEC'], PROPAGATE_ALL);
  }
}
