/**
 * Entry of an encoder pool worker thread (encoder-pool.ts): runs one EncodeJob per message and
 * answers with the encoded bytes (transferred, not copied) or the error's code and message.
 * Bundled as its own entry point (scripts/build-cli.mjs), so it loads from dist/ as from sources.
 */
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
