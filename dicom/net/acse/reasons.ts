/**
 * The codes of association rejection (PS3.8 Table 9-21), abort (Table 9-26) and presentation
 * context results (Table 9-18) as tables with the standard's wording, so that an error
 * message can say "rejected (permanent) by service-user: called-AE-title-not-recognized".
 */

export const REJECT_RESULT_TEXT: Readonly<Record<number, string>> = {
  1: 'rejected-permanent',
  2: 'rejected-transient',
};

export const REJECT_SOURCE_TEXT: Readonly<Record<number, string>> = {
  1: 'DICOM UL service-user',
  2: 'DICOM UL service-provider (ACSE related function)',
  3: 'DICOM UL service-provider (Presentation related function)',
};

/** Reasons by source; numbers the standard reserves are absent and read as "reserved". */
export const REJECT_REASON_TEXT: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: {
    1: 'no-reason-given',
    2: 'application-context-name-not-supported',
    3: 'calling-AE-title-not-recognized',
    7: 'called-AE-title-not-recognized',
  },
  2: {
    1: 'no-reason-given',
    2: 'protocol-version-not-supported',
  },
  3: {
    1: 'temporary-congestion',
    2: 'local-limit-exceeded',
  },
};

export const REJECT_SOURCE = { SERVICE_USER: 1, PROVIDER_ACSE: 2, PROVIDER_PRESENTATION: 3 } as const;
export const REJECT_RESULT = { PERMANENT: 1, TRANSIENT: 2 } as const;
export const REJECT_REASON = {
  USER_NO_REASON: 1,
  APPLICATION_CONTEXT_NOT_SUPPORTED: 2,
  CALLING_AE_NOT_RECOGNIZED: 3,
  CALLED_AE_NOT_RECOGNIZED: 7,
  ACSE_NO_REASON: 1,
  PROTOCOL_VERSION_NOT_SUPPORTED: 2,
  TEMPORARY_CONGESTION: 1,
  LOCAL_LIMIT_EXCEEDED: 2,
} as const;

export function describeReject(rj: { result: number; source: number; reason: number }): string {
  const result = REJECT_RESULT_TEXT[rj.result] ?? `result ${rj.result} (reserved)`;
  const source = REJECT_SOURCE_TEXT[rj.source] ?? `source ${rj.source} (reserved)`;
  const reason = REJECT_REASON_TEXT[rj.source]?.[rj.reason] ?? `reason ${rj.reason} (reserved)`;
  return `${result} by ${source}: ${reason}`;
}

export const ABORT_SOURCE_TEXT: Readonly<Record<number, string>> = {
  0: 'DICOM UL service-user (initiated abort)',
  1: 'reserved',
  2: 'DICOM UL service-provider (initiated abort)',
};

export const ABORT_REASON_TEXT: Readonly<Record<number, string>> = {
  0: 'reason-not-specified',
  1: 'unrecognized-PDU',
  2: 'unexpected-PDU',
  3: 'reserved',
  4: 'unrecognized-PDU parameter',
  5: 'unexpected-PDU parameter',
  6: 'invalid-PDU-parameter value',
};

export function describeAbort(a: { source: number; reason: number }): string {
  const source = ABORT_SOURCE_TEXT[a.source] ?? `source ${a.source}`;
  // The reason is "not significant" unless the provider aborted (PS3.8 Table 9-26).
  if (a.source !== 2) return source;
  return `${source}: ${ABORT_REASON_TEXT[a.reason] ?? `reason ${a.reason}`}`;
}

export type ContextResultName =
  | 'acceptance'
  | 'user-rejection'
  | 'no-reason'
  | 'abstract-syntax-not-supported'
  | 'transfer-syntaxes-not-supported';

export const CONTEXT_RESULT_NAME: Readonly<Record<number, ContextResultName>> = {
  0: 'acceptance',
  1: 'user-rejection',
  2: 'no-reason',
  3: 'abstract-syntax-not-supported',
  4: 'transfer-syntaxes-not-supported',
};

export const CONTEXT_RESULT_TEXT: Readonly<Record<ContextResultName, string>> = {
  acceptance: 'acceptance',
  'user-rejection': 'user-rejection',
  'no-reason': 'no-reason (provider rejection)',
  'abstract-syntax-not-supported': 'abstract-syntax-not-supported (provider rejection)',
  'transfer-syntaxes-not-supported': 'transfer-syntaxes-not-supported (provider rejection)',
};
