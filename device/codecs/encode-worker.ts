/**
 * Entry of an encoder pool worker thread (encoder-pool.ts): runs one EncodeJob per message and
 * answers with the encoded bytes (transferred, not copied) or the error's code and message.
 * Bundled as its own entry point (scripts/build-cli.mjs), so it loads from dist/ as from sources.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { runEncodeJob, type EncodeJob } from './encode-job.js';

export interface WorkerRequest {
  readonly id: number;
  readonly job: EncodeJob;
}
export type WorkerReply =
  | { readonly ready: true }
  /** `input`: the job's sample buffer, handed back so the pool can reuse it for the next frame. */
  | { readonly id: number; readonly encoded: Uint8Array; readonly input: ArrayBuffer }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

const port = parentPort;
if (!port) throw new Error('encode-worker.ts runs as a worker thread of the encoder pool');

// Encoding is background work: this thread (only this one: on Linux a thread id names one
// thread to setpriority) yields the cores to the event loop and the grabber when they are
// busy, so the UI and the network stay responsive while a cine is stored. The raw spool lets
// the recording keep up even when encoding falls behind. Elsewhere the thread keeps its priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) setPriority(tid, 10);
} catch {
  /* not Linux, or not allowed: keep the default priority */
}

port.postMessage({ ready: true } satisfies WorkerReply);
port.on('message', ({ id, job }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const encoded = runEncodeJob(job);
    const input = job.data.buffer as ArrayBuffer;
    reply = { id, encoded, input };
    port.postMessage(reply, encoded.buffer === input ? [input] : [encoded.buffer as ArrayBuffer, input]);
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'ENCODER_EXCEPTION';
    reply = { id, error: { code, message: e instanceof Error ? e.message : String(e) } };
    port.postMessage(reply);
  }
});
