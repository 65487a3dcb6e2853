/**
 * The cart's DICOM conformance statement (PS3.2 layout), generated from the very tables the
 * code negotiates and behaves with — the SCU proposals, the SCP acceptance table, the timers,
 * the C-STORE status policy, the character sets the codec knows, the media profiles — so the
 * statement cannot drift from what the cart does.
 */
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dicom/core/index.js';
import { SUPPORTED_TERMS } from '../../dicom/charset/index.js';
import { transferSyntax, transferSyntaxOrEncapsulated } from '../../dicom/encoding/index.js';
import { PROFILES } from '../../dicom/media/index.js';
import { acse, dimse } from '../../dicom/net/index.js';
import { DEFAULT_AE_TITLE, DEFAULT_MAX_PDU_LENGTH, FIND_TIMERS, STORE_TIMERS, type AssociationTimers } from './config.js';
import { SCP_ACCEPTANCE } from './scp/acceptance.js';
import { DEFAULT_MAX_ASSOCIATIONS } from './scp/listener.js';
import { DEFAULT_CALLING_AE_POLICY } from './scp/policy.js';
import { commitmentProposals } from './scu/commitment.js';
import { mppsProposals } from './scu/mpps.js';
import { CART_STORAGE_CLASSES, FIND_SYNTAXES, MWL_FIND_SOP_CLASS, STORAGE_SYNTAXES, VERIFICATION_SOP_CLASS, VERIFICATION_SYNTAXES } from './scu/services.js';
import { CONVERSION_TARGETS, storageProposals } from './scu/store.js';

export interface ScuRow {
  readonly name: string;
  readonly uid: string;
  /** Every transfer syntax the cart may propose for it, in first-proposed order. */
  readonly transferSyntaxes: readonly string[];
}

/** The SCU side, from the functions that build the A-ASSOCIATE-RQs. */
export function scuTable(): ScuRow[] {
  const union = (proposals: readonly acse.ContextProposal[]): string[] => [...new Set(proposals.flatMap((p) => p.transferSyntaxes))];
  return [
    { name: 'Verification', uid: VERIFICATION_SOP_CLASS, transferSyntaxes: VERIFICATION_SYNTAXES },
    ...CART_STORAGE_CLASSES.map((c) => ({
      name: c.name,
      uid: c.uid,
      // Whatever the files are stored in: what storageProposals() offers for each of our syntaxes.
      transferSyntaxes: union(storageProposals(STORAGE_SYNTAXES.map((ts) => ({ sopClassUid: c.uid, transferSyntax: transferSyntaxOrEncapsulated(ts) })), CONVERSION_TARGETS)),
    })),
    { name: 'Modality Worklist Information Model – FIND', uid: MWL_FIND_SOP_CLASS, transferSyntaxes: FIND_SYNTAXES },
    ...mppsProposals().map((p) => ({ name: 'Modality Performed Procedure Step', uid: p.abstractSyntax, transferSyntaxes: p.transferSyntaxes })),
    ...commitmentProposals().map((p) => ({ name: 'Storage Commitment Push Model', uid: p.abstractSyntax, transferSyntaxes: p.transferSyntaxes })),
  ];
}

const tsName = (uid: string): string => `${transferSyntax(uid)?.name ?? uid} ${uid}`;
const seconds = (ms: number): string => (ms % 60_000 === 0 && ms >= 600_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

function timerLines(label: string, t: AssociationTimers): string[] {
  return [
    `  ${label}: association request ${seconds(t.associationRequestMs)}, inactivity ${seconds(t.inactivityMs)}, whole association ${seconds(t.wholeAssociationMs)}, ARTIM ${seconds(t.artimMs)}`,
  ];
}

export function conformanceStatement(): string[] {
  const out: string[] = [];
  const h = (s: string): void => void out.push('', s, '-'.repeat(s.length));
  out.push('DICOM Conformance Statement — sonicart ultrasound cart', `Implementation Class UID ${IMPLEMENTATION_CLASS_UID}, Implementation Version Name ${IMPLEMENTATION_VERSION_NAME}`);

  h('1. Application Entity specification');
  out.push(
    `  AE title: configurable, default ${DEFAULT_AE_TITLE} (one AE for every service)`,
    `  Application context: ${acse.DICOM_APPLICATION_CONTEXT}`,
    `  Max PDU received: ${DEFAULT_MAX_PDU_LENGTH} bytes; max PDU sent: min(peer's maximum, ${acse.MAX_PDU_SEND_CAP} bytes)`,
    '  Asynchronous operations: not offered (max operations invoked/performed 1)',
    `  Listener: simultaneous associations ${DEFAULT_MAX_ASSOCIATIONS} (further requests: A-ASSOCIATE-RJ transient, local limit exceeded)`,
    `  Calling AE titles: ${DEFAULT_CALLING_AE_POLICY.unknown === 'accept-from-loopback' ? 'unknown ones accepted from loopback only, others when configured' : DEFAULT_CALLING_AE_POLICY.unknown}`,
  );

  h('2. SOP classes as SCU (transfer syntaxes proposed)');
  for (const r of scuTable()) {
    out.push(`  ${r.name} ${r.uid}`);
    for (const ts of r.transferSyntaxes) out.push(`      ${tsName(ts)}`);
  }

  h('3. SOP classes as SCP (transfer syntaxes accepted, requestor roles accepted)');
  for (const s of SCP_ACCEPTANCE) {
    const roles = [s.requestorRoles.scu ? 'requestor as SCU' : '', s.requestorRoles.scp ? 'requestor as SCP (role selection)' : ''].filter(Boolean).join(', ');
    out.push(`  ${s.name} ${s.uid} — ${roles}`);
    for (const ts of s.transferSyntaxes) out.push(`      ${tsName(ts)}`);
  }
  out.push('  Storage: data sets are kept exactly as received, in the transfer syntax of the presentation context; Success only once the file is whole on disk.');

  h('4. Timers');
  out.push(...timerLines('store', STORE_TIMERS), ...timerLines('find, echo, MPPS, commitment', FIND_TIMERS), '  On expiry: A-ABORT, the socket is closed, the timer is named in the error.');

  h('5. C-STORE status policy (SCU)');
  for (const r of dimse.STORAGE_POLICY) out.push(`  ${'mask' in r.match ? r.match.mask : `any other ${r.match.category}`}: ${r.action} — ${r.why}`);

  h('6. Character sets');
  out.push(`  Specific Character Set terms read and written: (default) ISO-IR 6, ${SUPPORTED_TERMS.join(', ')}`);

  h('7. Media storage application profiles (FSC/FSU/FSR)');
  for (const p of PROFILES) out.push(`  ${p.id}: ${p.description}; written as ${[...p.writeTransferSyntaxes].map((ts) => transferSyntax(ts)?.name ?? ts).join(', ')}`);
  return out;
}
