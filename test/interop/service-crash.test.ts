/**
 * The crash test of issue 9 at CI size: 15 SIGKILLs at random moments of a child running the
 * service's store + queue + forwarder against a real storescp (bench/service-crash-soak.ts runs
 * the full 100). See test/helpers/crash-harness.ts for what is checked.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crashViolations, NO_CRASH_VIOLATIONS, runCrashTest } from '../helpers/crash-harness.js';
import { scratchDir } from '../helpers/run-tool.js';
import { startStorescp, type Storescp } from '../helpers/service-peers.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: Storescp;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-svc-crash-'));
  // +uf: a second copy of an instance is a second file, so duplicates can be counted
  scp = await startStorescp(join(dir, 'scp'), undefined, ['+xa', '+uf']);
});
afterAll(async () => {
  await scp?.proc.stop();
  await cleanup();
});

const lines: string[] = [];
it('15 SIGKILLs: nothing acknowledged is lost, every file is whole, no job lost, duplicates only as the same UID', async () => {
  const r = await runCrashTest({ dataDir: join(dir, 'data'), storescpPort: scp.port, storescpOut: scp.out, kills: 15, log: (l) => lines.push(l) });
  console.log(lines.at(-1), JSON.stringify({ ...r, lostAtPeer: r.lostAtPeer.length }));
  expect(r.acknowledged).toBeGreaterThan(15);
  expect(r.endedExams).toBeGreaterThan(1);
  expect(crashViolations(r)).toEqual(NO_CRASH_VIOLATIONS);
}, 120_000);
