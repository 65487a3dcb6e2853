#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx sonicart` works right after `npm ci`
// with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../device/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
