/**
 * A small pool of worker threads for CPU-heavy frame encoding, so the event loop stays free
 * (the device service answers the UI, the network and the grabber while a cine is stored).
 *
 * - Size: one worker per core (os.availableParallelism()), started on first use.
 * - Bounded queue with back-pressure: at most `maxQueued` jobs wait for a worker; run() beyond
 *   that waits for room before it queues, so a fast producer cannot pile frames up.
 * - Frame buffers move by transfer, not copy: run() transfers the input's ArrayBuffer when the
 *   caller hands it over (`owned`), otherwise copies it once into a buffer it then transfers;
 *   the worker transfers the encoded bytes back, and the input buffer too, which the pool
 *   reuses for the next copy: frame-sized garbage in every thread would otherwise pile up
 *   until each thread's garbage collector notices (tens of MB per thread).
 * - Errors: a codec error in the worker, a worker that dies, or a closed pool reject run() with
 *   CaptureError CAPTURE_ENCODER_FAILED (detail.code: the codec's code, ENCODER_WORKER_DIED or
 *   ENCODER_POOL_CLOSED). A dead worker is replaced for the next job.
 * - Shutdown: idle workers are unref'd, so they never keep a process alive; close() rejects
 *   queued jobs, lets running ones finish and terminates the threads.
 *
 * The worker entry is encode-worker.ts next to this file: run through tsx from the sources
 * (the worker registers tsx itself), and encode-worker.js beside the bundle's chunks in dist/.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CaptureError } from '../capture/errors.js';
import type { EncodeJob } from './encode-job.js';
import type { WorkerReply, WorkerRequest } from './encode-worker.js';

export interface EncoderPoolOptions {
  /** Worker threads (default: the number of cores). */
  readonly size?: number;
  /** Jobs that may wait for a worker before run() itself waits (default: 2 × size). */
  readonly maxQueued?: number;
}

interface Job {
  readonly id: number;
  readonly job: EncodeJob;
  readonly transfer: ArrayBuffer[];
  /** The caller's own buffer was moved (not a copy): its return is not kept for reuse. */
  readonly owned: boolean;
  readonly resolve: (encoded: Uint8Array) => void;
  readonly reject: (e: CaptureError) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Job | undefined;
  /** Resolves when the worker has loaded its code (or is gone). */
  readonly ready: Promise<void>;
}

function failure(code: string, message: string, cause?: unknown): CaptureError {
  return new CaptureError('CAPTURE_ENCODER_FAILED', message, { code }, cause === undefined ? undefined : { cause });
}

/** How to start the worker: the .js file beside the bundle, or the .ts source through tsx. */
function workerSpec(): { file: string | URL; eval: boolean; workerData?: unknown } {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './encode-worker.ts' : './encode-worker.js', import.meta.url);
  if (!fromSources) return { file: entry, eval: false };
  // tsx's ESM API (its `import` export), found through tsx's own package.json.
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(tsxPackage, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = join(dirname(tsxPackage), exports['./esm/api']!.import.default);
  const bootstrap = `
    (async () => {
      const { workerData } = await import('node:worker_threads');
      const { pathToFileURL } = await import('node:url');
      const api = await import(pathToFileURL(workerData.tsxApi).href);
      api.register();
      await import(workerData.entry);
    })().catch((e) => { setImmediate(() => { throw e; }); });`;
  return { file: bootstrap, eval: true, workerData: { tsxApi, entry: entry.href } };
}

export class EncoderPool {
  readonly size: number;
  private readonly maxQueued: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private nextId = 1;
  /** Input buffers handed back by workers, for the next copies (a few, of the frame size). */
  private readonly spare: ArrayBuffer[] = [];
  private closed = false;

  constructor(o: EncoderPoolOptions = {}) {
    this.size = Math.max(1, o.size ?? availableParallelism());
    this.maxQueued = Math.max(1, o.maxQueued ?? 2 * this.size);
  }

  /** Encodes one frame on a worker. `owned`: the caller gives up the input's buffer (it is transferred and unusable afterwards). */
  async run(job: EncodeJob, o: { owned?: boolean } = {}): Promise<Uint8Array> {
    while (!this.closed && this.queue.length >= this.maxQueued) await new Promise<void>((r) => this.roomWaiters.push(r));
    if (this.closed) throw failure('ENCODER_POOL_CLOSED', 'the encoder pool was closed');
    const d = job.data;
    const whole = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer;
    const owned = o.owned === true && whole;
    const data = owned ? d : this.copyOf(d);
    const moved = { ...job, data } as EncodeJob;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job: moved, transfer: [data.buffer as ArrayBuffer], owned, resolve, reject });
      this.dispatch();
    });
  }

  /** Jobs waiting for a worker (never more than maxQueued), and jobs running. */
  get load(): { readonly queued: number; readonly running: number; readonly workers: number } {
    return { queued: this.queue.length, running: this.slots.filter((s) => s.current).length, workers: this.slots.length };
  }

  /**
   * Starts every worker and waits until each has loaded the encoder, so the first frames of a
   * capture do not wait for threads to start (a second or more under tsx on a busy machine).
   */
  async warm(): Promise<void> {
    if (this.closed) return;
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  private copyOf(d: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
    const i = this.spare.findIndex((b) => b.byteLength === d.byteLength);
    if (i < 0) return d.slice();
    const buf = this.spare.splice(i, 1)[0]!;
    const copy = d instanceof Uint8Array ? new Uint8Array(buf) : new Uint16Array(buf);
    copy.set(d);
    return copy;
  }

  /** Rejects what is still queued, waits for running jobs, stops the threads. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(failure('ENCODER_POOL_CLOSED', 'the encoder pool was closed'));
    for (const w of this.roomWaiters.splice(0)) w();
    await Promise.all(
      this.slots.splice(0).map(async (s) => {
        if (s.current) await new Promise<void>((r) => s.worker.once('message', () => r()).once('exit', () => r()));
        await s.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.current);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.current = job;
      slot.worker.ref();
      const request: WorkerRequest = { id: job.id, job: job.job };
      slot.worker.postMessage(request, job.transfer);
      this.roomWaiters.shift()?.();
    }
  }

  private spawn(): Slot {
    const spec = workerSpec();
    // A small young generation: each frame leaves ~1 MB of encoder output buffers behind, held
    // only by small wrapper objects that a scavenge frees; with V8's default sizing they pile
    // up to tens of MB per thread before one happens.
    const worker = new Worker(spec.file, { eval: spec.eval, workerData: spec.workerData, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    let loaded!: () => void;
    const slot: Slot = { worker, current: undefined, ready: new Promise<void>((r) => (loaded = r)) };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        // Loaded: from now on it holds the process open only while it has a job. (Not before:
        // warm() waits for this message; not at spawn: adding listeners refs the port again.)
        if (!slot.current) worker.unref();
        return loaded();
      }
      const job = slot.current;
      if (!job || job.id !== reply.id) return;
      slot.current = undefined;
      if (!this.closed) worker.unref();
      if ('encoded' in reply) {
        if (!job.owned && this.spare.length < this.maxQueued + this.size) this.spare.push(reply.input);
        job.resolve(reply.encoded);
      }
      else job.reject(failure(reply.error.code, reply.error.message));
      this.dispatch();
    });
    const lost = (why: string, cause?: unknown): void => {
      loaded();
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.current?.reject(failure('ENCODER_WORKER_DIED', `an encoder worker stopped: ${why}`, cause));
      slot.current = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (e) => lost(e.message, e));
    worker.on('exit', (code) => lost(`exit code ${code}`));

    this.slots.push(slot);
    return slot;
  }
}

let shared: EncoderPool | undefined;

/** The process's pool: every capture and conversion shares the cores through it. */
export function sharedEncoderPool(): EncoderPool {
  shared ??= new EncoderPool();
  return shared;
}
