/**
 * A receiver for bench/scp-receive.ts, alone in a process: listens on PORT and keeps what it
 * receives under DIR; prints "ready" and, on SIGTERM, its peak RSS (VmHWM, KiB) and exits.
 *   (default)  the library's storage SCP into a DirectorySink (one directory of files)
 *   --service  the running service's listener path: device/scp/cart-scp.ts, received instances
 *              into an InstanceStore (incoming/ → instances/<study>/<series>/ + a database row)
 *   --no-sync  no fsync before Success (what storescp does), for comparison
 * Run: npx tsx bench/scp-receive.child.ts DIR PORT [--service] [--no-sync]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbAuditLog } from '../device/audit/index.js';
import { systemClock } from '../device/clock.js';
import { parseDeviceConfig } from '../device/config/index.js';
import { openDatabase } from '../device/db/index.js';
import { nullLogger } from '../device/log/logger.js';
import { SCP_ACCEPTANCE } from '../device/net/scp/acceptance.js';
import { DirectorySink } from '../device/net/scp/directory-sink.js';
import { DicomListener } from '../device/net/scp/listener.js';
import { composeHandler, verificationScp } from '../device/net/scp/services.js';
import { storageScp } from '../device/net/scp/storage-scp.js';
import { CartScp } from '../device/scp/cart-scp.js';
import { unmatchedCommitmentReports } from '../device/scp/commitment-reports.js';
import { InstanceStore, Quota } from '../device/storage/index.js';

const [dir, port] = process.argv.slice(2) as [string, string];
const sync = !process.argv.includes('--no-sync');
let close: () => Promise<void>;
if (process.argv.includes('--service')) {
  const config = parseDeviceConfig({ dataDir: dir, listenPort: Number(port), scp: { bindAddress: '127.0.0.1' } });
  const db = openDatabase(join(dir, 'sonicart.db'), { now: () => systemClock.now() });
  const audit = new DbAuditLog(db, systemClock);
  const store = new InstanceStore(db, { dataDir: dir, clock: systemClock, reserveBytes: config.quotas.refuseFreeMb * 2 ** 20 });
  const quota = new Quota({ db, store, limits: {}, destinations: () => [] });
  const scp = new CartScp({ config, store, storeBytes: () => quota.storeBytes(), commitmentReports: unmatchedCommitmentReports({ log: nullLogger, audit }), audit, clock: systemClock, log: nullLogger, alarm: () => undefined, sync });
  await scp.start();
  close = async () => {
    await scp.stop(true);
    db.close();
  };
} else {
  const listener = await DicomListener.start({
    aeTitle: 'US_CART',
    port: Number(port),
    host: '127.0.0.1',
    handler: composeHandler(SCP_ACCEPTANCE, { verification: verificationScp, storage: storageScp(new DirectorySink(dir, { sync }), nullLogger) }),
  });
  close = () => listener.close(1000);
}
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void close().then(() => {
    // VmHWM, not getrusage's maxrss: the latter keeps the spawning parent's peak across fork+exec.
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    process.stdout.write(`maxrss ${hwm ?? process.resourceUsage().maxRSS}\n`);
    process.exit(0);
  });
});
