/**
 * MPPS SCP of the simulated hospital (PS3.4 F.7): N-CREATE records a step IN PROGRESS, N-SET
 * updates it until it is COMPLETED or DISCONTINUED, after which it refuses (0xC310, PS3.4
 * F.7.2.2.2). Each step's latest state is written as a readable dump, DIR/mpps/<uid>.txt.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidUid } from '../../dicom/core/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { tagForKeyword } from '../../dicom/dictionary/index.js';
import { dumpLines } from '../../dicom/dump/index.js';
import type { IncomingRequest, RequestResponse } from '../../device/net/association.js';
import { readSmallDataSet } from '../../device/net/dataset-bytes.js';

const STATUS = tagForKeyword('PerformedProcedureStepStatus')!;

export interface MppsRecord {
  readonly sopInstanceUid: string;
  status: string;
  /** Every message received for the step, in order. */
  readonly messages: { readonly type: 'N-CREATE' | 'N-SET'; readonly dataSet: DataSet }[];
}

export function mppsScp(dir: string, steps: Map<string, MppsRecord>): (req: IncomingRequest) => Promise<RequestResponse> {
  const save = (r: MppsRecord): Promise<void> =>
    writeFile(join(dir, `${r.sopInstanceUid}.txt`), r.messages.map((m) => [`# ${m.type}`, ...dumpLines(m.dataSet)].join('\n')).join('\n\n') + '\n');
  return async (req) => {
    const cmd = req.command;
    const ds = await readSmallDataSet(req);
    if (!ds) return { status: 0x0120, errorComment: 'no attributes' };
    if (cmd.type === 'N-CREATE-RQ') {
      const uid = cmd.affectedSopInstanceUid?.trim() ?? '';
      if (!isValidUid(uid)) return { status: 0x0117, errorComment: 'invalid SOP Instance UID' };
      if (steps.has(uid)) return { status: 0x0111 }; // duplicate SOP instance
      const status = ds.string(STATUS)?.trim() ?? '';
      if (status !== 'IN PROGRESS') return { status: 0x0106, errorComment: 'a new step must be IN PROGRESS' }; // invalid attribute value
      const r: MppsRecord = { sopInstanceUid: uid, status, messages: [{ type: 'N-CREATE', dataSet: ds }] };
      steps.set(uid, r);
      await save(r);
      return { status: 0x0000, affectedSopInstanceUid: uid };
    }
    if (cmd.type === 'N-SET-RQ') {
      const r = steps.get(cmd.requestedSopInstanceUid?.trim() ?? '');
      if (!r) return { status: 0x0112 }; // no such object instance
      if (r.status !== 'IN PROGRESS') return { status: 0xc310, errorComment: `step already ${r.status}` };
      const status = ds.string(STATUS)?.trim();
      if (status !== undefined) r.status = status;
      r.messages.push({ type: 'N-SET', dataSet: ds });
      await save(r);
      return { status: 0x0000 };
    }
    return { status: 0x0211 };
  };
}
