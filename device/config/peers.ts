/**
 * A configured destination as the network layer's PeerConfig: our AE title as calling AE, the
 * activity's §1 timers (seconds in the file, milliseconds on the wire side), TLS, max PDU.
 */
import type { PeerConfig } from '../net/peer-config.js';
import type { DestinationConfig, DeviceConfig } from './types.js';

export function peerConfigFor(config: DeviceConfig, d: DestinationConfig, activity: 'store' | 'find'): PeerConfig {
  const t = config.timers[activity];
  return {
    host: d.host,
    port: d.port,
    calledAeTitle: d.calledAe,
    callingAeTitle: config.aeTitle,
    maxPduLength: config.maxPduLength,
    timers: {
      associationRequestMs: t.associationRequestS * 1000,
      inactivityMs: t.inactivityS * 1000,
      wholeAssociationMs: t.wholeAssociationS * 1000,
    },
    ...(d.tls
      ? {
          tls: {
            verifyPeer: d.tls.verifyPeer,
            ...(d.tls.caFile ? { caFile: d.tls.caFile } : {}),
            ...(d.tls.certFile ? { certFile: d.tls.certFile } : {}),
            ...(d.tls.keyFile ? { keyFile: d.tls.keyFile } : {}),
            ...(d.tls.serverName ? { serverName: d.tls.serverName } : {}),
          },
        }
      : {}),
  };
}
