/**
 * `sonicart conformance` prints what the code does: the SCP section lists, for each SOP class,
 * exactly the transfer syntaxes the listener's negotiation accepts when offered every syntax
 * we know (one context each); the SCU section lists what the A-ASSOCIATE-RQ builders propose;
 * the timers and the AE defaults are the configured ones.
 */
import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAXES } from '../../../dicom/encoding/index.js';
import { main } from '../../../device/cli/main.js';
import { STORE_TIMERS } from '../../../device/net/config.js';
import { SCP_ACCEPTANCE } from '../../../device/net/scp/acceptance.js';
import { decideAssociation, DEFAULT_CALLING_AE_POLICY } from '../../../device/net/scp/policy.js';
import { mppsProposals } from '../../../device/net/scu/mpps.js';
import { associateRq } from '../../helpers/scripted-peer.js';

async function statement(): Promise<string[]> {
  const out: string[] = [];
  expect(await main(['conformance'], { out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
  return out;
}

/** The transfer syntax UIDs listed under the line naming `uid` in the section starting with `section`. */
function listed(lines: string[], section: string, uid: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(section));
  const at = lines.findIndex((l, i) => i > start && l.startsWith('  ') && !l.startsWith('      ') && l.includes(` ${uid}`));
  const out: string[] = [];
  for (let i = at + 1; lines[i]?.startsWith('      '); i++) out.push(lines[i]!.trim().split(' ').at(-1)!);
  return out;
}

describe('sonicart conformance', () => {
  it('SCP section: each class lists exactly what the listener accepts', async () => {
    const lines = await statement();
    for (const row of SCP_ACCEPTANCE) {
      const rq = associateRq('US_CART', TRANSFER_SYNTAXES.map((ts) => ({ abstractSyntax: row.uid, transferSyntaxes: [ts.uid] })), 'ANY');
      const d = decideAssociation(rq, { aeTitle: 'US_CART', callingAe: DEFAULT_CALLING_AE_POLICY, served: SCP_ACCEPTANCE, maxPduLength: 65536 }, '127.0.0.1', { active: 0, max: 8 });
      const accepted = d.kind === 'accept' ? d.accepted.map((c) => c.transferSyntax) : [];
      expect(new Set(listed(lines, '3. SOP classes as SCP', row.uid)), row.name).toEqual(new Set(accepted));
    }
  });

  it('SCU section: MPPS as proposed; AE and timers as configured', async () => {
    const lines = await statement();
    expect(listed(lines, '2. SOP classes as SCU', '1.2.840.10008.3.1.2.3.3')).toEqual(mppsProposals()[0]!.transferSyntaxes);
    expect(lines).toContain('  AE title: configurable, default US_CART (one AE for every service)');
    expect(lines.find((l) => l.startsWith('  store:'))).toBe(`  store: association request ${STORE_TIMERS.associationRequestMs / 1000} s, inactivity ${STORE_TIMERS.inactivityMs / 1000} s, whole association ${STORE_TIMERS.wholeAssociationMs / 60000} min, ARTIM ${STORE_TIMERS.artimMs / 1000} s`);
  });
});

describe('command lines of the SCP side', () => {
  const run = async (argv: string[]): Promise<{ code: number; err: string }> => {
    const err: string[] = [];
    const code = await main(argv, { out: () => undefined, err: (s) => err.push(s) });
    return { code, err: err.join('\n') };
  };
  it('usage errors exit 2 before anything listens', async () => {
    expect(await run(['conformance', 'extra'])).toMatchObject({ code: 2 });
    expect(await run(['hospital', '--cart', 'no-at-sign'])).toMatchObject({ code: 2, err: expect.stringMatching(/--cart must be AE@HOST:PORT/) });
    expect(await run(['hospital', '--ae', 'A\\B'])).toMatchObject({ code: 2 });
    expect(await run(['hospital', '--port', '70000'])).toMatchObject({ code: 2 });
    expect(await run(['hospital', '--commit-delay', 'soon'])).toMatchObject({ code: 2 });
  });
});
