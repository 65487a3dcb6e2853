/**
 * A DICOM peer that does exactly what a test tells it, including everything a real peer must
 * not do: reject, abort mid-transfer, go silent, send oversized, malformed, truncated or
 * out-of-order PDUs. A node:net server on 127.0.0.1 with one script per connection; the script
 * reads whole PDUs (framed by our PduFramer) and writes PDUs or raw bytes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { pdu as pdus, dimse, type pdu } from '../../dicom/net/index.js';

export interface PeerConnection {
  /** The next whole PDU from the SCU; rejects when the connection closes first. */
  readPdu(): Promise<pdus.FramedPdu>;
  /** Reads PDUs until one of the given type arrives (P-DATA, release …). */
  readUntil(type: pdu.PduKind): Promise<pdus.FramedPdu>;
  send(p: pdu.Pdu): void;
  sendRaw(bytes: Uint8Array): void;
  /** FIN after what was written. */
  end(): void;
  destroy(): void;
  /** Resolves when the SCU has closed the connection. */
  readonly closed: Promise<void>;
  readonly socket: Socket;
  /** Every PDU received so far, in order. */
  readonly received: pdus.FramedPdu[];
}

export type PeerScript = (conn: PeerConnection) => Promise<void>;

export interface ScriptedPeer {
  readonly port: number;
  /** Errors the scripts threw (a test asserts this is empty). */
  readonly scriptErrors: Error[];
  /** Connections accepted so far. */
  readonly connections: PeerConnection[];
  close(): Promise<void>;
}

export async function startScriptedPeer(script: PeerScript): Promise<ScriptedPeer> {
  const scriptErrors: Error[] = [];
  const connections: PeerConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const conn = connection(socket);
    connections.push(conn);
    script(conn).catch((e: Error) => {
      if (!/connection closed/.test(e.message)) scriptErrors.push(e);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    scriptErrors,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function connection(socket: Socket): PeerConnection {
  const framer = new pdus.PduFramer({ maxPdataLength: 1 << 24 });
  const queue: pdus.FramedPdu[] = [];
  const received: pdus.FramedPdu[] = [];
  let waiter: { resolve: (p: pdus.FramedPdu) => void; reject: (e: Error) => void } | undefined;
  let ended = false;
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  socket.on('data', (b: Buffer) => {
    for (const p of framer.push(new Uint8Array(b))) {
      received.push(p);
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w.resolve(p);
      } else queue.push(p);
    }
  });
  socket.on('close', () => {
    ended = true;
    closedResolve();
    waiter?.reject(new Error('connection closed'));
    waiter = undefined;
  });
  const readPdu = (): Promise<pdus.FramedPdu> => {
    const p = queue.shift();
    if (p) return Promise.resolve(p);
    if (ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => (waiter = { resolve, reject }));
  };
  return {
    readPdu,
    async readUntil(type) {
      for (;;) {
        const p = await readPdu();
        if (p.type === type) return p;
      }
    },
    send: (p) => void (socket.destroyed || socket.write(pdus.encodePdu(p))),
    sendRaw: (b) => void (socket.destroyed || socket.write(b)),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
    closed,
    socket,
    received,
  };
}

// ---------------------------------------------------------------------------------------------
// Building blocks for scripts

/** An A-ASSOCIATE-AC accepting every proposed context with its first transfer syntax (or `result` for all). */
export function acceptAll(rq: pdus.AssociateRqPdu, opts: { result?: number; maxLength?: number } = {}): pdus.AssociateAcPdu {
  return {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: rq.applicationContext,
    presentationContexts: rq.presentationContexts.map((pc) => ({
      id: pc.id,
      result: opts.result ?? 0,
      transferSyntax: pc.transferSyntaxes[0],
    })),
    userInformation: [
      { type: 'maximum-length', maxLength: opts.maxLength ?? 16384 },
      { type: 'implementation-class-uid', uid: '1.2.3.4.5.6.7' },
      { type: 'implementation-version-name', name: 'SCRIPTED_PEER' },
    ],
    unknownItems: [],
  };
}

/** Waits for the A-ASSOCIATE-RQ and accepts it. */
export async function acceptAssociation(conn: PeerConnection, opts: { result?: number; maxLength?: number } = {}): Promise<pdus.AssociateRqPdu> {
  const rq = await conn.readPdu();
  if (rq.type !== 'A-ASSOCIATE-RQ') throw new Error(`expected A-ASSOCIATE-RQ, got ${rq.type}`);
  conn.send(acceptAll(rq, opts));
  return rq;
}

/** Reads P-DATA until one whole DIMSE message (command, and data set if announced) is in. */
export async function readMessage(conn: PeerConnection): Promise<{ contextId: number; command: dimse.DimseCommand; dataSet: Uint8Array | undefined }> {
  const asm = new dimse.PdvAssembler({ hasDataSet: (b) => dimse.decodeCommand(b).hasDataSet });
  let command: dimse.DimseCommand | undefined;
  let contextId = 0;
  const data: Uint8Array[] = [];
  for (;;) {
    const p = await conn.readPdu();
    if (p.type !== 'P-DATA-TF') throw new Error(`expected P-DATA-TF, got ${p.type}`);
    for (const part of asm.push(p)) {
      if (part.kind === 'command') {
        command = dimse.decodeCommand(part.bytes);
        contextId = part.contextId;
        if (!command.hasDataSet) return { contextId, command, dataSet: undefined };
      } else {
        data.push(part.bytes.slice());
        if (part.last) {
          const n = data.reduce((s, d) => s + d.length, 0);
          const all = new Uint8Array(n);
          let o = 0;
          for (const d of data) (all.set(d, o), (o += d.length));
          return { contextId, command: command!, dataSet: all };
        }
      }
    }
  }
}

/** Sends a DIMSE response (and its data set) on a context. */
export function sendMessage(conn: PeerConnection, contextId: number, command: dimse.DimseCommand, dataSet?: Uint8Array, maxPdu = 16384): void {
  for (const p of dimse.fragmentMessage(contextId, dimse.encodeCommand(command), dataSet, maxPdu)) conn.send(p);
}

/**
 * For a test file whose tests each start one scripted peer: returns `withPeer(script)`, which
 * starts it, and registers the afterEach that closes it.
 */
export function scriptedPeerPerTest(): (script: PeerScript) => Promise<ScriptedPeer> {
  let peer: ScriptedPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });
  return async (script) => (peer = await startScriptedPeer(script));
}

/** Answers a C-STORE-RQ (as readMessage returned it) with `status`, and e.g. an errorComment in `extra`. */
export function answerStore(conn: PeerConnection, rq: { contextId: number; command: dimse.DimseCommand }, status: number, extra: Partial<dimse.DimseCommand> = {}): void {
  sendMessage(conn, rq.contextId, {
    type: 'C-STORE-RSP',
    hasDataSet: false,
    messageIdBeingRespondedTo: rq.command.messageId!,
    affectedSopClassUid: rq.command.affectedSopClassUid!,
    affectedSopInstanceUid: rq.command.affectedSopInstanceUid!,
    status,
    ...extra,
  });
}

/** Answers A-RELEASE-RQ with A-RELEASE-RP and closes. */
export async function answerRelease(conn: PeerConnection): Promise<void> {
  await conn.readUntil('A-RELEASE-RQ');
  conn.send({ type: 'A-RELEASE-RP' });
  conn.end();
}

/** The other way round: a scripted SCU connecting to a listener (ours), driven the same way. */
export async function connectScripted(port: number): Promise<PeerConnection> {
  const { connect } = await import('node:net');
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const conn = connection(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return conn;
}

/** An A-ASSOCIATE-RQ as a scripted SCU sends it. */
export function associateRq(calledAeTitle: string, contexts: readonly { abstractSyntax: string; transferSyntaxes: readonly string[] }[], callingAeTitle = 'SCRIPTED', maxLength = 16384): pdus.AssociateRqPdu {
  return {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle,
    callingAeTitle,
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: contexts.map((c, i) => ({ id: 2 * i + 1, abstractSyntax: c.abstractSyntax, transferSyntaxes: [...c.transferSyntaxes] })),
    userInformation: [
      { type: 'maximum-length', maxLength },
      { type: 'implementation-class-uid', uid: '1.2.3.4.5.6.7' },
    ],
    unknownItems: [],
  };
}
