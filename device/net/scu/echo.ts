/**
 * C-ECHO SCU (PS3.7 §9.1.5, PS3.4 Annex A), and the service engineer's probe: which storage SOP
 * classes and transfer syntaxes the peer would accept ("echo works, sending does not").
 */
import type { acse, dimse } from '../../../dicom/net/index.js';
import type { Association } from '../association.js';
import { DimseStatusError, NoAcceptableContextError } from '../errors.js';
import { CART_STORAGE_CLASSES, STORAGE_SYNTAXES, VERIFICATION_SOP_CLASS, VERIFICATION_SYNTAXES } from './services.js';

export interface EchoResult {
  readonly status: dimse.StatusInfo;
  readonly ms: number;
}

/** Sends one C-ECHO-RQ; throws DimseStatusError unless the peer answers Success. */
export async function echo(assoc: Association): Promise<EchoResult> {
  const ctx = assoc.negotiated.byAbstractSyntax.get(VERIFICATION_SOP_CLASS)?.[0];
  if (!ctx) throw new NoAcceptableContextError(assoc.peer, 'C-ECHO', 'the peer did not accept the Verification SOP class');
  const t0 = performance.now();
  const step = 'C-ECHO';
  let last: dimse.StatusInfo | undefined;
  for await (const rsp of assoc.invoke({
    contextId: ctx.id,
    command: { type: 'C-ECHO-RQ', hasDataSet: false, affectedSopClassUid: VERIFICATION_SOP_CLASS },
    service: 'C-ECHO',
    step,
  })) {
    last = rsp.status;
  }
  if (!last || last.category !== 'success') {
    throw new DimseStatusError(assoc.peer, step, last ?? { code: 0xffff, hex: 'FFFF', category: 'failure', meaning: 'no response', entry: undefined });
  }
  return { status: last, ms: performance.now() - t0 };
}

/** Verification plus every cart storage class × transfer syntax, one context each. */
export function probeProposals(): acse.ContextProposal[] {
  const out: acse.ContextProposal[] = [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: VERIFICATION_SYNTAXES }];
  for (const c of CART_STORAGE_CLASSES) for (const ts of STORAGE_SYNTAXES) out.push({ abstractSyntax: c.uid, transferSyntaxes: [ts] });
  return out;
}

export interface StorageSupport {
  readonly sopClassUid: string;
  readonly name: string;
  /** Accepted transfer syntaxes, in our order of preference. */
  readonly accepted: readonly string[];
  /** Why the others were refused, e.g. 'abstract-syntax-not-supported'. */
  readonly refused: readonly { readonly transferSyntax: string; readonly reason: string }[];
}

/** Reads what the peer answered to probeProposals(). */
export function storageSupport(n: acse.Negotiated, rq: readonly acse.ContextProposal[] = probeProposals()): StorageSupport[] {
  return CART_STORAGE_CLASSES.map((c) => {
    const accepted = (n.byAbstractSyntax.get(c.uid) ?? []).map((a) => a.transferSyntax);
    const refused = n.rejected
      .filter((r) => r.abstractSyntax === c.uid)
      .map((r) => ({ transferSyntax: rq[(r.id - 1) / 2]?.transferSyntaxes[0] ?? '?', reason: r.reason }));
    return { sopClassUid: c.uid, name: c.name, accepted: STORAGE_SYNTAXES.filter((ts) => accepted.includes(ts)), refused };
  });
}
