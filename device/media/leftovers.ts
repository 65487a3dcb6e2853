import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/atomic-write.js';
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

/**
 * The files an export is about to write, in the medium's root, written (durably) before the
 * first of them and removed after the DICOMDIR commit. A process killed in between leaves
 * files that no record names; the next export under the lock removes exactly those, which is
 * what the killed export's own undo would have done. Hidden, so no File ID can collide.
 */
export const JOURNAL_NAME = '.sonicart-export.journal';

export async function writeJournal(root: string, relPaths: readonly string[]): Promise<void> {
  const text = new TextEncoder().encode(JSON.stringify({ pid: process.pid, paths: relPaths }) + '\n');
  await writeFileAtomically(join(root, JOURNAL_NAME), (write) => write(text));
}

export async function removeJournal(root: string): Promise<void> {
  await rm(join(root, JOURNAL_NAME), { force: true });
}

/**
 * Undoes an export that was killed before its commit: our temporaries anywhere on the medium,
 * and the files its journal lists that the DICOMDIR does not name (`referenced`: File IDs,
 * `/`-separated, compared without case as FAT does). Call only under the medium's lock.
 */
export async function recoverInterrupted(root: string, referenced: (root: string) => Promise<ReadonlySet<string>>, log: Logger = nullLogger): Promise<{ temps: string[]; orphans: string[] }> {
  const temps = await removeLeftovers(root, log);
  const orphans: string[] = [];
  let journal: { paths?: unknown };
  try {
    journal = JSON.parse(await readFile(join(root, JOURNAL_NAME), 'utf8')) as { paths?: unknown };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { temps, orphans };
    // Unreadable journal: the killed export had not written a file yet (it is written first).
    await removeJournal(root);
    return { temps, orphans };
  }
  const paths = Array.isArray(journal.paths) ? journal.paths.filter((p): p is string => typeof p === 'string' && !p.split('/').includes('..')) : [];
  const named = await referenced(root);
  for (const p of paths) {
    if (named.has(p.toUpperCase())) continue;
    const path = join(root, ...p.split('/'));
    try {
      await rm(path);
      orphans.push(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  // Directories the killed export made and left empty, deepest first.
  const dirs = [...new Set(paths.flatMap((p) => p.split('/').slice(0, -1).map((_c, i, a) => a.slice(0, i + 1).join('/'))))].sort((a, b) => b.length - a.length);
  for (const d of dirs) await rmdir(join(root, ...d.split('/'))).catch(() => undefined);
  await removeJournal(root);
  if (orphans.length > 0) log.warn('removed files an interrupted export wrote but never recorded in the DICOMDIR', { root, count: orphans.length, first: orphans[0] });
  return { temps, orphans };
}
