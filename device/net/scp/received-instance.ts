/**
 * Where the storage SCP puts what it receives: behind an interface so that the device service
 * can plug its local store in; directory-sink.ts is the plain one (a directory of files).
 *
 * Contract: `begin()` once per C-STORE; then `write()` for each chunk of the data set, in order,
 * exactly as received (in `transferSyntaxUid`); then either `commit()` — the instance is kept,
 * whole, and only then does the SCU hear Success — or `discard()` — nothing of it is kept (the
 * association aborted mid-transfer, a write failed).
 */
export interface ReceivedInstanceInfo {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly remoteHost: string;
}

export interface ReceivedInstanceWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the instance durable and visible; returns where it is (for logs). */
  commit(): Promise<string>;
  discard(): Promise<void>;
}

export interface ReceivedInstanceSink {
  begin(info: ReceivedInstanceInfo): Promise<ReceivedInstanceWriter>;
}

/** A failure the sink wants reported as "out of resources" (disk full, quota): A700. */
export class SinkOutOfResourcesError extends Error {
  override readonly name = 'SinkOutOfResourcesError';
  readonly code = 'SINK_OUT_OF_RESOURCES';
}
