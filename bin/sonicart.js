#!/usr/bin/env node
// Starts the command line from the bundle in dist/cli/ (made by `npm ci` through `prepare`),
// or from the TypeScript sources through tsx when there is no bundle or a source file is newer
// than it — so `npx sonicart` always runs the code in the working tree, with no build step to
// remember.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `sonicart dump big.dcm | head` closes our stdout early: that is the reader's choice, not a
// failure, so stop quietly instead of crashing with EPIPE.
// Any other failure to write (ENOBUFS from a flooded pipe, EIO) is one line and exit 1, never
// an uncaught stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`sonicart: cannot write output: ${e.code ?? e.message}\n`);
  process.exit(1);
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function freshBundle() {
  if (process.env.SONICART_FROM_SOURCES) return undefined;
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(join(root, 'dist/cli/inputs.json'), 'utf8'));
    for (const f of inputs) if (statSync(join(root, f)).mtimeMs > builtAt) return undefined;
    return join(root, 'dist/cli/main.js');
  } catch {
    return undefined; // no bundle, or a source was removed: run the sources
  }
}

let entry = freshBundle();
if (!entry) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(root, 'device/cli/main.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
