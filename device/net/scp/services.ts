/**
 * The RequestHandler the listener serves with, composed from the SCP services by SOP class
 * (the acceptance table says which service each class belongs to), plus Verification.
 */
import type { IncomingRequest, RequestHandler, RequestResponse } from '../association.js';
import type { ServedService, ServedSopClass } from './acceptance.js';

export type ServiceHandler = (req: IncomingRequest, pending: (rsp: RequestResponse) => Promise<void>) => Promise<RequestResponse>;

/** PS3.4 A.4: the C-ECHO SCP always answers Success. */
export const verificationScp: ServiceHandler = async (req) => (req.command.type === 'C-ECHO-RQ' ? { status: 0x0000 } : { status: 0x0211 });

/** Dispatches on the service of the context's SOP class; a service we were given no handler for answers "unrecognized operation". */
export function composeHandler(served: readonly ServedSopClass[], services: Partial<Record<ServedService | string, ServiceHandler>>): RequestHandler {
  const byUid = new Map(served.map((s) => [s.uid, s.service as string]));
  return (req, pending) => {
    const service = byUid.get(req.context.abstractSyntax);
    const h = service === undefined ? undefined : services[service];
    if (!h) return Promise.resolve({ status: 0x0211 });
    return h(req, pending);
  };
}
