/**
 * The configured destinations as the service engineer sees them: the list, and an echo test per
 * destination — C-ECHO plus the storage classes and transfer syntaxes the peer accepts (the same
 * probe as `sonicart echo`). One association, released after the answer.
 */
import type { DestinationService, EchoResult } from '../device.js';
import { failureOf } from '../device-failure.js';
import type { Logger } from '../log/logger.js';
import { associationOptions } from '../net/peer-config.js';
import { echo, probeProposals, storageSupport } from '../net/scu/echo.js';
import { withAssociation } from '../net/scu/session.js';
import { peerConfigFor } from './peers.js';
import type { DeviceConfig } from './types.js';

export class ConfiguredDestinations implements DestinationService {
  constructor(
    private readonly config: DeviceConfig,
    private readonly log: Logger,
  ) {}

  list(): ReturnType<DestinationService['list']> {
    return this.config.destinations.map((d) => ({ name: d.name, host: d.host, port: d.port, calledAe: d.calledAe, roles: [...d.roles], tls: d.tls !== undefined }));
  }

  async echo(name: string): Promise<EchoResult> {
    const d = this.config.destinations.find((x) => x.name === name);
    if (!d) throw Object.assign(new Error(`no destination named ${JSON.stringify(name)}`), { code: 'DESTINATION_NOT_FOUND' });
    const t0 = performance.now();
    try {
      const proposals = probeProposals();
      const options = await associationOptions(peerConfigFor(this.config, d, 'find'), proposals, this.log);
      return await withAssociation(options, async (assoc) => {
        const r = await echo(assoc);
        const storage = storageSupport(assoc.negotiated, proposals)
          .filter((s) => s.accepted.length > 0)
          .map((s) => ({ sopClassUid: s.sopClassUid, name: s.name, transferSyntaxes: s.accepted }));
        return { destination: name, ok: true, ms: r.ms, storage };
      });
    } catch (e) {
      return { destination: name, ok: false, ms: performance.now() - t0, error: failureOf(e), storage: [] };
    }
  }
}
