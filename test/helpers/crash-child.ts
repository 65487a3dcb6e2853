/**
 * The crash harness's direct child: the service's persistence and sending (InstanceStore +
 * JobQueue + Forwarder, the same start-up as the service: reconcile, recover, start) driven by
 * lines on stdin, so the harness can SIGKILL it at any moment:
 *   capture <examId> <studyUid> [frames]  → writes an image through InstanceStore.put; prints
 *                                           "ACK <examId> <sopInstanceUid>" once it is durable
 *   end <examId>                          → enqueues the exam's instances; prints "ENDED <examId> <n>"
 *   drain                                 → prints "DRAINED" once no job is left to do
 * Prints "READY" after start-up. Usage: tsx crash-child.ts <dataDir> <storescpPort>
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { tag } from '../../dicom/core/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { systemClock } from '../../device/clock.js';
import { openDatabase } from '../../device/db/index.js';
import { jsonLogger } from '../../device/log/logger.js';
import { Forwarder, JobQueue } from '../../device/queue/index.js';
import { InstanceStore } from '../../device/storage/index.js';
import { testImageDataSet } from '../unit/device-net/fixtures.js';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) {
  process.stderr.write('usage: crash-child.ts <dataDir> <storescpPort>\n');
  process.exit(2);
}
const log = jsonLogger((l) => process.stderr.write(l + '\n'), { level: 'warn' });
const db = openDatabase(join(dataDir, 'cart.db'));
const store = new InstanceStore(db, { dataDir, clock: systemClock, log });
await store.reconcile();
const queue = new JobQueue(db, { clock: systemClock, log, retry: { initialMs: 100, factor: 2, maxMs: 1000 } });
queue.recover();
const forwarder = new Forwarder({
  queue,
  dataDir,
  clock: systemClock,
  log,
  destinations: [{ name: 'pacs', peer: { host: '127.0.0.1', port: Number(port), calledAeTitle: 'STORESCP', callingAeTitle: 'US_CART' }, concurrency: 2 }],
});
forwarder.start();

function imageBytes(study: string, frames: number): { bytes: Uint8Array; sopInstanceUid: string; sopClassUid: string } {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet({ rows: 240, columns: 320, samples: 3, frames });
  ds.putStrings(tag(0x0020, 0x000d), 'UI', study);
  ds.putStrings(tag(0x0020, 0x000e), 'UI', `${study}.1`);
  const ts = transferSyntax(EXPLICIT_VR_LE)!;
  return { bytes: writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: ts.uid }), ds, ts), sopInstanceUid, sopClassUid };
}

async function capture(examId: string, study: string, frames: number): Promise<string> {
  const img = imageBytes(study, frames);
  const rec = await store.put({
    sopInstanceUid: img.sopInstanceUid,
    sopClassUid: img.sopClassUid,
    studyInstanceUid: study,
    seriesInstanceUid: `${study}.1`,
    transferSyntaxUid: EXPLICIT_VR_LE,
    frames,
    examId,
    produce: async (write) => {
      // in 64 KiB pieces, so a kill can land in the middle of the file
      for (let o = 0; o < img.bytes.length; o += 65536) await write(img.bytes.subarray(o, o + 65536));
    },
  });
  return rec.sopInstanceUid;
}

const drainWaiters: (() => void)[] = [];
queue.events$.subscribe(() => {
  if (drainWaiters.length && queue.count({ state: ['scheduled', 'retry', 'in-progress'] }) === 0) for (const w of drainWaiters.splice(0)) w();
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, a, b, c] = line.trim().split(/\s+/);
  void (async () => {
    if (cmd === 'capture') process.stdout.write(`ACK ${a} ${await capture(a!, b!, Number(c ?? 1))}\n`);
    else if (cmd === 'end') {
      const n = queue.enqueue({ examId: a! }, ['pacs']).length;
      forwarder.kick('pacs');
      process.stdout.write(`ENDED ${a} ${n}\n`);
    } else if (cmd === 'drain') {
      forwarder.kick();
      await new Promise<void>((resolve) => {
        if (queue.count({ state: ['scheduled', 'retry', 'in-progress'] }) === 0) resolve();
        else drainWaiters.push(resolve);
      });
      process.stdout.write('DRAINED\n');
    }
  })().catch((e: Error) => process.stdout.write(`ERR ${cmd} ${e.message.replace(/\n/g, ' ')}\n`));
});
lines.on('close', () => void forwarder.stop().then(() => (db.close(), process.exit(0))));
process.stdout.write('READY\n');
