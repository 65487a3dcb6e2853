import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { uidFromRandom } from '../../dicom/core/index.js';
import { transferSyntax } from '../../dicom/encoding/index.js';
import {
  encodeDicomdir,
  mediaProfile,
  planExport,
  PROFILE_IDS,
  splitIntoFileSets,
  MediaError,
  type ExportPlan,
  type MediaProfile,
  type PlannedWrite,
  type ReadFileSet,
} from '../../dicom/media/index.js';
import { MediaNoSpaceError, MediaRefusedError, MediaWriteError, writeErrorFrom } from './errors.js';
import { nodeMediaIo, type MediaIo } from './io.js';
import { openInputFile } from '../files/open-input.js';
import { readFileSetAt, referencedFileIds } from './read-fileset.js';
import { pathsOnMedium, scanInputs } from './scan.js';
import { recoverInterrupted, removeJournal, writeJournal } from './leftovers.js';
import { withMediumLock } from './lock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { FAT_MAX_FILE, isFat, mediumSpace, type MediumSpace } from './space.js';

export interface ExportOptions {
  readonly profile: string | MediaProfile;
  /** The medium: its mount point, or any directory standing for it. */
  readonly out: string;
  /** Files and folders to export. */
  readonly inputs: readonly string[];
  /** Add to the file-set already there (FSU); without it an existing DICOMDIR is refused. */
  readonly add?: boolean;
  readonly fileSetId?: string;
  readonly signal?: AbortSignal;
  /** The medium's writes (tests pass one that fails at a chosen byte). */
  readonly io?: MediaIo;
  /** Free space and file system of the medium (tests pass a small one). */
  readonly space?: (dir: string) => Promise<MediumSpace>;
  /** Files written at the same time (default 4); 1 writes strictly one after another. */
  readonly parallel?: number;
  /** How long to wait while another export writes to the same medium (default 120 s), then MEDIA_LOCKED. */
  readonly lockWaitMs?: number;
  readonly log?: Logger;
}

export interface ExportProgress {
  readonly phase: 'files' | 'dicomdir' | 'done';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** The File ID being written, `\`-separated. */
  readonly current?: string;
}

export type ExportEvents = {
  progress: [ExportProgress];
  warning: [string];
  /** Another export holds the medium; this one waits for it (said once). */
  waiting: [string];
};

export interface ExportReport {
  readonly profile: string;
  readonly mode: 'FSC' | 'FSU';
  readonly fileSetId: string;
  readonly fsType: string;
  readonly written: readonly { source: string; fileId: string; action: PlannedWrite['action'] }[];
  readonly bytes: number;
  readonly duplicates: ExportPlan['duplicates'];
  readonly skipped: readonly string[];
  readonly warnings: readonly string[];
  readonly records: number;
}

const CHUNK = 1024 * 1024;
/** What a DICOMDIR record costs on top of its file (an IMAGE record with its parents, generously). */
const RECORD_BYTES = 1024;

/**
 * One export onto a medium (FSC, or FSU with `add`), in the order that keeps the medium
 * trustworthy: read and check the old DICOMDIR, plan, refuse what the profile forbids, check the
 * free space — all before writing anything; then each file (temporary name, fsync, rename), and
 * the DICOMDIR last, the same way. The DICOMDIR's rename is the commit: cancelled or failed
 * before it, the files this export wrote are removed and the old file-set is what remains.
 */
export class FileSetExport extends EventEmitter<ExportEvents> {
  private readonly io: MediaIo;
  private readonly profile: MediaProfile;

  constructor(private readonly opts: ExportOptions) {
    super();
    this.io = opts.io ?? nodeMediaIo;
    const p = typeof opts.profile === 'string' ? mediaProfile(opts.profile) : opts.profile;
    if (!p) throw new MediaError('MEDIA_UNKNOWN_PROFILE', `unknown media profile ${String(opts.profile)}; known: ${PROFILE_IDS.join(', ')}`);
    this.profile = p;
  }

  /** Everything up to (not including) the first write: the plan, or a typed refusal. */
  async prepare(): Promise<{ plan: ExportPlan; existing?: { path: string; fileSet: ReadFileSet; size: number }; space: MediumSpace; skipped: string[]; dicomdirBytes: number }> {
    const { out } = this.opts;
    await checkOut(out);
    const existing = await readFileSetAt(out);
    if (existing && !this.opts.add) {
      throw new MediaError('MEDIA_FILESET_EXISTS', `${existing.path} already holds a file-set; use --add to add to it`);
    }
    const scanned = await scanInputs(this.opts.inputs);
    const plan = planExport({
      profile: this.profile,
      ...(existing ? { existing: existing.fileSet } : {}),
      instances: scanned.instances,
      takenPaths: await pathsOnMedium(out),
      ...(this.opts.fileSetId !== undefined ? { fileSetId: this.opts.fileSetId } : {}),
    });
    const refused = [...scanned.refused, ...plan.refused];
    if (refused.length > 0) throw new MediaRefusedError(refused);
    if (scanned.instances.length === 0) {
      // An empty DICOMDIR would tell the receiving site "nothing was sent" and exit 0.
      throw new MediaError(
        'MEDIA_NOTHING_TO_EXPORT',
        `no DICOM instance in ${this.opts.inputs.join(', ')}${scanned.skipped.length > 0 ? ` (only ${scanned.skipped.length} DICOMDIR file(s), which are not instances)` : ''}; nothing was written`,
      );
    }

    const space = await (this.opts.space ?? mediumSpace)(out);
    if (isFat(space.fsType)) {
      const big = plan.writes.find((w) => w.bytes > FAT_MAX_FILE);
      if (big) throw new MediaError('MEDIA_FILE_TOO_LARGE', `${big.source} is ${big.bytes} bytes; ${space.fsType} holds at most 4 GiB − 1 per file`);
    }
    const dicomdirBytes = encodeDicomdir(plan.fileSet, { sopInstanceUid: '2.25.0' }).length;
    const round = (n: number): number => Math.ceil(n / space.blockSize) * space.blockSize;
    const newDirs = new Set(plan.writes.map((w) => w.fileId.slice(0, -1).join('/'))).size;
    // The new DICOMDIR sits beside the old one until the rename: both count.
    const needed =
      plan.writes.reduce((n, w) => n + round(w.bytes), 0) + newDirs * 4 * space.blockSize + round(dicomdirBytes) + (existing ? round(existing.size) : 0);
    if (needed > space.free) {
      const room = space.free - round(dicomdirBytes) - (existing ? round(existing.size) : 0);
      throw new MediaNoSpaceError(needed, space.free, splitIntoFileSets(plan.writes, Math.max(0, room), space.blockSize + RECORD_BYTES));
    }
    return { plan, ...(existing ? { existing } : {}), space, skipped: scanned.skipped, dicomdirBytes };
  }

  /**
   * The whole export under the medium's lock: another export onto the same file-set (this
   * process or another) is waited for, never interleaved with. Temporary files an export
   * killed part-way left behind are removed first (only ours, see leftovers.ts).
   */
  async run(): Promise<ExportReport> {
    const { out } = this.opts;
    const log = this.opts.log ?? nullLogger;
    await checkOut(out);
    return withMediumLock(
      out,
      async () => {
        await recoverInterrupted(out, referencedFileIds, log);
        return this.runLocked();
      },
      {
        log,
        ...(this.opts.lockWaitMs !== undefined ? { waitMs: this.opts.lockWaitMs } : {}),
        onWait: (owner) =>
          this.emit('waiting', `another export is writing to ${out}${owner ? ` (pid ${owner.pid} on ${owner.host} since ${owner.time})` : ''}; waiting for it to finish`),
      },
    ).catch((e: unknown) => {
      // Taking the lock or cleaning up is the first write: a read-only or vanished medium says so here.
      if (e instanceof MediaError || typeof (e as NodeJS.ErrnoException)?.code !== 'string') throw e;
      throw writeErrorFrom(e, out);
    });
  }

  private async runLocked(): Promise<ExportReport> {
    const { plan, existing, space, skipped } = await this.prepare();
    const { out, signal } = this.opts;
    for (const w of plan.warnings) this.emit('warning', w);
    for (const d of plan.duplicates) this.emit('warning', `${d.source}: SOP Instance UID ${d.sopInstanceUid} is already in the file-set as ${d.existingFileId}; not written again`);

    const bytesTotal = plan.writes.reduce((n, w) => n + w.bytes, 0);
    let bytesDone = 0;
    let filesDone = 0;
    const progress = (phase: ExportProgress['phase'], current?: string): void => {
      this.emit('progress', { phase, filesDone, filesTotal: plan.writes.length, bytesDone, bytesTotal, ...(current ? { current } : {}) });
    };
    const createdDirs: string[] = [];
    const writtenFiles: string[] = [];
    const dirReady = new Map<string, Promise<void>>();
    let current = out;
    /** Each directory is made once, however many files going into it are written at the same time. */
    const ensureDir = (dir: string): Promise<void> => {
      let p = dirReady.get(dir);
      if (!p) {
        p = stat(dir).then(
          (s) => {
            if (!s.isDirectory()) throw new MediaError('MEDIA_PATH_TAKEN', `${dir} exists and is not a directory`);
          },
          async () => {
            await this.io.mkdir(dir);
            createdDirs.push(dir);
          },
        );
        dirReady.set(dir, p);
      }
      return p;
    };
    const writeOne = async (w: PlannedWrite): Promise<void> => {
      const fileIdText = w.fileId.join('\\');
      const path = join(out, ...w.fileId);
      current = path;
      for (let i = 1; i < w.fileId.length; i++) await ensureDir(join(out, ...w.fileId.slice(0, i)));
      this.checkAbort();
      progress('files', fileIdText);
      writtenFiles.push(path);
      if (w.action === 'rewrite') {
        await this.io.convert(w.source, path, transferSyntax(w.transferSyntaxUid)!, DEFERRED_SYNC);
        bytesDone += (await stat(path)).size;
      } else {
        await this.io.writeAtomically(path, async (write) => {
          for await (const chunk of readChunks(w.source)) {
            this.checkAbort();
            await write(chunk);
            bytesDone += chunk.length;
            progress('files', fileIdText);
          }
        }, DEFERRED_SYNC);
      }
      filesDone++;
      progress('files', fileIdText);
    };
    try {
      // Before the first file: what to remove should this process be killed before the commit.
      if (plan.writes.length > 0) await writeJournal(out, plan.writes.map((w) => w.fileId.join('/')));
      // A few files in flight at once, so that one file's fsync overlaps the next one's writes.
      let next = 0;
      let failed = false;
      const worker = async (): Promise<void> => {
        while (!failed && next < plan.writes.length) {
          const w = plan.writes[next++]!;
          try {
            await writeOne(w);
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      };
      const results = await Promise.allSettled(Array.from({ length: Math.min(this.opts.parallel ?? 4, plan.writes.length) }, worker));
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected) throw rejected.reason;
      this.checkAbort();
      // Every file durable before the DICOMDIR may name it.
      await this.io.flush(out);
      progress('dicomdir');
      const bytes = encodeDicomdir(plan.fileSet, { sopInstanceUid: uidFromRandom(randomBytes(16)) });
      current = existing?.path ?? join(out, 'DICOMDIR');
      // The commit point: until this rename the old DICOMDIR (or none) is what the medium says.
      await this.io.writeAtomically(current, (write) => write(bytes));
      await removeJournal(out);
    } catch (e) {
      await this.undo(writtenFiles, createdDirs);
      await removeJournal(out).catch(() => undefined);
      if (e instanceof MediaError) throw e;
      if (signal?.aborted) throw new MediaWriteError('MEDIA_CANCELLED', 'the export was cancelled; the files it wrote were removed and the DICOMDIR was not changed', { cause: e });
      throw writeErrorFrom(e, current);
    }
    progress('done');
    return {
      profile: this.profile.id,
      mode: existing ? 'FSU' : 'FSC',
      fileSetId: plan.fileSet.fileSetId,
      fsType: space.fsType,
      written: plan.writes.map((w) => ({ source: w.source, fileId: w.fileId.join('\\'), action: w.action })),
      bytes: bytesDone,
      duplicates: plan.duplicates,
      skipped,
      warnings: plan.warnings,
      records: countAll(plan),
    };
  }

  private checkAbort(): void {
    if (this.opts.signal?.aborted) {
      throw new MediaWriteError('MEDIA_CANCELLED', 'the export was cancelled; the files it wrote were removed and the DICOMDIR was not changed');
    }
  }

  /** Best effort: a pulled medium cannot be cleaned, and then there is nothing to clean on it. */
  private async undo(files: readonly string[], dirs: readonly string[]): Promise<void> {
    for (const f of files) await this.io.removeFile(f).catch(() => undefined);
    for (const d of [...dirs].reverse()) await this.io.removeEmptyDir(d);
  }
}

function countAll(plan: ExportPlan): number {
  let n = 0;
  const stack = [...plan.fileSet.roots];
  while (stack.length > 0) {
    const r = stack.pop()!;
    n++;
    stack.push(...r.children);
  }
  return n;
}

/** The medium's root must exist and be a directory; said plainly, before any lock or scan. */
async function checkOut(out: string): Promise<void> {
  const s = await stat(out).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MediaError('MEDIA_OUT_MISSING', `${out} does not exist (is the medium mounted there?); nothing was written`);
    }
    throw writeErrorFrom(e, out);
  });
  if (!s.isDirectory()) throw new MediaError('MEDIA_NOT_A_DIRECTORY', `${out} is not a directory (the medium's mount point)`);
}

/** Files are synced together, once, before the DICOMDIR commit (see MediaIo.flush). */
const DEFERRED_SYNC = { sync: false } as const;

async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const fh = await openInputFile(path);
  try {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Runs one export; `onProgress` gets the progress events. */
export async function exportFileSet(opts: ExportOptions, onProgress?: (p: ExportProgress) => void): Promise<ExportReport> {
  const job = new FileSetExport(opts);
  if (onProgress) job.on('progress', onProgress);
  return job.run();
}
