// dcmjs-dimse (an independent DIMSE implementation) as MPPS and Storage Commitment SCP, for the
// tests: records every N-CREATE / N-SET / N-ACTION it receives (command fields and the data set
// as dcmjs reads it) as JSON lines in RECORD, and answers a storage commitment request with an
// N-EVENT-REPORT (all committed) either on the same association (REPORT=same) or on a new
// association to the cart's listener (REPORT=new, CART_PORT, CART_AE), or not at all (REPORT=none).
// It also takes C-STORE of any storage class (recorded, not kept), so that it can be the one
// destination of a cart in the roles store, mpps and commitment.
// Usage: node dimse-scp.mjs PORT RECORD REPORT [CART_PORT CART_AE]
import { appendFileSync } from 'node:fs';
import dimse from 'dcmjs-dimse';

const { Server, Scp, Client, Dataset } = dimse;
const { NCreateResponse, NSetResponse, NActionResponse, CEchoResponse, CStoreResponse } = dimse.responses;
const { NEventReportRequest } = dimse.requests;
const { Status, PresentationContextResult, TransferSyntax } = dimse.constants;

const [port, record, reportMode, cartPort, cartAe] = process.argv.slice(2);
const SC = '1.2.840.10008.1.20.1';
const SC_INSTANCE = '1.2.840.10008.1.20.1.1';
const SERVED = new Set(['1.2.840.10008.1.1', '1.2.840.10008.3.1.2.3.3', SC]);

const log = (entry) => appendFileSync(record, JSON.stringify(entry) + '\n');

function reportFor(request) {
  const ds = request.getDataset().getElements();
  const refs = ds.ReferencedSOPSequence ?? [];
  return new Dataset({ TransactionUID: ds.TransactionUID, ReferencedSOPSequence: refs.map((r) => ({ ReferencedSOPClassUID: r.ReferencedSOPClassUID, ReferencedSOPInstanceUID: r.ReferencedSOPInstanceUID })) });
}

class RecordingScp extends Scp {
  associationRequested(association) {
    this.association = association;
    for (const c of association.getPresentationContexts()) {
      const context = association.getPresentationContext(c.id);
      const storage = context.getAbstractSyntaxUid().startsWith('1.2.840.10008.5.1.4.1.1.');
      if (!SERVED.has(context.getAbstractSyntaxUid()) && !storage) {
        context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
        continue;
      }
      const ts = context.getTransferSyntaxUids().find((t) => t === TransferSyntax.ExplicitVRLittleEndian || t === TransferSyntax.ImplicitVRLittleEndian);
      if (ts) context.setResult(PresentationContextResult.Accept, ts);
      else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    log({ type: 'A-ASSOCIATE', calling: association.getCallingAeTitle(), called: association.getCalledAeTitle() });
    this.sendAssociationAccept();
  }
  cEchoRequest(request, callback) {
    const r = CEchoResponse.fromRequest(request);
    r.setStatus(Status.Success);
    callback(r);
  }
  cStoreRequest(request, callback) {
    log({ type: 'C-STORE', sopClass: request.getAffectedSopClassUid(), sopInstance: request.getAffectedSopInstanceUid() });
    const r = CStoreResponse.fromRequest(request);
    r.setStatus(Status.Success);
    callback(r);
  }
  nCreateRequest(request, callback) {
    log({ type: 'N-CREATE', sopClass: request.getAffectedSopClassUid(), sopInstance: request.getAffectedSopInstanceUid(), dataset: request.getDataset().getElements() });
    const r = NCreateResponse.fromRequest(request);
    r.setStatus(Status.Success);
    callback(r);
  }
  nSetRequest(request, callback) {
    log({ type: 'N-SET', sopClass: request.getRequestedSopClassUid(), sopInstance: request.getRequestedSopInstanceUid(), dataset: request.getDataset().getElements() });
    const r = NSetResponse.fromRequest(request);
    r.setStatus(Status.Success);
    callback(r);
  }
  nActionRequest(request, callback) {
    log({ type: 'N-ACTION', sopClass: request.getRequestedSopClassUid(), sopInstance: request.getRequestedSopInstanceUid(), actionTypeId: request.getActionTypeId(), dataset: request.getDataset().getElements() });
    const r = NActionResponse.fromRequest(request);
    r.setStatus(Status.Success);
    callback(r);
    const report = new NEventReportRequest(SC, SC_INSTANCE, 1);
    report.setDataset(reportFor(request));
    report.on('response', (rsp) => log({ type: 'N-EVENT-REPORT-RSP', mode: reportMode, status: rsp.getStatus() }));
    if (reportMode === 'same') {
      setTimeout(() => this.sendRequests(report), 50);
    } else if (reportMode === 'new') {
      setTimeout(() => {
        const client = new Client();
        client.addRequest(report);
        client.on('networkError', (e) => log({ type: 'error', message: String(e) }));
        client.send('127.0.0.1', Number(cartPort), 'DIMSE_SCP', cartAe);
      }, 200);
    }
  }
  associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

const server = new Server(RecordingScp);
server.on('networkError', (e) => log({ type: 'error', message: String(e) }));
server.listen(Number(port));
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
