/**
 * Puts a simulated USB stick or SD card into a running cart, or pulls it, from another shell:
 *
 *   npx tsx hw-sim/media/cli.ts insert STICK [--fs vfat|exfat] [--size-mb N] [--data-dir DIR]
 *   npx tsx hw-sim/media/cli.ts pull STICK [--data-dir DIR]
 *
 * The service's simulated media watcher (media.watcher "sim") polls DATADIR/sim-media, so the
 * stick appears on the kiosk's media screen within half a second. DIR defaults to the per-user
 * data directory that `npm start` uses.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SIM_VOLUME_MARKER } from './simulated-watcher.js';

function usage(msg: string): never {
  process.stderr.write(`sim-media: ${msg}\nusage: sim-media insert|pull NAME [--fs vfat|exfat] [--size-mb N] [--data-dir DIR]\n`);
  process.exit(2);
}

const [verb, name, ...rest] = process.argv.slice(2);
if (verb !== 'insert' && verb !== 'pull') usage(`unknown action ${JSON.stringify(verb ?? '')}`);
if (!name || !/^[A-Za-z0-9_-]{1,32}$/.test(name)) usage('NAME must be 1-32 letters, digits, _ or -');
const opts = new Map<string, string>();
for (let i = 0; i < rest.length; i += 2) {
  const k = rest[i]!;
  const v = rest[i + 1];
  if (!['--fs', '--size-mb', '--data-dir'].includes(k) || v === undefined) usage(`bad option ${k}`);
  opts.set(k, v);
}
const dataDir = opts.get('--data-dir') ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local/share'), 'sonicart');
const sizeMb = Number(opts.get('--size-mb') ?? '8192');
if (!Number.isInteger(sizeMb) || sizeMb <= 0) usage('--size-mb must be a positive integer');
const fsType = opts.get('--fs') ?? 'vfat';
if (fsType !== 'vfat' && fsType !== 'exfat') usage('--fs must be vfat or exfat');
const dir = join(dataDir, 'sim-media', name);
if (verb === 'insert') {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, SIM_VOLUME_MARKER), JSON.stringify({ fsType, size: sizeMb * 2 ** 20, writable: true }));
  process.stdout.write(`inserted ${name} (${fsType}, ${sizeMb} MB) at ${dir}\n`);
} else {
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`pulled ${name}\n`);
}
