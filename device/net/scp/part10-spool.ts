/**
 * A received instance on its way to disk: a Part 10 file under a temporary name, our File Meta
 * Information first, then the data set bytes exactly as they arrive. Chunks are gathered and
 * written with one writev per batch; `finish()` flushes, fsyncs and closes, after which the
 * caller renames it to where it belongs (a directory, the instance store); `discard()` removes
 * it. Used by every ReceivedInstanceSink so that they write the same bytes the same way.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { buildFileMeta, encodeFileHeader } from '../../../dicom/part10/index.js';
import { SinkOutOfResourcesError, type ReceivedInstanceInfo } from './received-instance.js';

/** Chunks are gathered up to this many bytes and written with one writev. */
const BATCH_BYTES = 1024 * 1024;
/**
 * With sync, the file's data is flushed in the background every this many bytes while the rest
 * is still arriving: the disk writes while the network delivers, and the fsync before Success
 * finds at most this much left to write instead of the whole object (a 150 MB cine: ~0.3 s of
 * disk time otherwise spent after the last byte, with the SCU waiting).
 */
const SYNC_EVERY_BYTES = 8 * 1024 * 1024;

export interface Part10SpoolOptions {
  /** fsync in finish() (and flush in the background while writing). Default true. */
  readonly sync?: boolean;
}

export class Part10Spool {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private closed = false;
  private unsynced = 0;
  /** The background flush in progress (at most one); its failure is kept for finish(). */
  private syncing: Promise<void> | undefined;
  private syncError: unknown;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly sync: boolean,
  ) {}

  /** Creates `path` (it must not exist) and queues the File Meta Information of `info`. */
  static async open(path: string, info: ReceivedInstanceInfo, o: Part10SpoolOptions = {}): Promise<Part10Spool> {
    const fh = await open(path, 'wx').catch(rethrowDiskFull);
    const spool = new Part10Spool(fh, path, o.sync ?? true);
    const header = encodeFileHeader(
      buildFileMeta({ sopClassUid: info.sopClassUid, sopInstanceUid: info.sopInstanceUid, transferSyntaxUid: info.transferSyntaxUid, sourceAeTitle: info.callingAeTitle }),
    );
    spool.batch.push(header);
    spool.batchBytes = header.length;
    return spool;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Everything written, fsynced (unless opened without sync), closed. A failure discards the file and throws. */
  async finish(): Promise<void> {
    try {
      await this.flush();
      await this.syncing;
      if (this.syncError !== undefined) throw this.syncError;
      if (this.sync) await this.fh.sync();
      this.closed = true;
      await this.fh.close();
    } catch (e) {
      await this.discard();
      rethrowDiskFull(e);
    }
  }

  async discard(): Promise<void> {
    this.batch = [];
    await this.syncing;
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => undefined);
    }
    await rm(this.path, { force: true });
  }

  private async flush(): Promise<void> {
    const list = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    let rest = list;
    while (rest.length > 0) {
      const { bytesWritten } = await this.fh.writev(rest).catch(rethrowDiskFull);
      // A short write (rare): drop what went out and write the rest.
      let n = bytesWritten;
      const next: Uint8Array[] = [];
      for (const b of rest) {
        if (n >= b.length) n -= b.length;
        else {
          next.push(b.subarray(n));
          n = 0;
        }
      }
      rest = next;
    }
    this.unsynced += written(list);
    if (this.sync && this.unsynced >= SYNC_EVERY_BYTES && this.syncing === undefined) {
      this.unsynced = 0;
      this.syncing = this.fh.datasync().then(
        () => void (this.syncing = undefined),
        (e: unknown) => {
          this.syncError ??= e;
          this.syncing = undefined;
        },
      );
    }
  }
}

function written(list: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of list) n += b.length;
  return n;
}

/** ENOSPC / EDQUOT become "out of resources" (A700 to the SCU); anything else is rethrown as is. */
export function rethrowDiskFull(e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw new SinkOutOfResourcesError(`disk full: ${(e as Error).message}`, { cause: e });
  throw e;
}
