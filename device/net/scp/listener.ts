/**
 * The cart's DICOM listener (conformance §8): one port, our AE title, TCP or TLS. Each
 * connection becomes an acceptor Association whose A-ASSOCIATE-RQ is answered by the terms of
 * policy.ts; the accepted ones serve DIMSE requests through one RequestHandler (services.ts
 * composes it from the SCP services). Limits: simultaneous associations (the rest are
 * rejected, transient), the PDU size we receive, the §1 timers; and a hard cap on
 * connections that have not yet been answered, so a flood cannot hold unbounded sockets.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Clock } from '../../clock.js';
import { nullLogger, type Logger } from '../../log/logger.js';
import { Association, type RequestHandler } from '../association.js';
import { DEFAULT_MAX_PDU_LENGTH, STORE_TIMERS, type AssociationTimers } from '../config.js';
import { SocketTransport } from '../socket-transport.js';
import { BCP195_CIPHERS } from '../tls.js';
import type { Transport } from '../transport.js';
import { SCP_ACCEPTANCE, type ServedSopClass } from './acceptance.js';
import { DEFAULT_CALLING_AE_POLICY, decideAssociation, type CallingAePolicy } from './policy.js';

export interface TlsServerConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA(s) that sign the clients' certificates; with it, a client certificate is required. */
  readonly caFile?: string;
}

export interface ListenerOptions {
  readonly aeTitle: string;
  /** 0: any free port (tests); the cart uses 104, or 2762 with TLS. */
  readonly port: number;
  /** The address to listen on: all by default; 127.0.0.1 for the simulated hospital and tests. */
  readonly host?: string;
  readonly tls?: TlsServerConfig;
  readonly callingAe?: CallingAePolicy;
  /** What we serve (default: the cart's acceptance table). */
  readonly served?: readonly ServedSopClass[];
  readonly handler: RequestHandler;
  /** Simultaneous associations (default 8). */
  readonly maxAssociations?: number;
  /** Largest P-DATA PDU-length we receive (default 64 KiB). */
  readonly maxPduLength?: number;
  readonly timers?: Partial<AssociationTimers>;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export const DEFAULT_MAX_ASSOCIATIONS = 8;

export interface ListenerStats {
  readonly accepted: number;
  readonly rejected: number;
  /** Associations that ended with an abort, a timer or a protocol error after being accepted. */
  readonly failed: number;
}

export class DicomListener {
  private active = 0;
  private unanswered = 0;
  private readonly associations = new Set<Association>();
  private counts = { accepted: 0, rejected: 0, failed: 0 };
  private readonly log: Logger;

  private constructor(
    private readonly server: Server,
    private readonly options: ListenerOptions,
    readonly port: number,
  ) {
    this.log = (options.logger ?? nullLogger).child({ listener: `${options.aeTitle}:${port}` });
  }

  static async start(options: ListenerOptions): Promise<DicomListener> {
    let listener: DicomListener | undefined;
    const onTransport = (socket: Socket, t: Transport): void => listener?.onConnection(socket, t);
    let server: Server;
    if (options.tls) {
      const [cert, key, ca] = await Promise.all([
        readFile(options.tls.certFile),
        readFile(options.tls.keyFile),
        options.tls.caFile ? readFile(options.tls.caFile) : undefined,
      ]);
      server = createTlsServer(
        {
          cert,
          key,
          minVersion: 'TLSv1.2',
          maxVersion: 'TLSv1.3',
          ciphers: BCP195_CIPHERS,
          ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        (s: TLSSocket) => {
          const c = s.getCipher();
          onTransport(s, new SocketTransport(s, `tls ${s.getProtocol() ?? '?'} ${c.standardName ?? c.name}`));
        },
      );
      server.on('tlsClientError', () => undefined); // a failed handshake is the client's problem
    } else {
      server = createServer((s) => onTransport(s, new SocketTransport(s, 'tcp')));
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    listener = new DicomListener(server, options, typeof addr === 'object' && addr ? addr.port : options.port);
    listener.log.info('listening', { ae: options.aeTitle, port: listener.port, tls: options.tls !== undefined });
    return listener;
  }

  /** Associations established and not yet ended. */
  get activeAssociations(): number {
    return this.active;
  }

  get stats(): ListenerStats {
    return { ...this.counts };
  }

  private get maxAssociations(): number {
    return this.options.maxAssociations ?? DEFAULT_MAX_ASSOCIATIONS;
  }

  private onConnection(socket: Socket, transport: Transport): void {
    // Connections waiting for their RQ or for our reject: bounded, so a flood of silent
    // connections cannot take every socket; beyond the cap the connection is closed unanswered.
    if (this.unanswered >= 4 * this.maxAssociations + 16) {
      this.log.warn('connection refused: too many unanswered connections', { remote: socket.remoteAddress });
      socket.destroy();
      return;
    }
    this.unanswered++;
    const remote = { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    const o = this.options;
    let counted = false;
    const { association, ready } = Association.accept({
      transport,
      remote,
      handler: o.handler,
      timers: { ...STORE_TIMERS, ...o.timers },
      maxPduLength: o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      decide: (rq) => {
        const d = decideAssociation(
          rq,
          { aeTitle: o.aeTitle, callingAe: o.callingAe ?? DEFAULT_CALLING_AE_POLICY, served: o.served ?? SCP_ACCEPTANCE, maxPduLength: o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH },
          remote.host,
          { active: this.active, max: this.maxAssociations },
        );
        // Counted at once: the next RQ, decided before this one is "ready", sees it.
        if (d.kind === 'accept') {
          this.active++;
          counted = true;
        }
        return d;
      },
    });
    this.associations.add(association);
    ready.then(
      () => {
        this.counts.accepted++;
        this.unanswered--;
      },
      () => {
        this.counts.rejected++;
        this.unanswered--;
      },
    );
    void association.closed.then(() => {
      this.associations.delete(association);
      if (counted) {
        this.active--;
        if (association.failure) this.counts.failed++;
      }
    });
  }

  /**
   * Stops accepting connections, then waits up to `graceMs` for the associations in progress
   * to end; those still open after it are aborted. With `abortWhenServed` (the service's drain),
   * each association is aborted as soon as the requests it is serving are answered — a C-STORE
   * in flight finishes, and an SCU that keeps its association open between instances does not
   * hold the stop for the whole grace.
   */
  async close(graceMs = 5000, o: { readonly abortWhenServed?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    const all = Promise.all(
      [...this.associations].map((a) => (o.abortWhenServed ? Promise.race([a.closed, a.served().then(() => a.abort(), () => a.abort())]) : a.closed)),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const a of this.associations) a.abort();
    await Promise.all([...this.associations].map((a) => a.closed));
    await closed;
    this.log.info('stopped', {});
  }
}
