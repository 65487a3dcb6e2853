/**
 * C-STORE SCP (PS3.4 Annex B) for the storage classes of the acceptance table: the data set
 * streams from the association into a ReceivedInstanceSink as it arrives, and the SCU hears
 * Success only after the sink has committed the whole instance. An association that ends
 * mid-transfer makes the sink discard the partial instance.
 */
import { isValidUid } from '../../../dicom/core/index.js';
import type { Logger } from '../../log/logger.js';
import type { IncomingRequest, RequestResponse } from '../association.js';
import { SinkOutOfResourcesError, type ReceivedInstanceSink } from './received-instance.js';

/** PS3.4 B.2.3 / PS3.7 C.4 statuses we answer with. */
export const STORE_STATUS = {
  SUCCESS: 0x0000,
  OUT_OF_RESOURCES: 0xa700,
  /** Data set does not match SOP class (here: the command's SOP class is not the context's). */
  SOP_CLASS_MISMATCH: 0xa900,
  INVALID_SOP_INSTANCE: 0x0117,
  PROCESSING_FAILURE: 0x0110,
} as const;

export interface StoredInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly callingAeTitle: string;
  readonly location: string;
  readonly bytes: number;
}

export function storageScp(sink: ReceivedInstanceSink, log: Logger, onStored?: (i: StoredInstance) => void): (req: IncomingRequest) => Promise<RequestResponse> {
  return async (req) => {
    const cmd = req.command;
    const sopClassUid = cmd.affectedSopClassUid ?? '';
    const sopInstanceUid = (cmd.affectedSopInstanceUid ?? '').trim();
    if (cmd.type !== 'C-STORE-RQ' || !req.data) return { status: 0x0211 };
    if (sopClassUid !== req.context.abstractSyntax) {
      return { status: STORE_STATUS.SOP_CLASS_MISMATCH, errorComment: 'SOP class differs from the presentation context' };
    }
    // The UID names the file: only digits and dots get that far.
    if (!isValidUid(sopInstanceUid)) return { status: STORE_STATUS.INVALID_SOP_INSTANCE, errorComment: 'invalid SOP Instance UID' };
    const info = {
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid: req.context.transferSyntax,
      callingAeTitle: req.callingAeTitle,
      calledAeTitle: req.calledAeTitle,
      remoteHost: req.peer.host,
    };
    let writer;
    try {
      writer = await sink.begin(info);
    } catch (e) {
      log.warn('cannot store', { error: (e as Error).message });
      return failure(e);
    }
    let bytes = 0;
    let writeError: unknown;
    try {
      for await (const chunk of req.data) {
        bytes += chunk.length;
        try {
          await writer.write(chunk);
        } catch (e) {
          writeError = e;
          break; // the rest of the data set is read and dropped by the router
        }
      }
    } catch (e) {
      await writer.discard();
      throw e; // the association ended mid-transfer: nobody to answer, nothing kept
    }
    if (writeError !== undefined) {
      await writer.discard();
      log.warn('cannot store', { error: (writeError as Error).message });
      return failure(writeError);
    }
    let location: string;
    try {
      location = await writer.commit();
    } catch (e) {
      log.warn('cannot store', { error: (e as Error).message });
      return failure(e);
    }
    log.info('instance received', { sopClassUid, bytes, transferSyntax: info.transferSyntaxUid });
    onStored?.({ ...info, location, bytes });
    return { status: STORE_STATUS.SUCCESS };
  };
}

function failure(e: unknown): RequestResponse {
  const comment = (e as Error).message.slice(0, 64);
  return { status: e instanceof SinkOutOfResourcesError ? STORE_STATUS.OUT_OF_RESOURCES : STORE_STATUS.PROCESSING_FAILURE, errorComment: comment };
}
