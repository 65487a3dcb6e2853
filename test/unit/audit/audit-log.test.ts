import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DbAuditLog } from '../../../device/audit/index.js';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase } from '../../../device/db/index.js';

describe('audit trail', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-audit-'));
  const path = join(dir, 'a.db');
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  let db = openDatabase(path);
  let audit = new DbAuditLog(db, clock);
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records who, what, when, where to; lists newest first with filters and paging; survives reopening', () => {
    audit.record({ who: 'service', action: 'worklist-query', what: 'MWL C-FIND modality=US', where: 'ris', outcome: 'success', detail: '3 match(es)' });
    clock.advance(60_000);
    audit.record({ who: 'service', action: 'send', what: 'instance 1.2.3', where: 'pacs', outcome: 'failure', detail: 'A700 out of resources' });
    clock.advance(60_000);
    audit.record({ who: 'operator', action: 'export', what: 'exam e1', where: 'USBSTICK', outcome: 'success' });
    clock.advance(60_000);
    audit.record({ who: 'service', action: 'delete', what: 'instance 1.2.3', where: 'local', outcome: 'success' });

    db.close();
    db = openDatabase(path);
    audit = new DbAuditLog(db, clock);
    const all = audit.list();
    expect(all.map((e) => e.action)).toEqual(['delete', 'export', 'send', 'worklist-query']);
    expect(all[2]).toEqual({ id: 2, at: '2026-03-01T08:01:00.000Z', who: 'service', action: 'send', what: 'instance 1.2.3', where: 'pacs', outcome: 'failure', detail: 'A700 out of resources' });
    expect(audit.list({ action: 'send' }).map((e) => e.id)).toEqual([2]);
    expect(audit.list({ what: 'instance 1.2.3' }).map((e) => e.action)).toEqual(['delete', 'send']);
    expect(audit.list({ since: '2026-03-01T08:01:00.000Z', until: '2026-03-01T08:03:00.000Z' }).map((e) => e.id)).toEqual([3, 2]);
    expect(audit.list({ limit: 2, offset: 1 }).map((e) => e.id)).toEqual([3, 2]);
    expect(audit.list({ limit: 0 }).length).toBe(1);
  });
});
