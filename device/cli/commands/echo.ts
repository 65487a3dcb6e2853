/**
 * `sonicart echo`: C-ECHO, and what the peer would accept for storage — the classic field
 * failure is "echo works, sending does not", so the answer to both comes from one association.
 */
import { parseArgs } from 'node:util';
import { transferSyntax } from '../../../dicom/encoding/index.js';
import { Association } from '../../net/association.js';
import { FIND_TIMERS } from '../../net/config.js';
import { formatPeer } from '../../net/errors.js';
import { associationOptions, peerRef } from '../../net/peer-config.js';
import { echo, probeProposals, storageSupport } from '../../net/scu/echo.js';
import { UsageError } from '../errors.js';
import { PEER_OPTIONS, cliLogger, describeNetFailure, peerFromArgs, type CommandIo } from './net-common.js';

const tsName = (uid: string): string => transferSyntax(uid)?.name ?? uid;

export async function echoCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: PEER_OPTIONS, allowPositionals: true });
  if (positionals.length > 0) throw new UsageError('echo takes no files');
  const peer = peerFromArgs(values);
  const proposals = probeProposals();
  let step = 'A-ASSOCIATE';
  try {
    const assoc = await Association.open(await associationOptions({ timers: FIND_TIMERS, ...peer }, proposals, cliLogger()));
    try {
      step = 'C-ECHO';
      const result = await echo(assoc);
      const n = assoc.negotiated;
      io.out(`C-ECHO ${formatPeer(peerRef(peer))} (${assoc.transportDescription}): ${result.status.meaning} (${result.status.hex}), ${result.ms.toFixed(1)} ms`);
      io.out(
        `peer implementation ${n.peerImplementationClassUid ?? '?'}${n.peerImplementationVersionName ? ` ${n.peerImplementationVersionName}` : ''}, ` +
          `max PDU it receives ${n.peerMaxPduLength === 0 || n.peerMaxPduLength === undefined ? 'unlimited' : n.peerMaxPduLength}`,
      );
      io.out('storage the peer accepts:');
      for (const s of storageSupport(n, proposals)) {
        const refused = s.refused.map((r) => `${tsName(r.transferSyntax)} (${r.reason})`).join(', ');
        const accepted = s.accepted.length ? s.accepted.map(tsName).join(', ') : 'nothing';
        io.out(`  ${s.name} ${s.sopClassUid}: ${accepted}${refused ? `; refused: ${refused}` : ''}`);
      }
      step = 'A-RELEASE';
      await assoc.release();
    } catch (e) {
      assoc.abort();
      await assoc.closed;
      throw e;
    }
    return 0;
  } catch (e) {
    io.err(describeNetFailure(peer, step, e));
    return 1;
  }
}
