/**
 * DIMSE status codes (PS3.7 Annex C, and the service-specific codes of PS3.4: C-STORE
 * B.2.3, C-FIND C.4.1.1.4, C-MOVE C.4.2.1.5, C-GET C.4.3.1.4, C-ECHO A.4/PS3.7 9.1.5.1.4) as
 * one table: code or mask → category and meaning. Masks use `x` for any hex digit, as the
 * standard writes them (A7xx, Cxxx). Then the C-STORE status → storage-queue action table of
 * conformance §2.
 */

export type StatusCategory = 'success' | 'warning' | 'failure' | 'cancel' | 'pending';

export type DimseService =
  | 'C-STORE' | 'C-FIND' | 'C-GET' | 'C-MOVE' | 'C-ECHO'
  | 'N-EVENT-REPORT' | 'N-GET' | 'N-SET' | 'N-ACTION' | 'N-CREATE' | 'N-DELETE';

export interface StatusEntry {
  /** Four hex digits, `x` for any digit: '0000', 'A7xx', 'Cxxx'. */
  readonly mask: string;
  readonly category: StatusCategory;
  readonly meaning: string;
  /** The services that define this meaning; absent = every service (PS3.7 Annex C). */
  readonly services?: readonly DimseService[];
}

const STORE = ['C-STORE'] as const;
const FIND = ['C-FIND'] as const;
const RETRIEVE = ['C-GET', 'C-MOVE'] as const;
const MOVE = ['C-MOVE'] as const;

export const STATUS_TABLE: readonly StatusEntry[] = [
  // PS3.7 C.1 … C.5: meanings common to all services.
  { mask: '0000', category: 'success', meaning: 'Success' },
  { mask: '0001', category: 'warning', meaning: 'Requested optional Attributes are not supported' },
  { mask: '0107', category: 'warning', meaning: 'Attribute list error' },
  { mask: '0116', category: 'warning', meaning: 'Attribute Value out of range' },
  { mask: 'FE00', category: 'cancel', meaning: 'Cancel' },
  { mask: 'FF00', category: 'pending', meaning: 'Pending' },
  { mask: '0105', category: 'failure', meaning: 'No such attribute' },
  { mask: '0106', category: 'failure', meaning: 'Invalid attribute value' },
  { mask: '0110', category: 'failure', meaning: 'Processing failure' },
  { mask: '0111', category: 'failure', meaning: 'Duplicate SOP Instance' },
  { mask: '0112', category: 'failure', meaning: 'No such SOP Instance' },
  { mask: '0113', category: 'failure', meaning: 'No such event type' },
  { mask: '0114', category: 'failure', meaning: 'No such argument' },
  { mask: '0115', category: 'failure', meaning: 'Invalid argument value' },
  { mask: '0117', category: 'failure', meaning: 'Invalid object instance' },
  { mask: '0118', category: 'failure', meaning: 'No such SOP Class' },
  { mask: '0119', category: 'failure', meaning: 'Class-instance conflict' },
  { mask: '0120', category: 'failure', meaning: 'Missing attribute' },
  { mask: '0121', category: 'failure', meaning: 'Missing attribute value' },
  { mask: '0122', category: 'failure', meaning: 'Refused: SOP Class not supported' },
  { mask: '0123', category: 'failure', meaning: 'No such action type' },
  { mask: '0124', category: 'failure', meaning: 'Refused: Not authorized' },
  { mask: '0210', category: 'failure', meaning: 'Duplicate invocation' },
  { mask: '0211', category: 'failure', meaning: 'Unrecognized operation' },
  { mask: '0212', category: 'failure', meaning: 'Mistyped argument' },
  { mask: '0213', category: 'failure', meaning: 'Resource limitation' },

  // C-STORE (PS3.4 Table B.2-1).
  { mask: 'A7xx', category: 'failure', meaning: 'Refused: Out of Resources', services: STORE },
  { mask: 'A9xx', category: 'failure', meaning: 'Error: Data Set does not match SOP Class', services: STORE },
  { mask: 'Cxxx', category: 'failure', meaning: 'Error: Cannot understand', services: STORE },
  { mask: 'B000', category: 'warning', meaning: 'Coercion of Data Elements', services: STORE },
  { mask: 'B007', category: 'warning', meaning: 'Data Set does not match SOP Class', services: STORE },
  { mask: 'B006', category: 'warning', meaning: 'Elements Discarded', services: STORE },

  // C-FIND (PS3.4 Table C.4-1).
  { mask: 'A700', category: 'failure', meaning: 'Refused: Out of Resources', services: FIND },
  { mask: 'A900', category: 'failure', meaning: 'Error: Identifier does not match SOP Class', services: FIND },
  { mask: 'Cxxx', category: 'failure', meaning: 'Failed: Unable to process', services: FIND },
  { mask: 'FE00', category: 'cancel', meaning: 'Matching terminated due to Cancel request', services: FIND },
  {
    mask: 'FF00',
    category: 'pending',
    meaning: 'Matches are continuing: current match supplied, optional keys supported like required keys',
    services: FIND,
  },
  {
    mask: 'FF01',
    category: 'pending',
    meaning: 'Matches are continuing: one or more Optional Keys were not supported for existence and/or matching',
    services: FIND,
  },

  // C-MOVE / C-GET (PS3.4 Tables C.4-2, C.4-3).
  { mask: 'A701', category: 'failure', meaning: 'Refused: Out of Resources – Unable to calculate number of matches', services: RETRIEVE },
  { mask: 'A702', category: 'failure', meaning: 'Refused: Out of Resources – Unable to perform sub-operations', services: RETRIEVE },
  { mask: 'A801', category: 'failure', meaning: 'Refused: Move Destination unknown', services: MOVE },
  { mask: 'A900', category: 'failure', meaning: 'Error: Identifier does not match SOP Class', services: RETRIEVE },
  { mask: 'Cxxx', category: 'failure', meaning: 'Failed: Unable to process', services: RETRIEVE },
  { mask: 'FE00', category: 'cancel', meaning: 'Sub-operations terminated due to Cancel indication', services: RETRIEVE },
  { mask: 'B000', category: 'warning', meaning: 'Sub-operations Complete – One or more Failures or Warnings', services: RETRIEVE },
  { mask: 'FF00', category: 'pending', meaning: 'Sub-operations are continuing', services: RETRIEVE },
];

export interface StatusInfo {
  readonly code: number;
  /** `0xA701` as the standard writes it: 'A701'. */
  readonly hex: string;
  readonly category: StatusCategory;
  readonly meaning: string;
  /** The table entry that matched; undefined when only the PS3.7 C ranges classified it. */
  readonly entry: StatusEntry | undefined;
}

export function statusHex(code: number): string {
  return (code & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

function matches(mask: string, hex: string): boolean {
  for (let i = 0; i < 4; i++) if (mask[i] !== 'x' && mask[i] !== hex[i]) return false;
  return true;
}

/** Exact codes beat masks; a service's own meaning beats the general one. */
function specificity(e: StatusEntry, service: DimseService | undefined): number {
  const wild = [...e.mask].filter((c) => c === 'x').length;
  const own = e.services !== undefined && service !== undefined && e.services.includes(service) ? 0 : 1;
  return wild * 2 + own;
}

/**
 * PS3.7 Annex C's ranges, for codes no table entry names: Warning 0001/Bxxx/0107/0116,
 * Failure Axxx/Cxxx/01xx/02xx, Cancel FE00, Pending FF00/FF01. Anything else is unknown and
 * read as a failure, the safe reading for a sender (nothing is deleted on an unknown status).
 */
function categoryByRange(hex: string): StatusCategory {
  if (hex === '0000') return 'success';
  if (hex === 'FE00') return 'cancel';
  if (hex === 'FF00' || hex === 'FF01') return 'pending';
  if (hex === '0001' || hex === '0107' || hex === '0116' || hex[0] === 'B') return 'warning';
  return 'failure';
}

export function statusInfo(code: number, service?: DimseService): StatusInfo {
  const hex = statusHex(code);
  let best: StatusEntry | undefined;
  let bestScore = Infinity;
  for (const e of STATUS_TABLE) {
    if (!matches(e.mask, hex)) continue;
    if (e.services !== undefined && service !== undefined && !e.services.includes(service)) continue;
    const score = specificity(e, service);
    if (score < bestScore) {
      best = e;
      bestScore = score;
    }
  }
  if (best !== undefined) return { code: code & 0xffff, hex, category: best.category, meaning: best.meaning, entry: best };
  const category = categoryByRange(hex);
  return { code: code & 0xffff, hex, category, meaning: `${category} (status ${hex} not in the table)`, entry: undefined };
}

export function statusCategory(code: number, service?: DimseService): StatusCategory {
  return statusInfo(code, service).category;
}

// ---------------------------------------------------------------------------------------------
// Conformance §2, C-STORE status policy.

export type StorageAction =
  /** Stored: go on with the next instance. */
  | 'next'
  /** Stored with a warning: record it, then go on. */
  | 'record-warning'
  /** Refused for lack of resources: release the association; the transfer unit is retried later. */
  | 'release-retry-later'
  /** This instance failed: record the failure and go on with the next on the same association. */
  | 'fail-instance-continue';

export interface StoragePolicyRule {
  /** A status mask, or a category that catches what no mask named. */
  readonly match: { readonly mask: string } | { readonly category: StatusCategory };
  readonly action: StorageAction;
  readonly why: string;
}

/** First matching rule wins; masks come before the category fallbacks. */
export const STORAGE_POLICY: readonly StoragePolicyRule[] = [
  { match: { mask: '0000' }, action: 'next', why: 'Success' },
  { match: { mask: 'B000' }, action: 'record-warning', why: 'stored with coercion of data elements' },
  { match: { mask: 'B006' }, action: 'record-warning', why: 'stored with elements discarded' },
  { match: { mask: 'B007' }, action: 'record-warning', why: 'stored although the data set does not match the SOP class' },
  { match: { mask: 'A7xx' }, action: 'release-retry-later', why: 'refused: out of resources' },
  { match: { category: 'warning' }, action: 'record-warning', why: 'other warning: stored' },
  { match: { category: 'failure' }, action: 'fail-instance-continue', why: 'failure (A9xx, Cxxx, 0122, 0124 …): this instance fails' },
  // Cancel and Pending are not C-STORE responses (PS3.4 B.2.3); nothing was confirmed stored.
  { match: { category: 'cancel' }, action: 'fail-instance-continue', why: 'cancel is not a C-STORE status' },
  { match: { category: 'pending' }, action: 'fail-instance-continue', why: 'pending is not a C-STORE status' },
];

export interface StorageDecision {
  readonly action: StorageAction;
  readonly status: StatusInfo;
  readonly why: string;
}

export function storageActionFor(code: number): StorageDecision {
  const status = statusInfo(code, 'C-STORE');
  for (const rule of STORAGE_POLICY) {
    const hit = 'mask' in rule.match ? matches(rule.match.mask, status.hex) : rule.match.category === status.category;
    if (hit) return { action: rule.action, status, why: rule.why };
  }
  // Unreachable: the category rules cover every category.
  return { action: 'fail-instance-continue', status, why: 'unclassified' };
}
