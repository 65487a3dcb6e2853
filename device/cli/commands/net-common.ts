/**
 * What the network commands (echo, send, worklist) share: the peer options of the command
 * line, the log switch, and the one-line error a service engineer reads.
 */
import { NetError, formatPeer } from '../../net/errors.js';
import { peerRef, type PeerConfig } from '../../net/peer-config.js';
import { UsageError } from '../errors.js';
import { aeTitleOption, portOption } from '../validate.js';

export const PEER_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'called-ae': { type: 'string' },
  'calling-ae': { type: 'string' },
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-no-verify': { type: 'boolean' },
} as const;

export const PEER_USAGE = '--host H --port P --called-ae AE [--calling-ae AE] [--tls [--tls-ca PEM] [--tls-cert PEM --tls-key PEM] [--tls-no-verify]]';

type PeerValues = { [K in keyof typeof PEER_OPTIONS]?: (typeof PEER_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export function peerFromArgs(v: PeerValues): PeerConfig {
  if (!v.host || !v.port || !v['called-ae']) throw new UsageError(`needs ${PEER_USAGE}`);
  const port = portOption('--port', v.port);
  aeTitleOption('--called-ae', v['called-ae']);
  if (v['calling-ae'] !== undefined) aeTitleOption('--calling-ae', v['calling-ae']);
  const tlsAsked = v.tls || v['tls-ca'] || v['tls-cert'] || v['tls-key'];
  return {
    host: v.host,
    port,
    calledAeTitle: v['called-ae'],
    ...(v['calling-ae'] ? { callingAeTitle: v['calling-ae'] } : {}),
    ...(tlsAsked
      ? {
          tls: {
            ...(v['tls-ca'] ? { caFile: v['tls-ca'] } : {}),
            ...(v['tls-cert'] ? { certFile: v['tls-cert'] } : {}),
            ...(v['tls-key'] ? { keyFile: v['tls-key'] } : {}),
            verifyPeer: !v['tls-no-verify'],
          },
        }
      : {}),
  };
}

export { cliLogger } from '../cli-logger.js';

/** One line: peer, step, reason, DICOM status. */
export function describeNetFailure(peer: PeerConfig, step: string, e: unknown): string {
  if (e instanceof NetError) return e.describe();
  const err = e as Error & { code?: string };
  return `peer ${formatPeer(peerRef(peer))}, step ${step}, reason ${err?.message ?? String(e)}${err?.code ? ` [${err.code}]` : ''}`;
}

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
}
