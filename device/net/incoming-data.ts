/**
 * The data set of a request the peer is sending, as a stream its handler reads with
 * `for await`. Fragments are kept as they came (views of the receive buffers, no copy); when
 * more than HIGH_WATER bytes wait for the reader (the disk is slower than the network), the
 * socket is paused, and resumed below LOW_WATER: a 150 MB cine is never whole in memory.
 */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export class IncomingData implements AsyncIterable<Uint8Array> {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private buffered = 0;
  private paused = false;
  private done = false;
  private error: unknown;
  private dropping = false;
  private waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;
  private endedSettle!: { resolve: () => void; reject: (e: unknown) => void };
  /** Settles when the last fragment has arrived (or the association ended first). */
  readonly ended: Promise<void>;

  constructor(private readonly flow: FlowControl) {
    this.ended = new Promise((resolve, reject) => (this.endedSettle = { resolve, reject }));
    this.ended.catch(() => undefined); // observed by whoever awaits it
  }

  push(bytes: Uint8Array): void {
    if (this.done || this.dropping || bytes.length === 0) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: bytes, done: false });
      return;
    }
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    if (!this.paused && this.buffered > HIGH_WATER) {
      this.paused = true;
      this.flow.pause();
    }
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.endedSettle.resolve();
    this.wake();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.endedSettle.reject(error);
    this.wake();
    this.release();
  }

  /** The reader has stopped: what is buffered and whatever still arrives is dropped. */
  discard(): void {
    this.dropping = true;
    this.release();
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.head < this.chunks.length) {
      const value = this.chunks[this.head]!;
      this.chunks[this.head++] = EMPTY;
      this.buffered -= value.length;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      }
      if (this.paused && this.buffered < LOW_WATER) {
        this.paused = false;
        this.flow.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next() };
  }

  private release(): void {
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    if (this.error !== undefined) w.reject(this.error);
    else w.resolve({ value: undefined, done: true });
  }
}

const EMPTY = new Uint8Array(0);
