/** The real WorklistFinder: one association per refresh, released after the final response. */
import type { DataSet } from '../../dicom/dataset/index.js';
import type { Logger } from '../log/logger.js';
import { associationOptions, type PeerConfig } from '../net/peer-config.js';
import { withAssociation } from '../net/scu/session.js';
import { findWorklist, worklistProposals, type WorklistQuery } from '../net/scu/worklist.js';
import type { WorklistFinder } from './worklist-service.js';

export function networkWorklistFinder(log?: Logger, maxMatches = 2000): WorklistFinder {
  return async (peer: PeerConfig, query: WorklistQuery): Promise<DataSet[]> => {
    const options = await associationOptions(peer, worklistProposals(), log);
    return withAssociation(options, async (assoc) => {
      const out: DataSet[] = [];
      for await (const e of findWorklist(assoc, query, { maxMatches })) out.push(e);
      return out;
    });
  };
}
