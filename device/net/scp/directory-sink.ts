/**
 * A ReceivedInstanceSink that keeps each instance as a Part 10 file, `<SOP Instance UID>.dcm`
 * in one directory: our File Meta Information (the transfer syntax the data set came in, the
 * calling AE as Source AE Title), then the data set bytes exactly as received. Written under a
 * temporary name, fsynced and renamed: the name appears only for a whole file, and an abort
 * mid-transfer leaves nothing behind.
 */
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Part10Spool, rethrowDiskFull } from './part10-spool.js';
import type { ReceivedInstanceInfo, ReceivedInstanceSink, ReceivedInstanceWriter } from './received-instance.js';

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
    const sync = this.options.sync ?? true;
    const spool = await Part10Spool.open(join(this.dir, `.${info.sopInstanceUid}.${process.pid}.${++serial}.part`), info, { sync });
    return {
      write: (chunk) => spool.write(chunk),
      discard: () => spool.discard(),
      commit: async () => {
        await spool.finish();
        try {
          await rename(spool.path, final);
          if (sync) {
            const d = await open(this.dir, 'r');
            try {
              await d.sync();
            } finally {
              await d.close();
            }
          }
        } catch (e) {
          await spool.discard();
          rethrowDiskFull(e);
        }
        return final;
      },
    };
  }
}
