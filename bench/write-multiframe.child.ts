/**
 * Child process of the memory benchmark (run by data-layer.ts in a fresh Node, so the baseline is
 * a clean heap): streams a ~150 MB US Multi-frame file, frames generated on the fly, through
 * `Part10StreamWriter` into a file, sampling resident memory every few milliseconds.
 *
 *   node --expose-gc --import tsx bench/write-multiframe.child.ts <out.dcm> <stream|atomic>
 *
 * stream: fs.createWriteStream, awaiting 'drain' whenever write() says the buffer is full.
 * atomic: device/files/atomic-write.ts writeFileAtomically (temp file, fsync, rename).
 *
 * Prints one JSON line: baseline and peak RSS / arrayBuffers (bytes), bytes written, time.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomically } from '../device/files/atomic-write.js';
import { MULTIFRAME_FRAMES, streamMultiframe } from './fixtures.js';

const [out, mode = 'stream'] = process.argv.slice(2);
if (!out || (mode !== 'stream' && mode !== 'atomic')) {
  console.error('usage: write-multiframe.child.ts <out.dcm> <stream|atomic>');
  process.exit(2);
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(20);
  }
}

// Baseline: modules loaded, heap collected, nothing of the file allocated yet.
await settle();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakAb = base.arrayBuffers;
let samples = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  samples++;
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.arrayBuffers > peakAb) peakAb = m.arrayBuffers;
};
const timer = setInterval(sample, 2);

const t0 = performance.now();
let written = 0;
if (mode === 'stream') {
  const ws = createWriteStream(out);
  const failed = once(ws, 'error').then(([e]) => {
    throw e;
  });
  await Promise.race([
    failed,
    (async () => {
      written = await streamMultiframe(
        async (chunk) => {
          if (!ws.write(chunk)) await once(ws, 'drain');
        },
        MULTIFRAME_FRAMES,
        sample,
      );
      ws.end();
      await once(ws, 'finish');
    })(),
  ]);
} else {
  await writeFileAtomically(out, async (write) => {
    written = await streamMultiframe(write, MULTIFRAME_FRAMES, sample);
  });
}
const ms = performance.now() - t0;
sample();
clearInterval(timer);

const size = (await stat(out)).size;
console.log(
  JSON.stringify({
    mode,
    baselineRss: base.rss,
    peakRss,
    baselineArrayBuffers: base.arrayBuffers,
    peakArrayBuffers: peakAb,
    bytes: written,
    fileSize: size,
    ms,
    samples,
  }),
);
