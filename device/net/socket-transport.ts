/**
 * A Transport over a node:net or node:tls socket. Nagle's algorithm is switched off: DIMSE is
 * request/response with small command PDUs, and Nagle plus delayed ACK costs ~40 ms per
 * response (the delay Debian's storescp shows, peers.md).
 */
import type { Socket } from 'node:net';
import type { Transport } from './transport.js';

export class SocketTransport implements Transport {
  private closeHandler: ((e: Error | undefined) => void) | undefined;
  private closed = false;
  private closeError: Error | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    readonly description: string,
  ) {
    socket.setNoDelay(true);
    socket.on('error', (e) => {
      this.closeError ??= e;
    });
    socket.on('drain', () => this.releaseDrainWaiters());
    socket.on('close', () => {
      this.closed = true;
      this.releaseDrainWaiters();
      this.closeHandler?.(this.closeError);
    });
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.socket.on('data', (b: Buffer) => handler(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  }

  onClose(handler: (error: Error | undefined) => void): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(() => handler(this.closeError));
  }

  write(bytes: Uint8Array, flushed?: () => void): boolean {
    if (this.closed || this.socket.destroyed) {
      flushed?.();
      return true;
    }
    // Called on success and on error alike: either way the socket is done with the bytes.
    return this.socket.write(bytes, flushed ? () => flushed() : undefined);
  }

  drained(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  end(): void {
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
