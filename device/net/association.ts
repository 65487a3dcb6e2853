/**
 * One association as requestor (SCU): drives the pure PS3.8 state machine (`ul.step`) with
 * socket, timer and user events, and runs the effects it returns. Above it, DIMSE messages are
 * fragmented to the peer's maximum PDU with backpressure, reassembled, and their responses
 * matched to requests by Message ID.
 *
 * Life: `Association.open()` resolves once the A-ASSOCIATE-AC is in (or rejects with a typed
 * error); `invoke()` runs DIMSE operations; `release()` or `abort()` ends it. Whatever ends it
 * first — the peer's abort, a timer, garbage on the wire — is kept as `failure`, and every
 * later call or waiting operation gets that same error.
 */
import { acse, dimse, pdu as pdus, ul } from '../../dicom/net/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { AsyncQueue } from './async-queue.js';
import { DEFAULT_MAX_PDU_LENGTH, FIND_TIMERS, type AssociationTimers } from './config.js';
import {
  AssociationAbortedError,
  AssociationRejectedError,
  AssociationStateError,
  ConnectError,
  ConnectionClosedError,
  NetError,
  PeerProtocolError,
  TimerExpiredError,
  formatPeer,
  type PeerRef,
  type TimerName,
} from './errors.js';
import { tcpConnector } from './tcp.js';
import type { Connector, Transport } from './transport.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, concatBytes } from '../../dicom/core/index.js';

export interface AssociationOptions {
  readonly peer: PeerRef;
  readonly callingAeTitle: string;
  readonly proposals: readonly acse.ContextProposal[];
  /** TCP by default; a TLS connector from tlsConnector(). */
  readonly connector?: Connector;
  readonly timers?: Partial<AssociationTimers>;
  /** Largest P-DATA PDU-length we accept (default 64 KiB). */
  readonly maxPduLength?: number;
  readonly logger?: Logger;
}

export interface DimseResponse {
  readonly command: dimse.DimseCommand;
  readonly status: dimse.StatusInfo;
  /** The data set (identifier) that followed the response, in the context's transfer syntax. */
  readonly dataSet: Uint8Array | undefined;
  readonly contextId: number;
}

export interface InvokeRequest {
  readonly contextId: number;
  /** The request without its Message ID, which the association assigns. */
  readonly command: Omit<dimse.DimseCommand, 'messageId'>;
  readonly service: dimse.DimseService;
  /**
   * Bytes, or chunks read as they are sent (a file streamed from disk). Each chunk is copied
   * into PDUs before the next is asked for, except at most one PDV's worth kept until then: a
   * producer may reuse a chunk's memory two chunks later.
   */
  readonly data?: Uint8Array | AsyncIterable<Uint8Array>;
  /** What a failure of this operation is reported as, e.g. 'C-STORE 2.25.123'. */
  readonly step: string;
}

/** A DIMSE operation in flight: its responses, until the final (non-pending) one. */
export interface Invocation extends AsyncIterable<DimseResponse> {
  readonly messageId: number;
  /** Settles when the request has been handed to the transport in full. */
  readonly sent: Promise<void>;
}

/** Identifiers of C-FIND responses are small; a peer sending more is refused. */
const MAX_RESPONSE_DATA = 64 * 1024 * 1024;

interface PendingOp {
  readonly messageId: number;
  readonly contextId: number;
  readonly service: dimse.DimseService;
  readonly step: string;
  readonly queue: AsyncQueue<DimseResponse>;
}

export class Association {
  readonly peer: PeerRef;
  private readonly log: Logger;
  private readonly timers: AssociationTimers;
  private readonly rq: pdus.AssociateRqPdu;
  private readonly framer: pdus.PduFramer;
  private readonly assembler: dimse.PdvAssembler;
  private state: ul.UlState = ul.IDLE;
  private transport: Transport | undefined;
  private negotiatedValue: acse.Negotiated | undefined;
  private failureValue: NetError | undefined;
  private step = 'A-ASSOCIATE';
  private lastWriteOk = true;
  private messageId = 0;
  private readonly pending = new Map<number, PendingOp>();
  private receiving: { op: PendingOp; command: dimse.DimseCommand; parts: Uint8Array[]; length: number } | undefined;
  private decodedCommand: { bytes: Uint8Array; cmd: dimse.DimseCommand } | undefined;
  private sendLock: Promise<void> = Promise.resolve();
  private readonly blocks = new WriteBlockPool(WRITE_BLOCKS);
  /** The write block P-DATA-TF PDUs are being encoded into; written out by flushBlock(). */
  private block: { buf: Uint8Array; used: number } | undefined;
  private readonly timerHandles = new Map<TimerName, NodeJS.Timeout>();
  /** When a PDU was last sent or received (the inactivity timer checks it when it fires). */
  private lastActivity = 0;
  /** Per-PDU debug lines cost an object each even when dropped: skipped without a logger. */
  private readonly traceUl: boolean;
  private eventQueue: ul.UlEvent[] = [];
  private stepping = false;
  /** Why the machine aborted on its own (bad PDU, unexpected PDU), for the error it reports. */
  private protocolDetail: string | undefined;
  private connectAbort = new AbortController();
  private openSettle: { resolve: () => void; reject: (e: NetError) => void } | undefined;
  private releaseSettle: { resolve: () => void; reject: (e: NetError) => void } | undefined;
  private closedResolve!: () => void;
  /** Resolves when the transport has closed and every operation has settled. */
  readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(private readonly options: AssociationOptions) {
    this.peer = options.peer;
    this.timers = { ...FIND_TIMERS, ...options.timers };
    this.log = (options.logger ?? nullLogger).child({ peer: formatPeer(options.peer) });
    this.traceUl = this.log !== nullLogger;
    const maxPduLength = options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
    this.rq = acse.buildAssociateRq({
      callingAeTitle: options.callingAeTitle,
      calledAeTitle: options.peer.aeTitle,
      proposals: options.proposals,
      maxPduLength,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
    });
    this.framer = new pdus.PduFramer({ maxPdataLength: maxPduLength });
    this.assembler = new dimse.PdvAssembler({
      hasDataSet: (bytes) => {
        try {
          const cmd = dimse.decodeCommand(bytes);
          // Kept for onPart, which gets these same bytes next: decoded once, not twice.
          this.decodedCommand = { bytes, cmd };
          return cmd.hasDataSet;
        } catch {
          return false; // reported when the command itself is decoded
        }
      },
    });
    this.closed = new Promise((r) => (this.closedResolve = r));
  }

  /** Connects, negotiates and resolves with the established association. */
  static async open(options: AssociationOptions): Promise<Association> {
    const a = new Association(options);
    await a.start();
    return a;
  }

  get negotiated(): acse.Negotiated {
    if (!this.negotiatedValue) throw new AssociationStateError(this.peer, this.step, 'association not established');
    return this.negotiatedValue;
  }

  /** What ended the association, if something did. */
  get failure(): NetError | undefined {
    return this.failureValue;
  }

  get established(): boolean {
    return this.state.sta === 'Sta6' && this.failureValue === undefined;
  }

  get transportDescription(): string {
    return this.transport?.description ?? 'none';
  }

  // ------------------------------------------------------------------------------------------
  // Establishment

  private start(): Promise<void> {
    const opened = new Promise<void>((resolve, reject) => (this.openSettle = { resolve, reject }));
    this.startTimer('whole-association', this.timers.wholeAssociationMs);
    this.startTimer('association-request', this.timers.associationRequestMs);
    this.log.info('association requested', { callingAe: this.options.callingAeTitle, contexts: this.rq.presentationContexts.length });
    this.fire({ type: 'Evt1', rq: this.rq });
    return opened;
  }

  private connect(): void {
    const connector = this.options.connector ?? tcpConnector;
    this.step = 'connect';
    connector({ host: this.peer.host, port: this.peer.port }, this.connectAbort.signal).then(
      (t) => {
        if (this.failureValue) {
          t.destroy();
          this.finish();
          return;
        }
        this.transport = t;
        t.onData((chunk) => this.onData(chunk));
        t.onClose((e) => this.onTransportClosed(e));
        this.step = 'A-ASSOCIATE';
        this.log.debug('transport connected', { transport: t.description });
        this.fire({ type: 'Evt2' });
      },
      (e: unknown) => {
        if (this.failureValue) {
          this.finish(); // a timer or abort() got there first
          return;
        }
        const err = e as NodeJS.ErrnoException;
        this.setFailure(new ConnectError(this.peer, 'connect', err.code ? `${err.code}: ${err.message}` : err.message, { cause: e }));
        this.fire({ type: 'Evt17' });
        this.finish();
      },
    );
  }

  // ------------------------------------------------------------------------------------------
  // The state machine and its effects

  /** Feeds one event to ul.step; events raised while effects run are queued, not nested. */
  private fire(event: ul.UlEvent): void {
    this.eventQueue.push(event);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let e = this.eventQueue.shift(); e !== undefined; e = this.eventQueue.shift()) {
        const before = this.state;
        const { next, effects, action } = ul.step(before, e);
        this.state = next;
        if (this.traceUl) this.log.debug('ul', { sta: before.sta, event: e.type, action: action ?? 'blank', next: next.sta });
        if (action === 'AA-8' && this.protocolDetail === undefined) {
          this.protocolDetail =
            e.type === 'Evt19' ? (e.detail ?? 'invalid PDU') : `unexpected ${ul.EVENT_TEXT[e.type]} in ${before.sta} (${ul.STATE_TEXT[before.sta]})`;
        }
        for (const effect of effects) this.run(effect);
      }
    } finally {
      this.stepping = false;
    }
  }

  private run(effect: ul.UlEffect): void {
    switch (effect.kind) {
      case 'transport-connect':
        this.connect();
        return;
      case 'transport-accept':
        return; // acceptor only
      case 'send': {
        if (!this.transport) return;
        if (effect.pdu.type !== 'P-DATA-TF' || !this.encodeIntoBlock(effect.pdu)) {
          // Whatever is in the block was handed over first: PDUs leave in the order given.
          this.flushBlock();
          if (!this.transport.write(pdus.encodePdu(effect.pdu))) this.lastWriteOk = false;
          if (effect.pdu.type !== 'P-DATA-TF') this.log.debug('sent', { pdu: effect.pdu.type });
        }
        this.resetInactivity();
        return;
      }
      case 'artim-start':
        this.startTimer('ARTIM', this.timers.artimMs);
        return;
      case 'artim-stop':
        this.stopTimer('ARTIM');
        return;
      case 'transport-close':
        this.closeTransport();
        return;
      case 'protocol-error':
        this.protocolDetail ??= effect.message;
        this.log.warn('protocol error', { state: effect.state, event: effect.event, detail: effect.message });
        return;
      case 'indicate':
        this.onIndication(effect.indication);
        return;
    }
  }

  private onIndication(ind: ul.UlIndication): void {
    switch (ind.primitive) {
      case 'A-ASSOCIATE-confirm-accept': {
        this.stopTimer('association-request');
        try {
          this.negotiatedValue = acse.negotiateAsRequestor(this.rq, ind.ac);
        } catch (e) {
          this.abortWith(new PeerProtocolError(this.peer, 'A-ASSOCIATE', `inconsistent A-ASSOCIATE-AC: ${(e as Error).message}`, { cause: e }));
          return;
        }
        const n = this.negotiatedValue;
        this.log.info('association accepted', {
          transport: this.transportDescription,
          accepted: n.accepted.length,
          rejected: n.rejected.length,
          maxPduToSend: n.maxPduToSend,
          peerImplementation: n.peerImplementationClassUid,
        });
        this.step = 'idle';
        this.resetInactivity();
        this.openSettle?.resolve();
        this.openSettle = undefined;
        return;
      }
      case 'A-ASSOCIATE-confirm-reject':
        this.stopTimer('association-request');
        this.setFailure(new AssociationRejectedError(this.peer, ind.rj.result, ind.rj.source, ind.rj.reason));
        return;
      case 'P-DATA-indication':
        this.onPData(ind.pdu);
        return;
      case 'A-RELEASE-indication':
        // The peer asks to release (or both did at once). We answer; any operation still
        // waiting for a response will not get one.
        if (!ind.collision) {
          this.setFailure(new ConnectionClosedError(this.peer, this.step, 'peer released the association'));
        }
        this.fire({ type: 'Evt14' });
        return;
      case 'A-RELEASE-confirm':
        this.log.info('association released');
        this.releaseSettle?.resolve();
        this.releaseSettle = undefined;
        return;
      case 'A-ABORT-indication':
        // AA-3 closes the transport itself.
        this.setFailure(new AssociationAbortedError(this.peer, this.step, ind.pdu.source, ind.pdu.reason));
        return;
      case 'A-P-ABORT-indication': {
        if (ind.cause === 'peer-provider' && ind.pdu) {
          this.setFailure(new AssociationAbortedError(this.peer, this.step, ind.pdu.source, ind.pdu.reason));
        } else if (ind.cause === 'local-provider') {
          // AA-8 sent our A-ABORT and waits (ARTIM) for the close; as requestor we close now.
          this.setFailure(new PeerProtocolError(this.peer, this.step, this.protocolDetail ?? 'protocol error'));
          this.closeTransport();
        } else {
          const mid = this.framer.inProgress ? ` in the middle of a PDU (${this.framer.bufferedBytes} bytes of it received)` : '';
          this.setFailure(new ConnectionClosedError(this.peer, this.step, `connection closed by peer${mid}`));
        }
        return;
      }
      case 'A-ASSOCIATE-indication':
        return; // acceptor only
    }
  }

  // ------------------------------------------------------------------------------------------
  // Transport

  private framingFailed = false;

  private onData(chunk: Uint8Array): void {
    if (this.framingFailed) return;
    this.resetInactivity();
    let framed: pdus.FramedPdu[];
    try {
      framed = this.framer.push(chunk);
    } catch (e) {
      // Only a framing error throws (declared length above our maximum): nothing after it can be trusted.
      this.framingFailed = true;
      this.protocolDetail = (e as Error).message;
      this.fire({ type: 'Evt19', reason: ul.ABORT_REASON.INVALID_PDU_PARAMETER_VALUE, detail: (e as Error).message });
      this.closeTransport();
      return;
    }
    for (const p of framed) {
      if (p.type !== 'P-DATA-TF') this.log.debug('received', { pdu: p.type });
      if (p.type === 'malformed') this.protocolDetail ??= `malformed PDU: ${p.error.message}`;
      this.fire(ul.eventForPdu(p));
    }
  }

  private onTransportClosed(error: Error | undefined): void {
    if (error) this.log.debug('transport error', { error });
    if (this.framer.inProgress && !this.failureValue) {
      this.setFailure(
        new ConnectionClosedError(this.peer, this.step, `connection closed in the middle of a PDU (${this.framer.bufferedBytes} bytes of it received)`),
      );
    } else if (error && !this.failureValue) {
      this.setFailure(new ConnectionClosedError(this.peer, this.step, `connection lost: ${error.message}`, { cause: error }));
    }
    if (this.state.sta !== 'Sta1') this.fire({ type: 'Evt17' });
    this.finish();
  }

  private closeTransport(): void {
    const t = this.transport;
    if (!t) return;
    t.end();
    // A peer that never closes its side must not keep us waiting.
    setTimeout(() => t.destroy(), 2000).unref();
  }

  /** Everything is over: stop timers, settle every waiter with the failure (or "closed"). */
  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const name of [...this.timerHandles.keys()]) this.stopTimer(name);
    const err = this.failureValue ?? new ConnectionClosedError(this.peer, this.step, 'association closed');
    this.openSettle?.reject(err);
    this.openSettle = undefined;
    if (this.releaseSettle) {
      if (this.failureValue) this.releaseSettle.reject(err);
      else this.releaseSettle.resolve();
      this.releaseSettle = undefined;
    }
    for (const op of this.pending.values()) op.queue.fail(err);
    this.pending.clear();
    this.connectAbort.abort();
    this.block = undefined;
    this.blocks.close();
    this.log.debug('closed', { failure: this.failureValue?.describe() });
    this.closedResolve();
  }

  /** Records the first thing that went wrong; later failures are consequences of it. */
  private setFailure(err: NetError): void {
    if (this.failureValue) return;
    this.failureValue = err;
    this.log.warn('association failed', { error: err.describe(), code: err.code });
    for (const op of this.pending.values()) op.queue.fail(err);
    this.pending.clear();
    this.releaseSettle?.reject(err);
    this.releaseSettle = undefined;
    this.openSettle?.reject(err);
    this.openSettle = undefined;
  }

  /** Ends the association with an A-ABORT (where one can be sent) and reports `err`. */
  private abortWith(err: NetError): void {
    this.setFailure(err);
    if (this.state.sta === 'Sta4') {
      this.connectAbort.abort();
      this.fire({ type: 'Evt15' });
      this.finish();
      return;
    }
    if (this.state.sta !== 'Sta1' && this.state.sta !== 'Sta13') this.fire({ type: 'Evt15' });
    // Evt15 may only be queued (we can be inside an effect): close after the A-ABORT is written.
    queueMicrotask(() => {
      this.closeTransport();
      if (!this.transport) this.finish();
    });
  }

  // ------------------------------------------------------------------------------------------
  // Timers (conformance §1): each one names itself when it fires.

  private startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    if (!Number.isFinite(ms) || ms <= 0) return;
    const h = setTimeout(() => this.onTimer(name, ms), ms);
    h.unref?.();
    this.timerHandles.set(name, h);
  }

  private stopTimer(name: TimerName): void {
    const h = this.timerHandles.get(name);
    if (h) clearTimeout(h);
    this.timerHandles.delete(name);
  }

  /**
   * Called for every PDU sent or received, so it only notes the time: the one timer, armed
   * when none is, looks at that time when it fires and re-arms itself for the rest (a timer
   * cancelled and created per 16 KiB PDU cost more than encoding it).
   */
  private resetInactivity(): void {
    if (!this.negotiatedValue || this.isClosed) return;
    this.lastActivity = performance.now();
    if (!this.timerHandles.has('inactivity')) this.startTimer('inactivity', this.timers.inactivityMs);
  }

  private onTimer(name: TimerName, ms: number): void {
    this.timerHandles.delete(name);
    if (name === 'inactivity') {
      ms = this.timers.inactivityMs; // the timer may have been re-armed for the rest only
      const quiet = performance.now() - this.lastActivity;
      // setTimeout may fire up to a millisecond early by the performance clock.
      if (quiet < ms - 1) {
        this.startTimer('inactivity', ms - quiet);
        return;
      }
    }
    this.log.warn('timer expired', { timer: name, ms, step: this.step });
    const err = new TimerExpiredError(this.peer, this.step, name, ms);
    if (name === 'ARTIM') {
      this.setFailure(err);
      this.fire({ type: 'Evt18' });
      this.transport?.destroy();
      if (!this.transport) this.finish();
      return;
    }
    this.abortWith(err);
  }

  // ------------------------------------------------------------------------------------------
  // DIMSE

  /**
   * Sends a request and returns its responses as an async iterable that ends after the final
   * (non-pending) response. One operation at a time is sent (no asynchronous operations are
   * negotiated); C-CANCEL goes through `cancel()`.
   */
  invoke(req: InvokeRequest): Invocation {
    this.assertUsable(req.step);
    const messageId = this.nextMessageId();
    const op: PendingOp = { messageId, contextId: req.contextId, service: req.service, step: req.step, queue: new AsyncQueue() };
    this.pending.set(messageId, op);
    const command = { ...req.command, messageId } as dimse.DimseCommand;
    const sent = this.exclusive(async () => {
      this.step = req.step;
      await this.sendMessage(req.contextId, dimse.encodeCommand(command), req.data);
    });
    sent.catch((e: unknown) => {
      // A send failure that did not end the association (a file read error): this operation
      // is lost, and since half a message went out, the association cannot continue.
      if (!this.failureValue) this.abortWith(e instanceof NetError ? e : new AssociationStateError(this.peer, req.step, `request not sent: ${(e as Error).message}`, { cause: e }));
      op.queue.fail(this.failureValue ?? e);
    });
    return { messageId, sent, [Symbol.asyncIterator]: () => op.queue[Symbol.asyncIterator]() };
  }

  /** C-CANCEL-RQ for an operation in flight (PS3.7 §9.3.2.3); its final response still comes. */
  async cancel(messageId: number): Promise<void> {
    const op = this.pending.get(messageId);
    if (!op || this.failureValue || this.state.sta !== 'Sta6') return;
    await this.exclusive(() => this.sendMessage(op.contextId, dimse.encodeCommand({ type: 'C-CANCEL-RQ', hasDataSet: false, messageIdBeingRespondedTo: messageId }), undefined));
  }

  private nextMessageId(): number {
    this.messageId = (this.messageId % 0xffff) + 1;
    return this.messageId;
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.sendLock.then(fn);
    this.sendLock = run.catch(() => undefined);
    return run;
  }

  private assertUsable(step: string): void {
    if (this.failureValue) throw this.failureValue;
    if (this.state.sta !== 'Sta6') throw new AssociationStateError(this.peer, step, `association not ready for data (${this.state.sta}: ${ul.STATE_TEXT[this.state.sta]})`);
  }

  private async sendMessage(contextId: number, command: Uint8Array, data: Uint8Array | AsyncIterable<Uint8Array> | undefined): Promise<void> {
    const f = new dimse.PdvFragmenter(contextId, this.negotiated.maxPduToSend);
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

  /**
   * Hands PDUs to the state machine (Evt9), whose send effects encode them into write blocks
   * (encodeIntoBlock), and writes each block out when it is full and, with `flush`, at the
   * end; then waits while the socket is above its high-water mark. Blocks come from a small
   * pool and go back when the socket has flushed them: memory stays bounded and no garbage
   * is made per PDU, whatever the size of the data set, and a 1 MiB chunk of a file goes out
   * in a few writes instead of one per PDU.
   */
  private async writePdus(list: readonly pdus.PDataTfPdu[], flush: boolean): Promise<void> {
    for (const p of list) {
      this.assertUsable(this.step);
      const need = pdus.pDataTfLength(p);
      if (!this.block || this.block.buf.length - this.block.used < need) {
        this.flushBlock();
        const buf = await this.blocks.take(Math.max(WRITE_BLOCK_SIZE, need));
        this.assertUsable(this.step);
        if (buf) this.block = { buf, used: 0 };
      }
      this.fire({ type: 'Evt9', pdu: p });
    }
    if (flush) this.flushBlock();
    if (!this.lastWriteOk && this.transport) {
      await this.transport.drained();
      this.lastWriteOk = true;
    }
  }

  /** Encodes a P-DATA-TF into the current write block; false when it has no room for it. */
  private encodeIntoBlock(pdu: pdus.PDataTfPdu): boolean {
    const b = this.block;
    if (!b) return false;
    const total = pdus.pDataTfLength(pdu); // header included
    if (b.buf.length - b.used < total) return false;
    const buf = b.buf;
    let o = b.used;
    buf[o] = 0x04;
    buf[o + 1] = 0;
    writeU32(buf, o + 2, total - 6);
    o += 6;
    for (const v of pdu.pdvs) {
      writeU32(buf, o, v.data.length + 2);
      buf[o + 4] = v.contextId;
      buf[o + 5] = (v.command ? 1 : 0) | (v.last ? 2 : 0);
      buf.set(v.data, o + 6);
      o += 6 + v.data.length;
    }
    b.used = o;
    return true;
  }

  /** Writes out the current block (its memory comes back to the pool once the socket is done with it). */
  private flushBlock(): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    if (b.used === 0 || !this.transport) {
      this.blocks.give(b.buf);
      return;
    }
    if (!this.transport.write(b.buf.subarray(0, b.used), () => this.blocks.give(b.buf))) this.lastWriteOk = false;
  }

  private onPData(pdu: pdus.PDataTfPdu): void {
    let parts: dimse.AssembledPart[];
    try {
      parts = this.assembler.push(pdu);
    } catch (e) {
      this.abortWith(new PeerProtocolError(this.peer, this.step, `out-of-order P-DATA: ${(e as Error).message}`, { cause: e }));
      return;
    }
    for (const part of parts) {
      try {
        this.onPart(part);
      } catch (e) {
        if (e instanceof NetError) this.abortWith(e);
        else this.abortWith(new PeerProtocolError(this.peer, this.step, (e as Error).message, { cause: e }));
        return;
      }
    }
  }

  private onPart(part: dimse.AssembledPart): void {
    if (part.kind === 'command') {
      let cmd: dimse.DimseCommand;
      const decoded = this.decodedCommand;
      this.decodedCommand = undefined;
      try {
        cmd = decoded?.bytes === part.bytes ? decoded.cmd : dimse.decodeCommand(part.bytes);
      } catch (e) {
        throw new PeerProtocolError(this.peer, this.step, `bad DIMSE command: ${(e as Error).message}`, { cause: e });
      }
      if (!cmd.type.endsWith('-RSP')) {
        throw new PeerProtocolError(this.peer, this.step, `unexpected ${cmd.type} from the peer (we act as SCU only)`);
      }
      const id = cmd.messageIdBeingRespondedTo!;
      const op = this.pending.get(id);
      if (!op) throw new PeerProtocolError(this.peer, this.step, `${cmd.type} answers message ID ${id}, which is not outstanding`);
      if (part.contextId !== op.contextId) {
        throw new PeerProtocolError(this.peer, op.step, `${cmd.type} for message ${id} came on context ${part.contextId}, the request went on ${op.contextId}`);
      }
      if (cmd.hasDataSet) this.receiving = { op, command: cmd, parts: [], length: 0 };
      else this.deliver(op, cmd, undefined);
      return;
    }
    const r = this.receiving;
    if (!r) throw new PeerProtocolError(this.peer, this.step, 'data set fragment without a response command');
    r.length += part.bytes.length;
    if (r.length > MAX_RESPONSE_DATA) throw new PeerProtocolError(this.peer, r.op.step, `response data set larger than ${MAX_RESPONSE_DATA} bytes`);
    r.parts.push(part.bytes.slice());
    if (!part.last) return;
    this.receiving = undefined;
    const data = r.parts.length === 1 ? r.parts[0]! : concatBytes(r.parts);
    this.deliver(r.op, r.command, data);
  }

  private deliver(op: PendingOp, command: dimse.DimseCommand, dataSet: Uint8Array | undefined): void {
    const status = dimse.statusInfo(command.status ?? 0xffff, op.service);
    op.queue.push({ command, status, dataSet, contextId: op.contextId });
    if (status.category !== 'pending') {
      this.pending.delete(op.messageId);
      op.queue.finish();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Ending

  /** A-RELEASE: resolves once the peer confirmed and the transport closed. */
  async release(): Promise<void> {
    if (this.failureValue) throw this.failureValue;
    if (this.isClosed) return;
    this.step = 'A-RELEASE';
    await this.sendLock;
    if (this.state.sta !== 'Sta6') throw new AssociationStateError(this.peer, 'A-RELEASE', `cannot release in ${this.state.sta}`);
    const released = new Promise<void>((resolve, reject) => (this.releaseSettle = { resolve, reject }));
    this.fire({ type: 'Evt11' });
    await released;
    await this.closed;
  }

  /** A-ABORT from our side; waiting operations fail with `reason` (default: aborted by the user). */
  abort(reason?: NetError): void {
    if (this.isClosed) return;
    this.abortWith(reason ?? new AssociationStateError(this.peer, this.step, 'aborted by the local user'));
  }
}

function writeU32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = v >>> 24;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

/**
 * Write blocks: P-DATA-TF PDUs are encoded back to back into one, which goes to the socket in
 * one write. 256 KiB holds fifteen 16 KiB PDUs (what DCMTK and most archives receive); a peer
 * with a larger maximum PDU gets blocks of one PDU each. Four blocks: up to ~1 MiB on its way
 * to the kernel while the next is filled.
 */
const WRITE_BLOCK_SIZE = 256 * 1024;
const WRITE_BLOCKS = 4;

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
