// Bundles the command line into dist/cli/ with esbuild (the compiler tsx already uses), so the
// cart starts `sonicart` from plain JavaScript: no TypeScript transform at every start. Run by
// `npm ci` / `npm install` through the `prepare` script; bin/sonicart.js falls back to the
// sources through tsx whenever a source file is newer than this build (a developer editing).
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');
await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The encoder pool's worker thread is a second entry: it is started by file name
  // (device/codecs/encoder-pool.ts looks for encode-worker.js beside the chunk it is in).
  entryPoints: { main: 'device/cli/main.ts', 'encode-worker': 'device/codecs/encode-worker.ts' },
  outdir,
  bundle: true,
  splitting: true, // each command's dynamic import stays a separate chunk, loaded on use
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external', // native and npm packages are loaded from node_modules as usual
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// The inputs, so that bin/sonicart.js can tell a stale build from a fresh one.
const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
await writeFile(join(outdir, 'inputs.json'), JSON.stringify({ builtAt: Date.now(), inputs }));
