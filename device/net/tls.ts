/**
 * DICOM over TLS (PS3.15 Annex B.9, the BCP 195 profile): TLS 1.2 or 1.3 only, and for TLS 1.2
 * only the AEAD ECDHE/DHE suites BCP 195 (RFC 9325 §4.2) recommends. Keys and certificates come
 * from configuration files; the peer's certificate is verified against the configured CA
 * unless the configuration explicitly says not to (a service engineer's last resort).
 */
import { readFile } from 'node:fs/promises';
import { connect, type ConnectionOptions } from 'node:tls';
import { SocketTransport } from './socket-transport.js';
import type { Connector } from './transport.js';
import { SonicartError } from '../../dicom/core/index.js';

/** OpenSSL names of the TLS 1.2 suites of RFC 9325 §4.2 and the TLS 1.3 suites. */
export const BCP195_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

export interface TlsConfig {
  /** PEM file(s) of the CA(s) that sign the peers' certificates. */
  readonly caFile?: string;
  /** Our certificate and key (PEM), for peers that require client authentication. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Default true. False accepts any server certificate: only for a bench with no PKI. */
  readonly verifyPeer?: boolean;
  /** Name to check the certificate against when it differs from the host. */
  readonly serverName?: string;
}

export async function tlsConnector(config: TlsConfig): Promise<Connector> {
  const [ca, cert, key] = await Promise.all([
    config.caFile ? readFile(config.caFile) : undefined,
    config.certFile ? readFile(config.certFile) : undefined,
    config.keyFile ? readFile(config.keyFile) : undefined,
  ]);
  return (target, signal) =>
    new Promise((resolve, reject) => {
      const options: ConnectionOptions = {
        host: target.host,
        port: target.port,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
        ciphers: BCP195_CIPHERS,
        rejectUnauthorized: config.verifyPeer ?? true,
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(config.serverName ? { servername: config.serverName } : {}),
      };
      const socket = connect(options);
      const onAbort = (): void => fail(new SonicartError('NET_CANCELLED', 'connect aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      function fail(e: Error): void {
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(e);
      }
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        const cipher = socket.getCipher();
        resolve(new SocketTransport(socket, `tls ${socket.getProtocol() ?? '?'} ${cipher.standardName ?? cipher.name}`));
      });
    });
}
