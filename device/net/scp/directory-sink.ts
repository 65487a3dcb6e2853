/**
 * A ReceivedInstanceSink that keeps each instance as a Part 10 file, `<SOP Instance UID>.dcm`
 * in one directory: our File Meta Information (the transfer syntax the data set came in, the
 * calling AE as Source AE Title), then the data set bytes exactly as received. Written under a
 * temporary name, fsynced and renamed: the name appears only for a whole file, and an abort
 * mid-transfer leaves nothing behind.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFileMeta, encodeFileHeader } from '../../../dicom/part10/index.js';
import { SinkOutOfResourcesError, type ReceivedInstanceInfo, type ReceivedInstanceSink, type ReceivedInstanceWriter } from './received-instance.js';

/** Chunks are gathered up to this many bytes and written with one writev. */
const BATCH_BYTES = 1024 * 1024;
let serial = 0;

export interface DirectorySinkOptions {
  /** fsync each file and the directory before answering Success (default true). */
  readonly sync?: boolean;
}

export class DirectorySink implements ReceivedInstanceSink {
  constructor(
    readonly dir: string,
    private readonly options: DirectorySinkOptions = {},
  ) {}

  async begin(info: ReceivedInstanceInfo): Promise<ReceivedInstanceWriter> {
    // The UID was checked by the storage SCP (digits and dots only): it cannot leave the directory.
    const final = join(this.dir, `${info.sopInstanceUid}.dcm`);
    const tmp = join(this.dir, `.${info.sopInstanceUid}.${process.pid}.${++serial}.part`);
    const fh = await open(tmp, 'wx').catch(rethrow);
    const header = encodeFileHeader(
      buildFileMeta({ sopClassUid: info.sopClassUid, sopInstanceUid: info.sopInstanceUid, transferSyntaxUid: info.transferSyntaxUid, sourceAeTitle: info.callingAeTitle }),
    );
    return new FileWriter(fh, tmp, final, this.dir, header, this.options.sync ?? true);
  }
}

class FileWriter implements ReceivedInstanceWriter {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private done = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly tmp: string,
    private readonly final: string,
    private readonly dir: string,
    header: Uint8Array,
    private readonly sync: boolean,
  ) {
    this.batch.push(header);
    this.batchBytes = header.length;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  async commit(): Promise<string> {
    try {
      await this.flush();
      if (this.sync) await this.fh.sync();
      await this.fh.close();
      this.done = true;
      await rename(this.tmp, this.final);
      if (this.sync) {
        const d = await open(this.dir, 'r');
        try {
          await d.sync();
        } finally {
          await d.close();
        }
      }
      return this.final;
    } catch (e) {
      await this.discard();
      return rethrow(e);
    }
  }

  async discard(): Promise<void> {
    this.batch = [];
    if (!this.done) {
      this.done = true;
      await this.fh.close().catch(() => undefined);
    }
    await rm(this.tmp, { force: true });
  }

  private async flush(): Promise<void> {
    const list = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    let rest = list;
    while (rest.length > 0) {
      const { bytesWritten } = await this.fh.writev(rest).catch(rethrow);
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
  }
}

function rethrow(e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw new SinkOutOfResourcesError(`disk full: ${(e as Error).message}`, { cause: e });
  throw e;
}
