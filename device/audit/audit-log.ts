/**
 * The audit trail (device.md: every worklist query, send, export and deletion of patient data —
 * who, what, when, where to), in the database. Entries are written synchronously in their own
 * commit, so an action that happened is recorded even if the service dies right after.
 * `what` names UIDs, exam IDs or a query description, never a patient's name.
 */
import type { Clock } from '../clock.js';
import type { SqlDatabase } from '../db/index.js';
import type { AuditAction, AuditEntry, AuditFilter, AuditLog } from '../device.js';

interface Row {
  id: number;
  at: string;
  who: string;
  action: string;
  what: string;
  where_to: string;
  outcome: string;
  detail: string | null;
}

const MAX_LIMIT = 1000;

export class DbAuditLog implements AuditLog {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  record(e: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): AuditEntry {
    const at = e.at ?? this.clock.now().toISOString();
    const r = this.db
      .prepare('INSERT INTO audit (at, who, action, what, where_to, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run([at, e.who, e.action, e.what, e.where, e.outcome, e.detail ?? null]);
    return { id: Number(r.lastInsertRowid), at, who: e.who, action: e.action, what: e.what, where: e.where, outcome: e.outcome, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
  }

  /** Newest first. */
  list(f: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (f.action) (where.push('action = @action'), (params['action'] = f.action));
    if (f.since) (where.push('at >= @since'), (params['since'] = f.since));
    if (f.until) (where.push('at < @until'), (params['until'] = f.until));
    if (f.what) (where.push('what = @what'), (params['what'] = f.what));
    params['limit'] = Math.min(Math.max(1, f.limit ?? 100), MAX_LIMIT);
    params['offset'] = Math.max(0, f.offset ?? 0);
    const sql = `SELECT id, at, who, action, what, where_to, outcome, detail FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit OFFSET @offset`;
    return this.db
      .prepare<Row>(sql)
      .all(params)
      .map((r) => ({
        id: r.id,
        at: r.at,
        who: r.who,
        action: r.action as AuditAction,
        what: r.what,
        where: r.where_to,
        outcome: r.outcome as 'success' | 'failure',
        ...(r.detail !== null ? { detail: r.detail } : {}),
      }));
  }
}
