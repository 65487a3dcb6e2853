/**
 * Where and how to reach a peer: address, AE titles, TLS, timers. One shape for the CLI, the
 * configuration and the tests, turned into AssociationOptions here.
 */
import type { acse } from '../../dicom/net/index.js';
import type { Logger } from '../log/logger.js';
import type { AssociationOptions } from './association.js';
import type { AssociationTimers } from './config.js';
import { DEFAULT_AE_TITLE } from './config.js';
import type { PeerRef } from './errors.js';
import { tcpConnector } from './tcp.js';
import type { TlsConfig } from './tls.js';

export interface PeerConfig {
  readonly host: string;
  readonly port: number;
  readonly calledAeTitle: string;
  /** Default: the cart's configured AE title (US_CART). */
  readonly callingAeTitle?: string;
  /** Present: DICOM over TLS. */
  readonly tls?: TlsConfig;
  readonly timers?: Partial<AssociationTimers>;
  readonly maxPduLength?: number;
}

export function peerRef(c: PeerConfig): PeerRef {
  return { aeTitle: c.calledAeTitle, host: c.host, port: c.port };
}

export async function associationOptions(
  c: PeerConfig,
  proposals: readonly acse.ContextProposal[],
  logger?: Logger,
): Promise<AssociationOptions> {
  return {
    peer: peerRef(c),
    callingAeTitle: c.callingAeTitle ?? DEFAULT_AE_TITLE,
    proposals,
    // node:tls is loaded only for a TLS peer (~10 ms of every command's start-up otherwise).
    connector: c.tls ? await (await import('./tls.js')).tlsConnector(c.tls) : tcpConnector,
    ...(c.timers ? { timers: c.timers } : {}),
    ...(c.maxPduLength ? { maxPduLength: c.maxPduLength } : {}),
    ...(logger ? { logger } : {}),
  };
}
