/**
 * `npx tsx bench/service-crash-soak.ts [--kills 100]`: the crash test of issue 9 at full size —
 * SIGKILL at 100 random moments of a child running the service's store + queue + forwarder
 * against a real storescp (+uf, so duplicates show), then drain and check (see
 * test/helpers/crash-harness.ts). CI runs 15 kills (test/interop/service-crash.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashTest } from '../test/helpers/crash-harness.js';
import { startStorescp } from '../test/helpers/service-peers.js';

const i = process.argv.indexOf('--kills');
const kills = i >= 0 ? Number(process.argv[i + 1]) : 100;
const dir = await mkdtemp(join(tmpdir(), 'sonicart-crash-soak-'));
const scp = await startStorescp(join(dir, 'scp'), undefined, ['+xa', '+uf']);
try {
  const t0 = performance.now();
  const r = await runCrashTest({ dataDir: join(dir, 'data'), storescpPort: scp.port, storescpOut: scp.out, kills, log: (l) => process.stderr.write(l + '\n') });
  const s = (performance.now() - t0) / 1000;
  const ok = !r.lostAtPeer.length && !r.lostLocally.length && !r.brokenFiles.length && !r.missingJobs.length && !r.strangers.length && r.unfinishedJobs === 0;
  console.log(`\ncrash soak — ${r.kills} SIGKILLs in ${s.toFixed(0)} s against storescp`);
  console.log(`acknowledged ${r.acknowledged} instances in ${r.exams} exams (${r.endedExams} ended); stored but unacknowledged (killed between commit and answer): ${r.unacknowledgedStored}`);
  console.log(`lost at the peer ${r.lostAtPeer.length}, lost locally ${r.lostLocally.length}, broken files ${r.brokenFiles.length}, jobs missing ${r.missingJobs.length}, strangers at the peer ${r.strangers.length}, unfinished jobs ${r.unfinishedJobs}`);
  console.log(`duplicates at the peer (same SOP Instance UID, resent after a kill before the commit of its answer): ${r.duplicatesAtPeer}`);
  console.log(ok ? 'PASS' : 'FAIL');
  if (!ok) process.exitCode = 1;
} finally {
  await scp.proc.stop();
  await rm(dir, { recursive: true, force: true });
}
