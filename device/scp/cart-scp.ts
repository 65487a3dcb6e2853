/**
 * The cart as an SCP inside the running service (conformance §8): the DicomListener on
 * config.listenPort with our AE title (TLS when configured), serving Verification, Storage into
 * the local InstanceStore (store-sink.ts) and the N-EVENT-REPORT of Storage Commitment, handed
 * to the device's one CommitmentReportHandler.
 *
 * A port that cannot be bound (taken, or 104 without the capability) does not stop the cart —
 * capturing and sending matter more than receiving: an alarm is raised and the bind is retried
 * every 10 s until it works. stop(drain): no new association; each C-STORE in flight finishes
 * (Success only once durable) or, past the grace or without drain, is aborted and its partial
 * file removed; then the remaining associations are aborted.
 */
import type { Clock } from '../clock.js';
import type { DeviceConfig } from '../config/index.js';
import type { AuditLog } from '../device.js';
import type { Logger } from '../log/logger.js';
import { SCP_ACCEPTANCE } from '../net/scp/acceptance.js';
import { commitmentReportScp, type CommitmentReportHandler } from '../net/scp/commitment-report.js';
import { DicomListener } from '../net/scp/listener.js';
import { composeHandler, verificationScp } from '../net/scp/services.js';
import { storageScp } from '../net/scp/storage-scp.js';
import type { InstanceStore } from '../storage/index.js';
import { InstanceStoreSink } from './store-sink.js';

/** What GET /api/state shows of the listener (the wire's ScpView repeats it; views.ts checks they agree). */
export interface CartScpStatus {
  readonly aeTitle: string;
  /** The bound port (the configured one, or the one the system chose for 0); null while not listening. */
  readonly port: number | null;
  readonly listening: boolean;
  readonly tls: boolean;
  /** Associations established now. */
  readonly associations: number;
  /** Why it is not listening. */
  readonly error: string | null;
}

export interface CartScpDeps {
  readonly config: DeviceConfig;
  readonly store: InstanceStore;
  /** The instances' bytes now (for the spool quota). */
  readonly storeBytes: () => number;
  readonly commitmentReports: CommitmentReportHandler;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly log: Logger;
  /** Raised while the port cannot be bound (null: listening again). */
  readonly alarm: (notListening: { readonly aeTitle: string; readonly port: number; readonly reason: string; readonly retryS: number } | null) => void;
  /** Overrides for benchmarks: fsync per instance (default true). */
  readonly sync?: boolean;
}

const RETRY_BIND_MS = 10_000;
/** How long a drain waits for the C-STOREs in flight (a 150 MB cine on a slow link). */
const DRAIN_GRACE_MS = 30_000;

export class CartScp {
  private listener: DicomListener | undefined;
  private error: string | null = null;
  private retry: { cancel(): void } | undefined;
  private stopped = false;
  readonly sink: InstanceStoreSink;

  constructor(private readonly d: CartScpDeps) {
    const { config } = d;
    this.sink = new InstanceStoreSink({
      store: d.store,
      maxStoreBytes: config.quotas.maxSpoolMb * 2 ** 20,
      storeBytes: d.storeBytes,
      ...(d.sync !== undefined ? { sync: d.sync } : {}),
      onStored: (r, duplicate) =>
        d.audit.record({
          who: 'service',
          action: 'receive',
          what: `instance ${r.sopInstanceUid}`,
          where: r.receivedFrom ?? '',
          outcome: 'success',
          ...(duplicate ? { detail: 'duplicate: the copy stored before is kept' } : {}),
        }),
    });
  }

  status(): CartScpStatus {
    const l = this.listener;
    return { aeTitle: this.d.config.aeTitle, port: l?.port ?? null, listening: l !== undefined, tls: this.d.config.scp.tls !== undefined, associations: l?.activeAssociations ?? 0, error: this.error };
  }

  /** Binds (or starts retrying to bind, with an alarm). Resolves once the first attempt is over. */
  async start(): Promise<void> {
    const { config, log } = this.d;
    const t = config.timers.store;
    const handler = composeHandler(SCP_ACCEPTANCE, {
      verification: verificationScp,
      storage: storageScp(this.sink, log),
      'storage-commitment-report': commitmentReportScp(this.d.commitmentReports),
    });
    try {
      this.listener = await DicomListener.start({
        aeTitle: config.aeTitle,
        port: config.listenPort,
        host: config.scp.bindAddress,
        ...(config.scp.tls ? { tls: config.scp.tls } : {}),
        callingAe: { known: config.scp.callingAeTitles, unknown: config.scp.unknownCallingAe },
        handler,
        maxAssociations: config.scp.maxAssociations,
        maxPduLength: config.maxPduLength,
        // The acceptor's wait for the A-ASSOCIATE-RQ (ARTIM, PS3.8) is the association-request timer.
        timers: { associationRequestMs: t.associationRequestS * 1000, inactivityMs: t.inactivityS * 1000, wholeAssociationMs: t.wholeAssociationS * 1000, artimMs: t.associationRequestS * 1000 },
        logger: log,
        clock: this.d.clock,
      });
      if (this.stopped) {
        await this.listener.close(0);
        return;
      }
      this.error = null;
      this.d.alarm(null);
      log.info('scp listening', { aeTitle: config.aeTitle, port: this.listener.port, bindAddress: config.scp.bindAddress, tls: config.scp.tls !== undefined });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.error = `cannot listen on ${config.scp.bindAddress}:${config.listenPort}: ${err.code ?? err.message}`;
      this.d.alarm({ aeTitle: config.aeTitle, port: config.listenPort, reason: this.error, retryS: RETRY_BIND_MS / 1000 });
      log.error('scp not listening', { port: config.listenPort, error: err });
      if (!this.stopped) this.retry = this.d.clock.setTimeout(() => void this.start(), RETRY_BIND_MS);
    }
  }

  async stop(drain: boolean): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    await this.listener?.close(drain ? DRAIN_GRACE_MS : 0, { abortWhenServed: true });
    // An abort ends the transfer; its discard (the partial file) is done before the database closes.
    await this.sink.idle();
    this.listener = undefined;
  }
}
