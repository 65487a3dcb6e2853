/**
 * P-DATA fragmentation and reassembly (PS3.8 §9.3.5, Annex E; PS3.7 §8.1, §9.3.1).
 *
 * A DIMSE message is a command set, optionally followed by a data set, each cut into
 * Presentation Data Values on one presentation context, the last of each flagged "last".
 * The fragmenter never needs the whole data set in memory: it takes chunks as they are read
 * and emits P-DATA-TF PDUs as soon as a full one is known not to be the last. The assembler
 * turns received PDVs back into a whole command and a stream of data set fragments, and
 * refuses out-of-order PDVs with typed errors.
 */
import { concatBytes } from '../../core/bytes.js';
import type { PDataTfPdu, Pdv } from '../pdu/types.js';
import { MAX_PDU_SEND_CAP } from '../acse/negotiate.js';
import { DimseError } from './errors.js';

/** A one-PDV P-DATA-TF spends 6 bytes of its PDU-length on PDV item length, context ID, control header. */
export const PDV_OVERHEAD = 6;

/**
 * Data bytes that fit in one PDV of a P-DATA-TF whose PDU-length may not exceed
 * `maxPduLength` (0 = the peer set no limit: we use our cap, conformance §1).
 */
export function maxPdvDataLength(maxPduLength: number, cap = MAX_PDU_SEND_CAP): number {
  const effective = maxPduLength === 0 ? cap : maxPduLength;
  if (effective <= PDV_OVERHEAD) {
    throw new DimseError('DIMSE_PDU_TOO_SMALL', `a maximum PDU length of ${maxPduLength} leaves no room for PDV data`);
  }
  return effective - PDV_OVERHEAD;
}

/** Pops exactly n bytes from a chunk list: a view when one chunk holds them, else one copy. */
class ChunkQueue {
  // Sent chunks are cleared (undefined) at once, so a long message streamed through the queue
  // never keeps what it already handed out alive.
  private chunks: (Uint8Array | undefined)[] = [];
  private head = 0;
  private offset = 0;
  length = 0;

  push(c: Uint8Array): void {
    if (c.length === 0) return;
    this.chunks.push(c);
    this.length += c.length;
  }

  take(n: number): Uint8Array {
    this.length -= n;
    const first = this.chunks[this.head];
    if (first !== undefined && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) this.drop();
      return out;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[this.head]!;
      const k = Math.min(n - o, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + k), o);
      o += k;
      this.offset += k;
      if (this.offset === c.length) this.drop();
    }
    return out;
  }

  private drop(): void {
    this.chunks[this.head] = undefined;
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 1024) {
      // Compact now and then, so the array of cleared slots does not grow with the message.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

const onePdv = (pdv: Pdv): PDataTfPdu => ({ type: 'P-DATA-TF', pdvs: [pdv] });

/**
 * Cuts one DIMSE message into P-DATA-TF PDUs of one PDV each, none with a PDU-length above
 * the maximum. Use: command(bytes), then for a data set data(chunk)… and endData().
 * Emitted PDVs may be views into the chunks given: do not reuse their memory until sent.
 */
export class PdvFragmenter {
  private readonly maxData: number;
  private readonly pending = new ChunkQueue();
  private phase: 'command' | 'data' | 'done' = 'command';
  private sentData = false;

  constructor(
    readonly contextId: number,
    /** The negotiated maximum PDU-length to send (see acse maxPduToSend); 0 = our cap. */
    maxPduLength: number,
  ) {
    this.maxData = maxPdvDataLength(maxPduLength);
  }

  /** The whole command set (group 0000), usually one PDU. */
  command(bytes: Uint8Array): PDataTfPdu[] {
    if (this.phase !== 'command') throw new DimseError('DIMSE_FRAGMENT_ORDER', 'command already sent for this message', this.contextId);
    this.phase = 'data';
    const out: PDataTfPdu[] = [];
    let o = 0;
    do {
      const n = Math.min(this.maxData, bytes.length - o);
      out.push(onePdv({ contextId: this.contextId, command: true, last: o + n === bytes.length, data: bytes.subarray(o, o + n) }));
      o += n;
    } while (o < bytes.length);
    return out;
  }

  /**
   * The next chunk of the data set. Returns the full PDUs now known not to be the last;
   * at most one PDV's worth of data stays buffered, plus the chunk.
   */
  data(chunk: Uint8Array): PDataTfPdu[] {
    if (this.phase !== 'data') {
      throw new DimseError('DIMSE_FRAGMENT_ORDER', this.phase === 'command' ? 'data set before command' : 'data set already ended', this.contextId);
    }
    this.pending.push(chunk);
    const out: PDataTfPdu[] = [];
    // Strictly more than one PDV's worth: the last PDV must carry the "last" flag, and only
    // endData() knows which one that is.
    while (this.pending.length > this.maxData) {
      out.push(onePdv({ contextId: this.contextId, command: false, last: false, data: this.pending.take(this.maxData) }));
      this.sentData = true;
    }
    return out;
  }

  /** Ends the data set: the buffered rest goes out, flagged last. */
  endData(): PDataTfPdu[] {
    if (this.phase !== 'data') throw new DimseError('DIMSE_FRAGMENT_ORDER', 'no data set in progress', this.contextId);
    this.phase = 'done';
    if (this.pending.length === 0 && this.sentData) {
      // Cannot happen (data() always keeps ≥ 1 byte back); kept as a guard.
      throw new DimseError('DIMSE_FRAGMENT_ORDER', 'no bytes left for the last fragment', this.contextId);
    }
    return [onePdv({ contextId: this.contextId, command: false, last: true, data: this.pending.take(this.pending.length) })];
  }
}

/** A whole message at once, for commands without a data set and for small identifiers. */
export function fragmentMessage(contextId: number, command: Uint8Array, dataSet: Uint8Array | undefined, maxPduLength: number): PDataTfPdu[] {
  const f = new PdvFragmenter(contextId, maxPduLength);
  const out = f.command(command);
  if (dataSet !== undefined) out.push(...f.data(dataSet), ...f.endData());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reassembly

export type AssembledPart =
  /** A complete command set. */
  | { readonly kind: 'command'; readonly contextId: number; readonly bytes: Uint8Array }
  /** One fragment of the data set that follows the last command, streamed as it arrives. */
  | { readonly kind: 'data'; readonly contextId: number; readonly bytes: Uint8Array; readonly last: boolean };

export interface PdvAssemblerOptions {
  /** Refuse command sets longer than this (they are a few hundred bytes): default 1 MiB. */
  readonly maxCommandLength?: number;
  /**
   * Whether a command is followed by a data set (from its Command Data Set Type (0000,0800),
   * which the DIMSE command-set decoder reads). With it, a missing or unexpected data set is
   * an error at once; without it, a data set is allowed but not required after a command.
   */
  readonly hasDataSet?: (command: Uint8Array) => boolean;
}

type Phase =
  | { readonly kind: 'idle'; readonly lastHadNoData: boolean }
  | { readonly kind: 'command'; readonly contextId: number; readonly parts: Uint8Array[]; length: number }
  | { readonly kind: 'after-command'; readonly contextId: number; readonly dataRequired: boolean }
  | { readonly kind: 'data'; readonly contextId: number };

/**
 * PDVs → commands and data-set fragments, in order, checking PS3.7 §9.3.1's sequence: a
 * command's fragments, then (if any) its data set's fragments, all on one presentation
 * context. Any violation is a DimseError (the caller aborts the association); the assembler
 * then stays failed.
 */
export class PdvAssembler {
  private phase: Phase = { kind: 'idle', lastHadNoData: false };
  private failed: DimseError | undefined;
  private readonly maxCommand: number;

  constructor(private readonly options: PdvAssemblerOptions = {}) {
    this.maxCommand = options.maxCommandLength ?? 1024 * 1024;
  }

  /** Between messages (no command or data set half received). */
  get idle(): boolean {
    return this.phase.kind === 'idle' || (this.phase.kind === 'after-command' && !this.phase.dataRequired);
  }

  push(pdu: PDataTfPdu): AssembledPart[] {
    const out: AssembledPart[] = [];
    for (const pdv of pdu.pdvs) this.pushPdv(pdv, out);
    return out;
  }

  private fail(code: string, message: string, contextId: number): never {
    this.failed = new DimseError(code, message, contextId);
    throw this.failed;
  }

  private pushPdv(pdv: Pdv, out: AssembledPart[]): void {
    if (this.failed !== undefined) throw new DimseError('DIMSE_ASSEMBLER_FAILED', `assembler already failed: ${this.failed.message}`, pdv.contextId, { cause: this.failed });
    const p = this.phase;
    const ctx = pdv.contextId;
    switch (p.kind) {
      case 'idle':
        if (!pdv.command) {
          if (p.lastHadNoData) this.fail('DIMSE_PDV_UNEXPECTED_DATA', `data PDV on context ${ctx} after a command that has no data set`, ctx);
          this.fail('DIMSE_PDV_DATA_BEFORE_COMMAND', `data PDV on context ${ctx} before any command`, ctx);
        }
        return this.startCommand(pdv, out);
      case 'command':
        if (ctx !== p.contextId) this.fail('DIMSE_PDV_CONTEXT_CHANGED', `command PDV on context ${ctx} in the middle of a command on context ${p.contextId}`, ctx);
        if (!pdv.command) this.fail('DIMSE_PDV_DATA_BEFORE_COMMAND', `data PDV on context ${ctx} before its command is complete`, ctx);
        return this.appendCommand(p, pdv, out);
      case 'after-command':
        if (pdv.command) {
          if (p.dataRequired) this.fail('DIMSE_PDV_MISSING_DATA', `command PDV on context ${ctx} where the data set of the previous command was expected`, ctx);
          return this.startCommand(pdv, out);
        }
        if (ctx !== p.contextId) this.fail('DIMSE_PDV_CONTEXT_CHANGED', `data PDV on context ${ctx} after a command on context ${p.contextId}`, ctx);
        return this.emitData(pdv, out);
      case 'data':
        if (ctx !== p.contextId) this.fail('DIMSE_PDV_CONTEXT_CHANGED', `PDV on context ${ctx} in the middle of a data set on context ${p.contextId}`, ctx);
        if (pdv.command) this.fail('DIMSE_PDV_COMMAND_IN_DATA', `command PDV on context ${ctx} before the data set's last fragment`, ctx);
        return this.emitData(pdv, out);
    }
  }

  private startCommand(pdv: Pdv, out: AssembledPart[]): void {
    const phase: Phase = { kind: 'command', contextId: pdv.contextId, parts: [], length: 0 };
    this.phase = phase;
    this.appendCommand(phase, pdv, out);
  }

  private appendCommand(p: Extract<Phase, { kind: 'command' }>, pdv: Pdv, out: AssembledPart[]): void {
    p.length += pdv.data.length;
    if (p.length > this.maxCommand) this.fail('DIMSE_COMMAND_TOO_LONG', `command set longer than ${this.maxCommand} bytes`, pdv.contextId);
    // Copied: PDV data are views into receive buffers, and a command is small.
    p.parts.push(pdv.data.slice());
    if (!pdv.last) return;
    const bytes = p.parts.length === 1 ? p.parts[0]! : concatBytes(p.parts);
    out.push({ kind: 'command', contextId: p.contextId, bytes });
    const has = this.options.hasDataSet?.(bytes);
    this.phase = has === false ? { kind: 'idle', lastHadNoData: true } : { kind: 'after-command', contextId: p.contextId, dataRequired: has === true };
  }

  private emitData(pdv: Pdv, out: AssembledPart[]): void {
    out.push({ kind: 'data', contextId: pdv.contextId, bytes: pdv.data, last: pdv.last });
    this.phase = pdv.last ? { kind: 'idle', lastHadNoData: false } : { kind: 'data', contextId: pdv.contextId };
  }
}
