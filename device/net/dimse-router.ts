/**
 * The DIMSE layer of an association, both ways: our requests go out with a fresh Message ID
 * and their responses are matched back by Message ID Being Responded To; the peer's requests
 * (C-ECHO, C-STORE, N-EVENT-REPORT … when we serve) go to a handler, their data set streamed
 * to it as it arrives, and the handler's answer goes back as the response.
 *
 * One operation at a time each way (no asynchronous operations are negotiated): the peer's
 * requests are served in order; a second one arriving before the first is answered waits.
 */
import { concatBytes } from '../../dicom/core/index.js';
import { acse, dimse, pdu as pdus } from '../../dicom/net/index.js';
import type { Logger } from '../log/logger.js';
import { AsyncQueue } from './async-queue.js';
import { AssociationStateError, NetError, PeerProtocolError, type PeerRef } from './errors.js';
import { IncomingData } from './incoming-data.js';
import type { PduWriter } from './pdu-writer.js';

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

/** A request the peer sent us. */
export interface IncomingRequest {
  readonly command: dimse.DimseCommand;
  /** The presentation context it came on (abstract and transfer syntax). */
  readonly context: acse.AcceptedContext;
  /**
   * Its data set as it arrives, in the context's transfer syntax; undefined when the command
   * has none. Fails with the association's error if the association ends first. A handler
   * that answers without reading it all leaves the rest to be discarded.
   */
  readonly data: AsyncIterable<Uint8Array> | undefined;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly peer: PeerRef;
}

/** The answer to a request: the response's status and any fields beyond the ones copied from the request. */
export interface RequestResponse {
  readonly status: number;
  readonly errorComment?: string;
  readonly affectedSopInstanceUid?: string;
  readonly eventTypeId?: number;
  readonly actionTypeId?: number;
  /** A data set to send with the response (N-CREATE/N-SET/N-ACTION replies, C-FIND matches). */
  readonly dataSet?: Uint8Array;
}

/**
 * Serves the peer's requests. It may answer several times for C-FIND (pending, then final):
 * `pending()` sends each pending response before the final one is returned.
 */
export type RequestHandler = (req: IncomingRequest, pending: (rsp: RequestResponse) => Promise<void>) => Promise<RequestResponse>;

/** What the router needs from the association that owns it. */
export interface DimseRouterHost {
  readonly peer: PeerRef;
  readonly log: Logger;
  readonly writer: PduWriter;
  negotiated(): acse.Negotiated;
  aeTitles(): { calling: string; called: string };
  step(): string;
  setStep(step: string): void;
  assertUsable(step: string): void;
  failure(): NetError | undefined;
  abortWith(err: NetError): void;
  pauseInput(): void;
  resumeInput(): void;
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

const RESPONSE_TYPE: Partial<Record<dimse.DimseCommandType, dimse.DimseCommandType>> = {
  'C-ECHO-RQ': 'C-ECHO-RSP',
  'C-STORE-RQ': 'C-STORE-RSP',
  'C-FIND-RQ': 'C-FIND-RSP',
  'N-EVENT-REPORT-RQ': 'N-EVENT-REPORT-RSP',
  'N-CREATE-RQ': 'N-CREATE-RSP',
  'N-SET-RQ': 'N-SET-RSP',
  'N-ACTION-RQ': 'N-ACTION-RSP',
  'N-GET-RQ': 'N-GET-RSP',
  'N-DELETE-RQ': 'N-DELETE-RSP',
  'C-GET-RQ': 'C-GET-RSP',
  'C-MOVE-RQ': 'C-MOVE-RSP',
};

/** PS3.7 C.4.1: "unrecognized operation", for a request we have no handler for. */
const UNRECOGNIZED_OPERATION = 0x0211;
/** PS3.7 C.4.2: "processing failure", when a handler fails in a way it did not map to a status. */
const PROCESSING_FAILURE = 0x0110;

export class DimseRouter {
  private readonly assembler: dimse.PdvAssembler;
  private decodedCommand: { bytes: Uint8Array; cmd: dimse.DimseCommand } | undefined;
  private messageId = 0;
  private readonly pending = new Map<number, PendingOp>();
  /** A response whose data set is still arriving. */
  private receiving: { op: PendingOp; command: dimse.DimseCommand; parts: Uint8Array[]; length: number } | undefined;
  /** A request whose data set is still arriving. */
  private incoming: IncomingData | undefined;
  /** Requests of the peer are served one after the other. */
  private serving: Promise<void> = Promise.resolve();
  /** Incoming requests being served or waiting (the association waits for them before release). */
  private inService = 0;

  constructor(
    private readonly host: DimseRouterHost,
    private readonly handler: RequestHandler | undefined,
  ) {
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
  }

  /** Whether a request of the peer is being served (its response not yet sent). */
  get busy(): boolean {
    return this.inService > 0;
  }

  /** Resolves when every request of the peer received so far has been answered. */
  served(): Promise<void> {
    return this.serving;
  }

  // ------------------------------------------------------------------------------------------
  // Our requests

  invoke(req: InvokeRequest): Invocation {
    this.host.assertUsable(req.step);
    const messageId = this.nextMessageId();
    const op: PendingOp = { messageId, contextId: req.contextId, service: req.service, step: req.step, queue: new AsyncQueue() };
    this.pending.set(messageId, op);
    const command = { ...req.command, messageId } as dimse.DimseCommand;
    const sent = this.host.writer.exclusive(async () => {
      this.host.setStep(req.step);
      await this.host.writer.sendMessage(req.contextId, this.host.negotiated().maxPduToSend, dimse.encodeCommand(command), req.data);
    });
    sent.catch((e: unknown) => {
      // A send failure that did not end the association (a file read error): this operation
      // is lost, and since half a message went out, the association cannot continue.
      const failure = this.host.failure();
      if (!failure) this.host.abortWith(e instanceof NetError ? e : new AssociationStateError(this.host.peer, req.step, `request not sent: ${(e as Error).message}`, { cause: e }));
      op.queue.fail(this.host.failure() ?? e);
    });
    return { messageId, sent, [Symbol.asyncIterator]: () => op.queue[Symbol.asyncIterator]() };
  }

  /** C-CANCEL-RQ for an operation in flight (PS3.7 §9.3.2.3); its final response still comes. */
  async cancel(messageId: number, usable: boolean): Promise<void> {
    const op = this.pending.get(messageId);
    if (!op || !usable) return;
    const cmd = dimse.encodeCommand({ type: 'C-CANCEL-RQ', hasDataSet: false, messageIdBeingRespondedTo: messageId });
    await this.host.writer.exclusive(() => this.host.writer.sendMessage(op.contextId, this.host.negotiated().maxPduToSend, cmd, undefined));
  }

  /** Every waiting operation and incoming data set gets `err`. */
  failAll(err: NetError): void {
    for (const op of this.pending.values()) op.queue.fail(err);
    this.pending.clear();
    this.incoming?.fail(err);
    this.incoming = undefined;
  }

  private nextMessageId(): number {
    this.messageId = (this.messageId % 0xffff) + 1;
    return this.messageId;
  }

  // ------------------------------------------------------------------------------------------
  // What the peer sends

  /** A P-DATA-TF arrived (P-DATA indication). */
  onPData(pdu: pdus.PDataTfPdu): void {
    let parts: dimse.AssembledPart[];
    try {
      parts = this.assembler.push(pdu);
    } catch (e) {
      this.host.abortWith(new PeerProtocolError(this.host.peer, this.host.step(), `out-of-order P-DATA: ${(e as Error).message}`, { cause: e }));
      return;
    }
    for (const part of parts) {
      try {
        this.onPart(part);
      } catch (e) {
        if (e instanceof NetError) this.host.abortWith(e);
        else this.host.abortWith(new PeerProtocolError(this.host.peer, this.host.step(), (e as Error).message, { cause: e }));
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
        throw new PeerProtocolError(this.host.peer, this.host.step(), `bad DIMSE command: ${(e as Error).message}`, { cause: e });
      }
      if (cmd.type.endsWith('-RSP')) this.onResponse(part.contextId, cmd);
      else this.onRequest(part.contextId, cmd);
      return;
    }
    if (this.incoming) {
      const data = this.incoming;
      data.push(part.bytes);
      if (part.last) {
        this.incoming = undefined;
        data.end();
      }
      return;
    }
    const r = this.receiving;
    if (!r) throw new PeerProtocolError(this.host.peer, this.host.step(), 'data set fragment without a command');
    r.length += part.bytes.length;
    if (r.length > MAX_RESPONSE_DATA) throw new PeerProtocolError(this.host.peer, r.op.step, `response data set larger than ${MAX_RESPONSE_DATA} bytes`);
    r.parts.push(part.bytes.slice());
    if (!part.last) return;
    this.receiving = undefined;
    const data = r.parts.length === 1 ? r.parts[0]! : concatBytes(r.parts);
    this.deliver(r.op, r.command, data);
  }

  private onResponse(contextId: number, cmd: dimse.DimseCommand): void {
    const id = cmd.messageIdBeingRespondedTo!;
    const op = this.pending.get(id);
    if (!op) throw new PeerProtocolError(this.host.peer, this.host.step(), `${cmd.type} answers message ID ${id}, which is not outstanding`);
    if (contextId !== op.contextId) {
      throw new PeerProtocolError(this.host.peer, op.step, `${cmd.type} for message ${id} came on context ${contextId}, the request went on ${op.contextId}`);
    }
    if (cmd.hasDataSet) this.receiving = { op, command: cmd, parts: [], length: 0 };
    else this.deliver(op, cmd, undefined);
  }

  private deliver(op: PendingOp, command: dimse.DimseCommand, dataSet: Uint8Array | undefined): void {
    const status = dimse.statusInfo(command.status ?? 0xffff, op.service);
    op.queue.push({ command, status, dataSet, contextId: op.contextId });
    if (status.category !== 'pending') {
      this.pending.delete(op.messageId);
      op.queue.finish();
    }
  }

  private onRequest(contextId: number, cmd: dimse.DimseCommand): void {
    if (cmd.type === 'C-CANCEL-RQ') return; // we serve no operation long enough to cancel
    if (!this.handler) throw new PeerProtocolError(this.host.peer, this.host.step(), `unexpected ${cmd.type} from the peer (we act as SCU only)`);
    const context = this.host.negotiated().byId.get(contextId);
    if (!context) throw new PeerProtocolError(this.host.peer, this.host.step(), `${cmd.type} on presentation context ${contextId}, which was not accepted`);
    if (cmd.messageId === undefined) throw new PeerProtocolError(this.host.peer, this.host.step(), `${cmd.type} without a Message ID`);
    const data = cmd.hasDataSet ? new IncomingData({ pause: () => this.host.pauseInput(), resume: () => this.host.resumeInput() }) : undefined;
    this.incoming = data;
    const ae = this.host.aeTitles();
    const req: IncomingRequest = { command: cmd, context, data, callingAeTitle: ae.calling, calledAeTitle: ae.called, peer: this.host.peer };
    this.inService++;
    this.serving = this.serving.then(() => this.serve(req, data)).finally(() => void this.inService--);
  }

  private async serve(req: IncomingRequest, data: IncomingData | undefined): Promise<void> {
    const handler = this.handler!;
    const cmd = req.command;
    let rsp: RequestResponse;
    try {
      rsp = await handler(req, (p) => this.respond(req, p));
    } catch (e) {
      if (this.host.failure()) return; // the association ended under it: nobody to answer
      this.host.log.warn('request handler failed', { command: cmd.type, error: (e as Error).message });
      rsp = { status: PROCESSING_FAILURE, errorComment: (e as Error).message.slice(0, 64) };
    }
    if (data) {
      // The response goes after the whole request: a handler that answered early (a refusal)
      // has the rest of the data set read and dropped.
      data.discard();
      try {
        await data.ended;
      } catch {
        return;
      }
    }
    if (this.host.failure()) return;
    await this.respond(req, rsp).catch(() => undefined);
  }

  private async respond(req: IncomingRequest, rsp: RequestResponse): Promise<void> {
    const cmd = req.command;
    const type = RESPONSE_TYPE[cmd.type];
    const response: dimse.DimseCommand = {
      type: type ?? 'C-ECHO-RSP',
      hasDataSet: rsp.dataSet !== undefined,
      messageIdBeingRespondedTo: cmd.messageId,
      affectedSopClassUid: cmd.affectedSopClassUid ?? cmd.requestedSopClassUid,
      status: type ? rsp.status : UNRECOGNIZED_OPERATION,
      ...((rsp.affectedSopInstanceUid ?? cmd.affectedSopInstanceUid ?? cmd.requestedSopInstanceUid) !== undefined
        ? { affectedSopInstanceUid: rsp.affectedSopInstanceUid ?? cmd.affectedSopInstanceUid ?? cmd.requestedSopInstanceUid }
        : {}),
      ...(rsp.errorComment !== undefined ? { errorComment: rsp.errorComment } : {}),
      ...(rsp.eventTypeId !== undefined || cmd.eventTypeId !== undefined ? { eventTypeId: rsp.eventTypeId ?? cmd.eventTypeId } : {}),
      ...(rsp.actionTypeId !== undefined || cmd.actionTypeId !== undefined ? { actionTypeId: rsp.actionTypeId ?? cmd.actionTypeId } : {}),
    };
    await this.host.writer.exclusive(() =>
      this.host.writer.sendMessage(req.context.id, this.host.negotiated().maxPduToSend, dimse.encodeCommand(response), rsp.dataSet),
    );
  }
}
