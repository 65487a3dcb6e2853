#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx sonicart` works right after `npm ci`
// with no build step to forget.
import { register } from 'tsx/esm/api';

// `sonicart dump big.dcm | head` closes our stdout early: that is the reader's choice, not a
// failure, so stop quietly instead of crashing with EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

register();
const { main } = await import('../device/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
