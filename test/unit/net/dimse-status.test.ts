import { describe, expect, it } from 'vitest';
import { STATUS_TABLE, statusCategory, statusInfo, storageActionFor } from '../../../dicom/net/dimse/index.js';

describe('DIMSE status table', () => {
  const cases: [number, string | undefined, string, RegExp][] = [
    [0x0000, 'C-STORE', 'success', /^Success$/],
    [0xb000, 'C-STORE', 'warning', /Coercion/],
    [0xb006, 'C-STORE', 'warning', /Elements Discarded/],
    [0xb007, 'C-STORE', 'warning', /does not match/],
    [0xa700, 'C-STORE', 'failure', /Out of Resources/],
    [0xa7ff, 'C-STORE', 'failure', /Out of Resources/],
    [0xa900, 'C-STORE', 'failure', /does not match SOP Class/],
    [0xa9c3, 'C-STORE', 'failure', /does not match SOP Class/],
    [0xc000, 'C-STORE', 'failure', /Cannot understand/],
    [0xcfff, 'C-STORE', 'failure', /Cannot understand/],
    [0x0122, 'C-STORE', 'failure', /SOP Class not supported/],
    [0x0124, 'C-STORE', 'failure', /Not authorized/],
    [0x0211, 'C-ECHO', 'failure', /Unrecognized operation/],
    [0x0212, 'C-ECHO', 'failure', /Mistyped argument/],
    [0x0210, 'C-ECHO', 'failure', /Duplicate invocation/],
    [0xff00, 'C-FIND', 'pending', /Matches are continuing/],
    [0xff01, 'C-FIND', 'pending', /Optional Keys were not supported/],
    [0xfe00, 'C-FIND', 'cancel', /Cancel request/],
    [0xa700, 'C-FIND', 'failure', /Out of Resources/],
    [0xa900, 'C-FIND', 'failure', /Identifier does not match/],
    [0xc123, 'C-FIND', 'failure', /Unable to process/],
    [0xa801, 'C-MOVE', 'failure', /Move Destination unknown/],
    [0xb000, 'C-MOVE', 'warning', /Sub-operations Complete/],
    [0xff00, undefined, 'pending', /^Pending$/],
    [0xfe00, undefined, 'cancel', /^Cancel$/],
    [0x0107, undefined, 'warning', /Attribute list error/],
    [0x0001, undefined, 'warning', /optional Attributes/],
  ];
  for (const [code, service, category, meaning] of cases) {
    it(`${code.toString(16).padStart(4, '0')} ${service ?? '(any)'} → ${category}`, () => {
      const s = statusInfo(code, service as never);
      expect(s.category).toBe(category);
      expect(s.meaning).toMatch(meaning);
    });
  }

  it('classifies codes outside the table by the PS3.7 Annex C ranges', () => {
    expect(statusInfo(0xb123, 'C-STORE')).toMatchObject({ category: 'warning', entry: undefined, hex: 'B123' });
    expect(statusCategory(0xa123, 'C-STORE')).toBe('failure');
    expect(statusCategory(0x0199)).toBe('failure');
    expect(statusCategory(0x0116)).toBe('warning');
    expect(statusCategory(0xa700, 'C-ECHO')).toBe('failure'); // not an echo code: by range
    expect(statusCategory(0x1234)).toBe('failure'); // unknown: the safe reading
  });

  it('every mask is four hex digits or x', () => {
    for (const e of STATUS_TABLE) expect(e.mask).toMatch(/^[0-9A-Fx]{4}$/);
  });
});

describe('C-STORE status → storage-queue action (conformance §2)', () => {
  const table: [number, string][] = [
    [0x0000, 'next'],
    [0xb000, 'record-warning'],
    [0xb006, 'record-warning'],
    [0xb007, 'record-warning'],
    [0xb123, 'record-warning'],
    [0x0001, 'record-warning'],
    [0xa700, 'release-retry-later'],
    [0xa701, 'release-retry-later'],
    [0xa7ff, 'release-retry-later'],
    [0xa900, 'fail-instance-continue'],
    [0xc000, 'fail-instance-continue'],
    [0xc211, 'fail-instance-continue'],
    [0x0122, 'fail-instance-continue'],
    [0x0124, 'fail-instance-continue'],
    [0x0110, 'fail-instance-continue'],
    [0x0213, 'fail-instance-continue'],
    [0xfe00, 'fail-instance-continue'],
    [0xff00, 'fail-instance-continue'],
    [0x1234, 'fail-instance-continue'],
  ];
  for (const [code, action] of table) {
    it(`${code.toString(16).padStart(4, '0')} → ${action}`, () => {
      expect(storageActionFor(code).action).toBe(action);
    });
  }
  it('carries the status and the reason', () => {
    expect(storageActionFor(0xa702)).toMatchObject({ status: { hex: 'A702', category: 'failure' }, why: 'refused: out of resources' });
  });
});
