import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nullLogger, type Logger } from '../log/logger.js';

/**
 * The temporary names our own writers use on a medium, and nothing else:
 * - device/files/atomic-write.ts: `.<name>.<pid>.<ms>.tmp` beside the file it becomes;
 * - device/codecs/transcode.ts: `.sonicart-transcode-<pid>-<hex>.spool` in the spool dir.
 * A process killed mid-write leaves them behind (the rename never happened). They are never
 * instances: the scan skips them, and an export holding the medium's lock removes them.
 * test/unit/media/leftovers.test.ts checks these patterns against the writers themselves.
 */
const PATTERNS: readonly RegExp[] = [/^\..+\.\d+\.\d+\.tmp$/, /^\.sonicart-transcode-\d+-[0-9a-f]+\.spool$/];

export function isLeftoverTemp(name: string): boolean {
  return PATTERNS.some((p) => p.test(name));
}

/**
 * Removes our temporary files anywhere under `root`. Call only while holding the medium's
 * lock (device/media/lock.ts): then no writer of ours is using them. Returns what was removed.
 */
export async function removeLeftovers(root: string, log: Logger = nullLogger): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !isLeftoverTemp(e.name)) continue;
    const path = join(e.parentPath, e.name);
    await rm(path, { force: true });
    removed.push(path);
  }
  if (removed.length > 0) log.warn('removed temporary files an interrupted export left on the medium', { root, count: removed.length, first: removed[0] });
  return removed;
}
