/**
 * The byte pipe under an association, behind one interface (DCMTK's DcmTransportLayer shape) so
 * that the association code does not care whether it runs over TCP or TLS, and a test can give
 * it anything that behaves the same.
 *
 * Contract:
 * - `onData` receives chunks in order; `onClose` is called exactly once, after the last chunk,
 *   with the error that closed the connection, if any.
 * - `write` queues bytes and returns false when the queue is above its high-water mark; the
 *   writer then awaits `drained()` before writing more (backpressure, as node streams do).
 * - `end` flushes queued bytes, then closes; `destroy` closes at once.
 */
export interface Transport {
  /** Bytes the peer sent, in order. */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** The connection ended: by the peer, by us, or by an error. Called once. */
  onClose(handler: (error: Error | undefined) => void): void;
  /** `flushed` is called once the bytes were handed to the OS (their memory may then be reused). */
  write(bytes: Uint8Array, flushed?: () => void): boolean;
  /** Resolves when the write queue has emptied (at once when it is not full), or the transport closed. */
  drained(): Promise<void>;
  end(): void;
  destroy(): void;
  /** Stop delivering data (the reader is behind: a disk slower than the network); optional. */
  pause?(): void;
  resume?(): void;
  /** 'tcp' or 'tls 1.3 TLS_AES_256_GCM_SHA384', for logs. */
  readonly description: string;
}

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
}

/** Opens a transport; rejects with the socket's error (ECONNREFUSED, a TLS alert …). */
export type Connector = (target: ConnectTarget, signal?: AbortSignal) => Promise<Transport>;
