/**
 * The crash test of issue 9 on the whole service: `sonicart serve` (simulated grabber) against
 * storescp, exams captured and ended through the HTTP API, SIGKILLed at 4 random moments and
 * restarted (CI size: each restart costs the service's start-up; bench/service-crash-soak.ts
 * --service runs 100). The checks are those of test/helpers/crash-harness.ts; an instance
 * counts as acknowledged when the API answered 201 with its SOP Instance UID.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crashViolations, NO_CRASH_VIOLATIONS, runServiceCrashTest } from '../helpers/crash-harness.js';
import { freePort } from '../helpers/net-peers.js';
import { scratchDir } from '../helpers/run-tool.js';
import { startStorescp, type Storescp } from '../helpers/service-peers.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: Storescp;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-svc-crash-api-'));
  scp = await startStorescp(join(dir, 'scp'), undefined, ['+xa', '+uf']);
});
afterAll(async () => {
  await scp?.proc.stop();
  await cleanup();
});

it('4 SIGKILLs of sonicart serve: every instance the API acknowledged reaches storescp, files whole, no job lost', async () => {
  const lines: string[] = [];
  const r = await runServiceCrashTest({
    dataDir: join(dir, 'data'),
    storescpPort: scp.port,
    storescpOut: scp.out,
    kills: 4,
    listenPort: await freePort(),
    uiPort: await freePort(),
    log: (l) => lines.push(l),
  });
  console.log(lines.filter((l) => l.startsWith('kill')).at(-1), JSON.stringify({ ...r, lostAtPeer: r.lostAtPeer.length }));
  expect(r.acknowledged).toBeGreaterThan(0);
  expect(crashViolations(r)).toEqual(NO_CRASH_VIOLATIONS);
}, 180_000);
