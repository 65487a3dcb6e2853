/**
 * The storage SCP's sink in the running service: received instances go into the local
 * InstanceStore with the atomicity of a capture. The data set streams into a temporary Part 10
 * file under DATADIR/incoming (same file system), is fsynced, then renamed to
 * instances/<study>/<series>/<sop>.dcm and indexed with `received_from` = the calling AE; only
 * then does the SCU hear Success. An abort mid-transfer removes the partial file; no row exists.
 *
 * Refusals (A700, out of resources, so the SCU keeps the object and retries later): free disk
 * below quotas.refuseFreeMb, or the instances already taking quotas.maxSpoolMb — received objects
 * (priors, another modality's images) must not take the space the cart's own captures need.
 */
import { join } from 'node:path';
import { Part10Spool } from '../net/scp/part10-spool.js';
import { SinkOutOfResourcesError, type ReceivedInstanceInfo, type ReceivedInstanceSink, type ReceivedInstanceWriter } from '../net/scp/received-instance.js';
import { StorageError, type InstanceRecord, type InstanceStore } from '../storage/index.js';

export interface StoreSinkOptions {
  readonly store: InstanceStore;
  /** Bytes the instances may take before received objects are refused (0: no limit). */
  readonly maxStoreBytes: number;
  /** The instances' bytes now (the quota's sum). */
  readonly storeBytes: () => number;
  /** fsync before Success (default true; false only in benchmarks that compare with storescp's default). */
  readonly sync?: boolean;
  /**
   * For each instance kept (or a duplicate dropped): run inside the transaction of its row, so
   * that the audit entry costs no commit of its own.
   */
  readonly onStored?: (record: InstanceRecord, duplicate: boolean) => void;
}

let serial = 0;

export class InstanceStoreSink implements ReceivedInstanceSink {
  private readonly writing = new Set<Promise<unknown>>();

  /**
   * The spool's size: summed every 32 instances (a SUM over every row costs ~10 ms at 100,000
   * instances), plus what was received since; summed afresh before refusing, so a stale value
   * never refuses (the quota may have removed studies since).
   */
  private sized: { uses: number; bytes: number } | undefined;

  constructor(private readonly o: StoreSinkOptions) {}

  private overQuota(): boolean {
    const max = this.o.maxStoreBytes;
    if (max <= 0) return false;
    if (this.sized === undefined || ++this.sized.uses > 32) this.sized = { uses: 0, bytes: this.o.storeBytes() };
    if (this.sized.bytes < max) return false;
    this.sized = { uses: 0, bytes: this.o.storeBytes() };
    return this.sized.bytes >= max;
  }

  /** Instances being received now. */
  get inFlight(): number {
    return this.writing.size;
  }

  /** Resolves when no instance is being received (each one committed or discarded). */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }

  async begin(info: ReceivedInstanceInfo): Promise<ReceivedInstanceWriter> {
    const { store } = this.o;
    try {
      await store.ensureSpace(`received ${info.sopInstanceUid}`);
    } catch (e) {
      throw outOfResources(e);
    }
    if (this.overQuota()) {
      throw new SinkOutOfResourcesError(`the spool holds its quota of ${Math.round(this.o.maxStoreBytes / 2 ** 20)} MB; received objects are refused until it is freed`);
    }
    const tmp = join(await store.incomingDir(), `${info.sopInstanceUid}.${process.pid}.${++serial}.part`);
    const spool = await Part10Spool.open(tmp, info, { sync: this.o.sync ?? true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    this.writing.add(finished);
    const end = (): void => {
      this.writing.delete(finished);
      done();
    };
    return {
      write: (chunk) => spool.write(chunk),
      discard: async () => {
        try {
          await spool.discard();
        } finally {
          end();
        }
      },
      commit: async () => {
        try {
          await spool.finish();
          const onStored = this.o.onStored;
          const { record, duplicate } = await store.adoptReceived(tmp, info.sopInstanceUid, info.callingAeTitle, onStored && ((r) => onStored(r, false))).catch((e: unknown) => {
            throw outOfResources(e);
          });
          if (duplicate) onStored?.(record, true);
          else if (this.sized) this.sized.bytes += record.size;
          return record.path;
        } finally {
          end();
        }
      },
    };
  }
}

/** STORAGE_FULL → SinkOutOfResourcesError (A700); other errors as they are (0110). */
function outOfResources(e: unknown): unknown {
  if (e instanceof StorageError && e.code === 'STORAGE_FULL') return new SinkOutOfResourcesError(e.message, { cause: e });
  return e;
}
