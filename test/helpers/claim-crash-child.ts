/**
 * A child for the batch-claim crash test: opens the queue's database, claims a batch of store
 * jobs for `pacs`, records the first one's success (a durable group commit with its audit row),
 * prints "CLAIMED <ids>" and kills itself with SIGKILL before the others have outcomes.
 * Usage: tsx claim-crash-child.ts <dbPath> <batch>
 */
import { auditSends, DbAuditLog } from '../../device/audit/index.js';
import { systemClock } from '../../device/clock.js';
import { openDatabase } from '../../device/db/index.js';
import { JobQueue } from '../../device/queue/index.js';

const [dbPath, batch] = process.argv.slice(2);
if (!dbPath || !batch) {
  process.stderr.write('usage: claim-crash-child.ts <dbPath> <batch>\n');
  process.exit(2);
}
const db = openDatabase(dbPath);
const queue = new JobQueue(db, { clock: systemClock, onSettled: auditSends(new DbAuditLog(db, systemClock)) });
const claimed = queue.claimMany('pacs', Number(batch));
queue.finishMany([{ jobId: claimed[0]!.jobId, outcome: { statusCode: 0 }, why: 'Success' }]);
process.stdout.write(`CLAIMED ${claimed.map((c) => c.jobId).join(',')}\n`, () => process.kill(process.pid, 'SIGKILL'));
