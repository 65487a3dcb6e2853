import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { MediaError } from '../../dicom/media/index.js';
import { nullLogger, type Logger } from '../log/logger.js';

/**
 * The file in a file-set's root that says an export is writing to it. A hidden name that no
 * File ID can take (File IDs are upper-case letters, digits and `_`), so the DICOMDIR never
 * names it and dcmmkdir-style scans skip it as non-DICOM.
 */
export const LOCK_NAME = '.sonicart-export.lock';
/** Held only for the few microseconds of a stale-lock takeover, so two takers cannot both win. */
const TAKEOVER_NAME = '.sonicart-export.lock.takeover';

/** Who holds a medium: enough for the waiting user to know what they are waiting for. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly time: string;
}

export interface MediumLockOptions {
  /** How long to wait for another export to finish before refusing (default 120 s). */
  readonly waitMs?: number;
  /** Said once when the medium is busy and we start waiting (the CLI prints it). */
  readonly onWait?: (owner: LockOwner | undefined, lockPath: string) => void;
  readonly log?: Logger;
  /** Poll interval while waiting (default 200 ms). */
  readonly pollMs?: number;
}

/** A lock file whose content is missing or unreadable is a crash between create and write once it is this old. */
const UNREADABLE_STALE_MS = 5000;

/**
 * One writer per file-set at a time, across processes and within one: a queue per medium root
 * in this process (two exports in one service never even race for the file), and an O_EXCL
 * lock file in the root against other processes. Without it two `export --add` both read the
 * same old DICOMDIR, plan the same File IDs, overwrite each other's files and the last
 * DICOMDIR rename wins: records pointing at another image, records and files lost.
 *
 * A lock left by a process that died on this host (SIGKILL, power cut) is taken over, with a
 * log line; a lock of a live process, or of another host (a medium shared over a network),
 * is waited for up to `waitMs`, then refused with MEDIA_LOCKED.
 */
export async function withMediumLock<T>(root: string, fn: () => Promise<T>, opts: MediumLockOptions = {}): Promise<T> {
  // Synchronous, so callers queue in call order (two names of one medium, e.g. a symlink,
  // are still kept apart by the lock file).
  const key = resolve(root);
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  queues.set(key, tail);
  try {
    await before;
    const held = await acquire(root, opts);
    try {
      return await fn();
    } finally {
      await held.release();
    }
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** Takes the lock only if it is free now (or stale); undefined when another export holds it. */
export async function tryMediumLock(root: string, opts: Pick<MediumLockOptions, 'log'> = {}): Promise<{ release: () => Promise<void> } | undefined> {
  if (queues.has(resolve(root))) return undefined;
  try {
    return await acquire(root, { ...opts, waitMs: 0 });
  } catch (e) {
    if (e instanceof MediaError && e.code === 'MEDIA_LOCKED') return undefined;
    throw e;
  }
}

const queues = new Map<string, Promise<void>>();

async function acquire(root: string, opts: MediumLockOptions): Promise<{ release: () => Promise<void> }> {
  const log = opts.log ?? nullLogger;
  const path = join(root, LOCK_NAME);
  const deadline = Date.now() + (opts.waitMs ?? 120_000);
  let told = false;
  for (;;) {
    const me: LockOwner = { pid: process.pid, host: hostname(), time: new Date().toISOString() };
    if (await createExclusive(path, JSON.stringify(me) + '\n')) {
      return {
        release: async () => {
          // Only our own lock: never remove one a taker installed after deciding ours was stale.
          const now = await readOwner(path);
          if (now.owner && now.owner.pid === me.pid && now.owner.host === me.host && now.owner.time === me.time) await rm(path, { force: true });
        },
      };
    }
    const held = await readOwner(path);
    if (held.gone) continue;
    if (await isStale(held)) {
      if (await takeOver(root, path, held)) {
        log.warn('media lock taken over from a process that is gone', { lock: path, owner: held.owner ?? 'unreadable' });
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const o = held.owner;
      throw new MediaError(
        'MEDIA_LOCKED',
        `another export is writing to ${root} (${o ? `pid ${o.pid} on ${o.host} since ${o.time}` : 'lock file ' + path}); try again when it has finished`,
      );
    }
    if (!told) {
      told = true;
      opts.onWait?.(held.owner, path);
      log.info('waiting for another export to finish with this medium', { lock: path, owner: held.owner ?? 'unreadable' });
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 200, Math.max(1, deadline - Date.now()))));
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

interface HeldLock {
  readonly owner?: LockOwner;
  /** The lock vanished between our create and our read: try again at once. */
  readonly gone?: boolean;
  readonly mtimeMs?: number;
  readonly raw?: string;
}

async function readOwner(path: string): Promise<HeldLock> {
  let raw: string;
  let mtimeMs: number;
  try {
    [raw, mtimeMs] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtimeMs)]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { gone: true };
    throw e;
  }
  try {
    const o = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.time === 'string') return { owner: { pid: o.pid, host: o.host, time: o.time }, mtimeMs, raw };
  } catch {
    // written half-way (killed between create and write): judged by age below
  }
  return { mtimeMs, raw };
}

async function isStale(held: HeldLock): Promise<boolean> {
  const o = held.owner;
  if (!o) return Date.now() - (held.mtimeMs ?? Date.now()) > UNREADABLE_STALE_MS;
  // Another host's pid means nothing here: only that host can say its export is gone.
  if (o.host !== hostname()) return false;
  return !pidAlive(o.pid);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock, under a second O_EXCL file so that of two processes that both judged
 * it stale only one removes it (the other would otherwise remove the fresh lock the first one
 * just took). The lock is read again under the takeover file: it must still be the same one.
 */
async function takeOver(root: string, path: string, seen: HeldLock): Promise<boolean> {
  const guard = join(root, TAKEOVER_NAME);
  if (!(await createExclusive(guard, JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString() })))) {
    // Someone else is taking over; if they died doing it (a window of microseconds), clear it.
    const g = await readOwner(guard);
    if (!g.gone && (await isStale(g))) await rm(guard, { force: true });
    await new Promise((r) => setTimeout(r, 20));
    return false;
  }
  try {
    const now = await readOwner(path);
    if (now.gone || now.raw !== seen.raw) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}
