/**
 * One association, as requestor (SCU: `Association.open`) or acceptor (our listener:
 * `Association.accept`): this file drives the pure PS3.8 state machine (`ul.step`) with
 * socket, timer and user events, and runs the effects it returns. The jobs around it live in
 * their own modules: the timers (association-timers.ts, on the Clock), the PDU write path
 * (pdu-writer.ts) and the DIMSE router (dimse-router.ts: our requests matched to their
 * responses by Message ID; the peer's requests routed to a handler).
 *
 * Life: `Association.open()` resolves once the A-ASSOCIATE-AC is in (or rejects with a typed
 * error); `invoke()` runs DIMSE operations; `release()` or `abort()` ends it. Whatever ends it
 * first — the peer's abort, a timer, garbage on the wire — is kept as `failure`, and every
 * later call or waiting operation gets that same error.
 */
import { acse, pdu as pdus, ul } from '../../dicom/net/index.js';
import { systemClock, type Clock } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { AssociationTimerSet } from './association-timers.js';
import { DEFAULT_MAX_PDU_LENGTH, FIND_TIMERS, type AssociationTimers } from './config.js';
import { DimseRouter, type InvokeRequest, type Invocation, type RequestHandler } from './dimse-router.js';
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
import { PduWriter } from './pdu-writer.js';
import { tcpConnector } from './tcp.js';
import type { Connector, Transport } from './transport.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dicom/core/index.js';

export type { DimseResponse, IncomingRequest, InvokeRequest, Invocation, RequestHandler, RequestResponse } from './dimse-router.js';

interface CommonOptions {
  readonly timers?: Partial<AssociationTimers>;
  /** Largest P-DATA PDU-length we accept (default 64 KiB). */
  readonly maxPduLength?: number;
  readonly logger?: Logger;
  /** Time for the timers (the system clock by default). */
  readonly clock?: Clock;
}

/** The requestor role. */
export interface AssociationOptions extends CommonOptions {
  readonly peer: PeerRef;
  readonly callingAeTitle: string;
  readonly proposals: readonly acse.ContextProposal[];
  /** TCP by default; a TLS connector from tlsConnector(). */
  readonly connector?: Connector;
  /** Extra user information sub-items of the A-ASSOCIATE-RQ (SCP/SCU role selection …). */
  readonly extraUserInformation?: readonly pdus.UserInformationSubItem[];
  /** Serves requests the peer sends on this association (an N-EVENT-REPORT on the same association). */
  readonly handler?: RequestHandler;
}

/** The acceptor role: a connection our listener accepted. */
export interface AcceptOptions extends CommonOptions {
  readonly transport: Transport;
  /** The remote address, for logs and errors (the AE title is learned from the RQ). */
  readonly remote: { readonly host: string; readonly port: number };
  /** The answer to the peer's A-ASSOCIATE-RQ: accept (with the AC) or reject (with the RJ). */
  decide(rq: pdus.AssociateRqPdu): acse.AcceptorDecision;
  readonly handler: RequestHandler;
}

export class Association {
  private peerValue: PeerRef;
  private log: Logger;
  private readonly baseLog: Logger;
  private readonly timers: AssociationTimerSet;
  private readonly framer: pdus.PduFramer;
  private readonly writer: PduWriter;
  private readonly router: DimseRouter;
  private readonly role: ul.Role;
  private readonly rq: pdus.AssociateRqPdu | undefined;
  private aeTitles = { calling: '', called: '' };
  private state: ul.UlState = ul.IDLE;
  private transport: Transport | undefined;
  private negotiatedValue: acse.Negotiated | undefined;
  private failureValue: NetError | undefined;
  private step = 'A-ASSOCIATE';
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
  private framingFailed = false;

  private constructor(
    role: ul.Role,
    peer: PeerRef,
    common: CommonOptions,
    private readonly requestor: AssociationOptions | undefined,
    private readonly acceptor: AcceptOptions | undefined,
  ) {
    this.role = role;
    this.peerValue = peer;
    this.baseLog = common.logger ?? nullLogger;
    this.log = this.baseLog.child({ peer: formatPeer(peer), role });
    this.traceUl = this.log !== nullLogger;
    const maxPduLength = common.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
    this.timers = new AssociationTimerSet(common.clock ?? systemClock, { ...FIND_TIMERS, ...common.timers }, (name, ms) => this.onTimer(name, ms));
    if (requestor) {
      this.rq = acse.buildAssociateRq({
        callingAeTitle: requestor.callingAeTitle,
        calledAeTitle: peer.aeTitle,
        proposals: requestor.proposals,
        maxPduLength,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        ...(requestor.extraUserInformation ? { extraUserInformation: requestor.extraUserInformation } : {}),
      });
      this.aeTitles = { calling: requestor.callingAeTitle, called: peer.aeTitle };
    }
    this.framer = new pdus.PduFramer({ maxPdataLength: maxPduLength });
    this.writer = new PduWriter({
      transport: () => this.transport,
      submit: (pdu) => this.fire({ type: 'Evt9', pdu }),
      assertUsable: () => this.assertUsable(this.step),
    });
    const self = this;
    this.router = new DimseRouter(
      {
        get peer() {
          return self.peerValue;
        },
        get log() {
          return self.log;
        },
        writer: this.writer,
        negotiated: () => this.negotiated,
        aeTitles: () => this.aeTitles,
        step: () => this.step,
        setStep: (s) => void (this.step = s),
        assertUsable: (s) => this.assertUsable(s),
        failure: () => this.failureValue,
        abortWith: (e) => this.abortWith(e),
        pauseInput: () => this.transport?.pause?.(),
        resumeInput: () => this.transport?.resume?.(),
      },
      requestor?.handler ?? acceptor?.handler,
    );
    this.closed = new Promise((r) => (this.closedResolve = r));
  }

  /** Connects, negotiates and resolves with the established association. */
  static async open(options: AssociationOptions): Promise<Association> {
    const a = new Association('requestor', options.peer, options, options, undefined);
    await a.startAsRequestor();
    return a;
  }

  /**
   * Takes over a connection the listener accepted. `ready` resolves once we have sent the
   * A-ASSOCIATE-AC, or rejects (with the reject, abort or timer that ended it).
   */
  static accept(options: AcceptOptions): { association: Association; ready: Promise<void> } {
    const a = new Association('acceptor', { aeTitle: '?', host: options.remote.host, port: options.remote.port }, options, undefined, options);
    return { association: a, ready: a.startAsAcceptor(options.transport) };
  }

  /** Who is at the other end (for the acceptor, the calling AE title once the RQ is in). */
  get peer(): PeerRef {
    return this.peerValue;
  }

  /** The calling and called AE titles of the association. */
  get aeTitlePair(): { readonly calling: string; readonly called: string } {
    return this.aeTitles;
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

  private startAsRequestor(): Promise<void> {
    const opened = new Promise<void>((resolve, reject) => (this.openSettle = { resolve, reject }));
    this.timers.start('whole-association', this.timers.values.wholeAssociationMs);
    this.timers.start('association-request', this.timers.values.associationRequestMs);
    this.log.info('association requested', { callingAe: this.requestor!.callingAeTitle, contexts: this.rq!.presentationContexts.length });
    this.fire({ type: 'Evt1', rq: this.rq! });
    return opened;
  }

  private startAsAcceptor(t: Transport): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.openSettle = { resolve, reject }));
    this.transport = t;
    t.onData((chunk) => this.onData(chunk));
    t.onClose((e) => this.onTransportClosed(e));
    this.timers.start('whole-association', this.timers.values.wholeAssociationMs);
    // AE-5 starts ARTIM: the peer has that long to send its A-ASSOCIATE-RQ.
    this.fire({ type: 'Evt5' });
    return ready;
  }

  private connect(): void {
    const connector = this.requestor?.connector ?? tcpConnector;
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
        if ((action === 'AA-8' || action === 'AA-1') && e.type !== 'Evt15' && this.protocolDetail === undefined) {
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
        return; // the listener accepted the connection before handing it to us
      case 'send':
        if (!this.transport) return;
        this.writer.send(effect.pdu);
        if (effect.pdu.type !== 'P-DATA-TF') this.log.debug('sent', { pdu: effect.pdu.type });
        this.resetInactivity();
        return;
      case 'artim-start':
        this.timers.start('ARTIM', this.timers.values.artimMs);
        return;
      case 'artim-stop':
        this.timers.stop('ARTIM');
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
      case 'A-ASSOCIATE-indication':
        this.onAssociateRequest(ind.rq);
        return;
      case 'A-ASSOCIATE-confirm-accept': {
        this.timers.stop('association-request');
        try {
          this.negotiatedValue = acse.negotiateAsRequestor(this.rq!, ind.ac);
        } catch (e) {
          this.abortWith(new PeerProtocolError(this.peer, 'A-ASSOCIATE', `inconsistent A-ASSOCIATE-AC: ${(e as Error).message}`, { cause: e }));
          return;
        }
        this.onEstablished();
        return;
      }
      case 'A-ASSOCIATE-confirm-reject':
        this.timers.stop('association-request');
        this.setFailure(new AssociationRejectedError(this.peer, ind.rj.result, ind.rj.source, ind.rj.reason));
        return;
      case 'P-DATA-indication':
        this.router.onPData(ind.pdu);
        return;
      case 'A-RELEASE-indication':
        if (this.role === 'acceptor' && !ind.collision) {
          // The requestor is done: answer once every request it sent has been answered.
          this.step = 'A-RELEASE';
          void this.router.served().then(() => {
            if (this.state.sta === 'Sta8') this.fire({ type: 'Evt14' });
          });
          return;
        }
        // As requestor, the peer asks to release (or both did at once). We answer; any
        // operation still waiting for a response will not get one.
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
          // AA-8 sent our A-ABORT and waits (ARTIM) for the close; we close now.
          this.setFailure(new PeerProtocolError(this.peer, this.step, this.protocolDetail ?? 'protocol error'));
          this.closeTransport();
        } else {
          const mid = this.framer.inProgress ? ` in the middle of a PDU (${this.framer.bufferedBytes} bytes of it received)` : '';
          this.setFailure(new ConnectionClosedError(this.peer, this.step, `connection closed by peer${mid}`));
        }
        return;
      }
    }
  }

  /** Acceptor: the peer's A-ASSOCIATE-RQ is in; the listener's policy answers it. */
  private onAssociateRequest(rq: pdus.AssociateRqPdu): void {
    const a = this.acceptor!;
    this.peerValue = { aeTitle: rq.callingAeTitle, host: a.remote.host, port: a.remote.port };
    this.aeTitles = { calling: rq.callingAeTitle, called: rq.calledAeTitle };
    if (this.log !== nullLogger) this.log = this.baseLog.child({ peer: formatPeer(this.peerValue), role: this.role });
    let decision: acse.AcceptorDecision;
    try {
      decision = a.decide(rq);
    } catch (e) {
      this.log.warn('association policy failed', { error: (e as Error).message });
      decision = { kind: 'reject', pdu: { type: 'A-ASSOCIATE-RJ', result: acse.REJECT_RESULT.TRANSIENT, source: acse.REJECT_SOURCE.SERVICE_USER, reason: 1 } };
    }
    if (decision.kind === 'reject') {
      const rj = decision.pdu;
      this.log.info('association rejected', { callingAe: rq.callingAeTitle, calledAe: rq.calledAeTitle, reason: acse.describeReject(rj) });
      this.setFailure(new AssociationRejectedError(this.peer, rj.result, rj.source, rj.reason));
      this.fire({ type: 'Evt8', rj });
      return;
    }
    this.negotiatedValue = acse.negotiatedAsAcceptor(rq, decision);
    this.fire({ type: 'Evt7', ac: decision.pdu });
    this.onEstablished();
  }

  private onEstablished(): void {
    const n = this.negotiatedValue!;
    this.log.info(this.role === 'requestor' ? 'association accepted' : 'association established', {
      transport: this.transportDescription,
      callingAe: this.aeTitles.calling,
      accepted: n.accepted.length,
      rejected: n.rejected.length,
      maxPduToSend: n.maxPduToSend,
      peerImplementation: n.peerImplementationClassUid,
    });
    this.step = 'idle';
    this.resetInactivity();
    this.openSettle?.resolve();
    this.openSettle = undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Transport

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
      if (!this.failureValue) this.setFailure(new PeerProtocolError(this.peer, this.step, this.protocolDetail));
      this.closeTransport();
      return;
    }
    for (const p of framed) {
      if (p.type !== 'P-DATA-TF') this.log.debug('received', { pdu: p.type });
      if (p.type === 'malformed') this.protocolDetail ??= `malformed PDU: ${p.error.message}`;
      this.fire(ul.eventForPdu(p));
    }
    if (this.role === 'acceptor' && this.state.sta === 'Sta13' && !this.failureValue && this.protocolDetail !== undefined) {
      // AA-1 answered something that was not an A-ASSOCIATE-RQ (garbage, a stray PDU): the
      // A-ABORT is on its way; nothing the peer sends after it matters.
      this.setFailure(new PeerProtocolError(this.peer, this.step, this.protocolDetail));
      this.closeTransport();
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
    this.timers.stopAll();
    const err = this.failureValue ?? new ConnectionClosedError(this.peer, this.step, 'association closed');
    this.openSettle?.reject(err);
    this.openSettle = undefined;
    if (this.releaseSettle) {
      if (this.failureValue) this.releaseSettle.reject(err);
      else this.releaseSettle.resolve();
      this.releaseSettle = undefined;
    }
    this.router.failAll(err);
    this.connectAbort.abort();
    this.writer.close();
    this.log.debug('closed', { failure: this.failureValue?.describe() });
    this.closedResolve();
  }

  /** Records the first thing that went wrong; later failures are consequences of it. */
  private setFailure(err: NetError): void {
    if (this.failureValue) return;
    this.failureValue = err;
    if (err instanceof AssociationRejectedError && this.role === 'acceptor') this.log.debug('rejected', { error: err.describe() });
    else this.log.warn('association failed', { error: err.describe(), code: err.code });
    this.router.failAll(err);
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

  private resetInactivity(): void {
    if (!this.negotiatedValue || this.isClosed) return;
    this.timers.activity();
  }

  private onTimer(name: TimerName, ms: number): void {
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
  // DIMSE (see dimse-router.ts)

  /**
   * Sends a request and returns its responses as an async iterable that ends after the final
   * (non-pending) response. One operation at a time is sent (no asynchronous operations are
   * negotiated); C-CANCEL goes through `cancel()`.
   */
  invoke(req: InvokeRequest): Invocation {
    return this.router.invoke(req);
  }

  /** C-CANCEL-RQ for an operation in flight (PS3.7 §9.3.2.3); its final response still comes. */
  async cancel(messageId: number): Promise<void> {
    await this.router.cancel(messageId, !this.failureValue && this.state.sta === 'Sta6');
  }

  private assertUsable(step: string): void {
    if (this.failureValue) throw this.failureValue;
    const sta = this.state.sta;
    // Sta8: the requestor asked to release; the responses to its last requests may still go.
    if (sta !== 'Sta6' && !(sta === 'Sta8' && this.role === 'acceptor')) {
      throw new AssociationStateError(this.peer, step, `association not ready for data (${sta}: ${ul.STATE_TEXT[sta]})`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Ending

  /**
   * Resolves when every request the peer sent so far has been answered and the answer handed to
   * the socket (a listener that stops aborts an association only then: a C-STORE in flight
   * finishes and its SCU hears the outcome).
   */
  async served(): Promise<void> {
    await this.router.served();
    await this.writer.idle();
  }

  /** A-RELEASE: resolves once the peer confirmed and the transport closed. */
  async release(): Promise<void> {
    if (this.failureValue) throw this.failureValue;
    if (this.isClosed) return;
    this.step = 'A-RELEASE';
    // The peer's requests on this association (a storage commitment report) are answered first.
    await this.router.served();
    await this.writer.idle();
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
