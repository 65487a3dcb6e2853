/**
 * The PDU write path of an association: DIMSE messages are cut into P-DATA-TF PDUs of the
 * peer's maximum size (dimse.PdvFragmenter), handed to the state machine one by one (Evt9, so
 * the machine stays the judge of what may be sent), and its `send` effects come back here to
 * be encoded (pdu.encodePDataTfInto) back to back into reusable write blocks, each written to
 * the socket in one call, with backpressure.
 *
 * Blocks come from a small pool and return when the socket has flushed them: memory stays
 * bounded and no garbage is made per PDU, whatever the size of the data set, and a 1 MiB
 * chunk of a file goes out in a few writes instead of one per PDU.
 */
import { dimse, pdu as pdus } from '../../dicom/net/index.js';
import type { Transport } from './transport.js';

/** What the writer needs from the association that owns it. */
export interface PduWriterHost {
  /** The open transport, if any (none before connect and after close). */
  transport(): Transport | undefined;
  /** Gives one P-DATA-TF to the state machine as Evt9; its send effect calls `send()`. */
  submit(pdu: pdus.PDataTfPdu): void;
  /** Throws the association's failure, or a state error when it is not in Sta6. */
  assertUsable(): void;
}

/**
 * Write blocks: P-DATA-TF PDUs are encoded back to back into one, which goes to the socket in
 * one write. 256 KiB holds fifteen 16 KiB PDUs (what DCMTK and most archives receive); a peer
 * with a larger maximum PDU gets blocks of one PDU each. Four blocks: up to ~1 MiB on its way
 * to the kernel while the next is filled.
 */
const WRITE_BLOCK_SIZE = 256 * 1024;
const WRITE_BLOCKS = 4;

export class PduWriter {
  private readonly blocks = new WriteBlockPool(WRITE_BLOCKS);
  /** The write block P-DATA-TF PDUs are being encoded into; written out by flushBlock(). */
  private block: { buf: Uint8Array; used: number } | undefined;
  private lastWriteOk = true;
  private sendLock: Promise<void> = Promise.resolve();

  constructor(private readonly host: PduWriterHost) {}

  /**
   * The state machine's `send` effect: a P-DATA-TF goes into the current block when it fits;
   * anything else is encoded on its own, after whatever the block holds (PDUs leave in order).
   */
  send(pdu: pdus.Pdu): void {
    const t = this.host.transport();
    if (!t) return;
    if (pdu.type === 'P-DATA-TF' && this.encodeIntoBlock(pdu)) return;
    this.flushBlock();
    if (!t.write(pdus.encodePdu(pdu))) this.lastWriteOk = false;
  }

  /** Runs `fn` after every message queued before it has been written (one message at a time). */
  exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.sendLock.then(fn);
    this.sendLock = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every message queued so far has been written (or failed). */
  idle(): Promise<void> {
    return this.sendLock;
  }

  /** One DIMSE message: the command, then the data set (bytes, or chunks read as they are sent). */
  async sendMessage(contextId: number, maxPduToSend: number, command: Uint8Array, data: Uint8Array | AsyncIterable<Uint8Array> | undefined): Promise<void> {
    const f = new dimse.PdvFragmenter(contextId, maxPduToSend);
    try {
      // The command waits in the write block for the first data set fragment: one write, and
      // the peer reads both from one segment.
      await this.writePdus(f.command(command), data === undefined);
      if (data === undefined) return;
      if (data instanceof Uint8Array) await this.writePdus(f.data(data), false);
      else for await (const chunk of data) await this.writePdus(f.data(chunk), true);
      await this.writePdus(f.endData(), true);
    } finally {
      // A message is never left half in a block (a failed read, a closed association).
      this.flushBlock();
    }
  }

  /** Writes out whatever the current block holds. */
  flushBlock(): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    const t = this.host.transport();
    if (b.used === 0 || !t) {
      this.blocks.give(b.buf);
      return;
    }
    if (!t.write(b.buf.subarray(0, b.used), () => this.blocks.give(b.buf))) this.lastWriteOk = false;
  }

  /** The association is over: waiters for a block are released, blocks are dropped. */
  close(): void {
    this.block = undefined;
    this.blocks.close();
  }

  private async writePdus(list: readonly pdus.PDataTfPdu[], flush: boolean): Promise<void> {
    for (const p of list) {
      this.host.assertUsable();
      const need = pdus.pDataTfLength(p);
      if (!this.block || this.block.buf.length - this.block.used < need) {
        this.flushBlock();
        const buf = await this.blocks.take(Math.max(WRITE_BLOCK_SIZE, need));
        this.host.assertUsable();
        if (buf) this.block = { buf, used: 0 };
      }
      this.host.submit(p);
    }
    if (flush) this.flushBlock();
    const t = this.host.transport();
    if (!this.lastWriteOk && t) {
      await t.drained();
      this.lastWriteOk = true;
    }
  }

  private encodeIntoBlock(pdu: pdus.PDataTfPdu): boolean {
    const b = this.block;
    if (!b || b.buf.length - b.used < pdus.pDataTfLength(pdu)) return false;
    b.used = pdus.encodePDataTfInto(pdu, b.buf, b.used);
    return true;
  }
}

/** `take()` waits until fewer than `count` blocks are out; `give()` returns one. */
class WriteBlockPool {
  private free: Uint8Array[] = [];
  private out = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly count: number) {}

  /** A block of at least `size` bytes, or undefined once the pool is closed. */
  async take(size: number): Promise<Uint8Array | undefined> {
    while (!this.closed && this.out >= this.count) await new Promise<void>((r) => this.waiters.push(r));
    if (this.closed) return undefined;
    this.out++;
    const b = this.free.pop();
    // Every byte written out is encoded first: no need to zero the memory.
    if (b && b.length >= size) return b;
    const fresh = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(fresh.buffer, fresh.byteOffset, fresh.byteLength);
  }

  give(buf: Uint8Array): void {
    this.out--;
    if (!this.closed) this.free.push(buf);
    this.waiters.shift()?.();
  }

  close(): void {
    this.closed = true;
    this.free = [];
    for (const w of this.waiters.splice(0)) w();
  }
}
