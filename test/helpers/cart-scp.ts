/**
 * The cart's listener with its SCP services, in the test process, on a free loopback port:
 * received instances go to a directory (DirectorySink), commitment reports to a list.
 */
import type { CommitmentReport } from '../../dicom/iod/index.js';
import { SCP_ACCEPTANCE } from '../../device/net/scp/acceptance.js';
import { commitmentReportScp, type CommitmentReportHandler, type ReportOrigin } from '../../device/net/scp/commitment-report.js';
import { DirectorySink } from '../../device/net/scp/directory-sink.js';
import { DicomListener, type ListenerOptions } from '../../device/net/scp/listener.js';
import { composeHandler, verificationScp } from '../../device/net/scp/services.js';
import { storageScp, type StoredInstance } from '../../device/net/scp/storage-scp.js';
import { nullLogger } from '../../device/log/logger.js';

export interface CartScp {
  readonly listener: DicomListener;
  readonly port: number;
  readonly stored: StoredInstance[];
  readonly reports: { report: CommitmentReport; from: ReportOrigin }[];
  close(): Promise<void>;
}

export async function startCartScp(dir: string, more: Partial<ListenerOptions> = {}, commitment?: CommitmentReportHandler): Promise<CartScp> {
  const stored: StoredInstance[] = [];
  const reports: { report: CommitmentReport; from: ReportOrigin }[] = [];
  const handler = composeHandler(SCP_ACCEPTANCE, {
    verification: verificationScp,
    storage: storageScp(new DirectorySink(dir), nullLogger, (i) => stored.push(i)),
    'storage-commitment-report': commitmentReportScp({ onReport: async (report, from) => {
        reports.push({ report, from });
        await commitment?.onReport(report, from);
      }, }),
  });
  const listener = await DicomListener.start({ aeTitle: 'US_CART', port: 0, host: '127.0.0.1', handler, ...more });
  return { listener, port: listener.port, stored, reports, close: () => listener.close(2000) };
}
