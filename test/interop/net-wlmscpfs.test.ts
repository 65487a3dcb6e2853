/**
 * Modality Worklist C-FIND against DCMTK's wlmscpfs: entries in all six character sets of
 * conformance §6 (written by Python's codecs and dump2dcm, not by us) come back decoded to the
 * exact Unicode; the matching keys filter; TSV and DICOM JSON print as the issue says; an
 * unknown called AE is rejected with the reason.
 */
import { cli } from '../helpers/cli-capture.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../device/cli/main.js';
import { Association } from '../../device/net/association.js';
import { findWorklist, MWL, worklistProposals, type WorklistQuery } from '../../device/net/scu/worklist.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { scratchDir } from '../helpers/run-tool.js';
import { CHARSET_ENTRIES, writeWorklistFiles } from '../helpers/worklist-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-wlm-'));
  const ae = join(dir, 'WLMSCP');
  await mkdir(ae);
  await writeFile(join(ae, 'lockfile'), '');
  await writeWorklistFiles(ae);
  const port = await freePort();
  scp = await startPeer('wlmscpfs', ['-csk', '-dfp', dir, String(port)], port);
});

afterAll(async () => {
  await scp?.stop();
  await cleanup();
});

async function query(q: WorklistQuery, calledAe = 'WLMSCP') {
  const a = await Association.open({
    peer: { aeTitle: calledAe, host: '127.0.0.1', port: scp.port },
    callingAeTitle: 'US_CART',
    proposals: worklistProposals(),
  });
  const out = [];
  for await (const e of findWorklist(a, q)) out.push(e);
  await a.release();
  return out;
}

const target = () => ['--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'WLMSCP'];

describe('wlmscpfs worklist', () => {
  it('decodes every character set of conformance §6 to the exact Unicode', async () => {
    const entries = await query({ modality: 'US' });
    const byId = new Map(entries.map((e) => [e.string(MWL.PatientID), e]));
    expect([...byId.keys()].sort()).toEqual(CHARSET_ENTRIES.map((e) => e.patientId).sort());
    for (const want of CHARSET_ENTRIES) {
      const got = byId.get(want.patientId)!;
      expect(got.strings(MWL.SpecificCharacterSet)?.join('\\') ?? '', want.patientId).toBe(want.charset);
      expect(got.string(MWL.PatientName), want.patientId).toBe(want.patientName);
      expect(got.string(MWL.RequestedProcedureDescription), want.patientId).toBe(want.description);
      const sps = got.items(MWL.ScheduledProcedureStepSequence)![0]!;
      expect(sps.string(MWL.ScheduledProcedureStepDescription), want.patientId).toBe(want.description);
      expect(sps.string(MWL.ScheduledStationAETitle)).toBe('US_CART');
    }
  });

  it('matches on patient ID, accession, date, station and patient name wildcards', async () => {
    expect((await query({ patientId: 'CS-LATIN1' })).map((e) => e.string(MWL.PatientName))).toEqual(['Buc^Jérôme']);
    expect((await query({ accessionNumber: 'ACC0003' })).map((e) => e.string(MWL.PatientID))).toEqual(['CS-IR13']);
    expect(await query({ date: '20240315', stationAeTitle: 'US_CART', modality: 'US' })).toHaveLength(6);
    expect(await query({ date: '20240316' })).toHaveLength(0);
    expect(await query({ date: '20240301-20240331' })).toHaveLength(6);
    expect((await query({ patientName: 'Do*' })).map((e) => e.string(MWL.PatientID))).toEqual(['CS-ASCII']);
  });

  it('stopping early sends C-CANCEL and the association still releases', async () => {
    const a = await Association.open({ peer: { aeTitle: 'WLMSCP', host: '127.0.0.1', port: scp.port }, callingAeTitle: 'US_CART', proposals: worklistProposals() });
    let n = 0;
    for await (const _ of findWorklist(a, {})) if (++n === 2) break;
    await a.release();
    expect(n).toBe(2);
  });

  it('sonicart worklist --format tsv: one line per entry, PatientName last with all its groups', async () => {
    const c = cli();
    expect(await main(['worklist', ...target(), '--modality', 'US', '--date', '20240315', '--station-ae', 'US_CART'], c.io), c.err.join('\n')).toBe(0);
    expect(c.out).toHaveLength(6);
    const ir87 = c.out.find((l) => l.startsWith('CS-IR87\t'))!;
    expect(ir87.split('\t')).toEqual(['CS-IR87', 'ACC0002', '20240315', '013000', 'US', 'US_CART', '腹部エコー', '1.2.826.0.1.3680043.2.1125.7.2', 'Yamada^Tarou=山田^太郎=やまだ^たろう']);
    expect(c.out.find((l) => l.startsWith('CS-IR13\t'))!.split('\t').at(-1)).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
  });

  it('sonicart worklist --format json: DICOM JSON (PS3.18 F) with person name groups', async () => {
    const c = cli();
    expect(await main(['worklist', ...target(), '--patient-id', 'CS-GB18030', '--format', 'json'], c.io), c.err.join('\n')).toBe(0);
    const json = JSON.parse(c.out.join('\n')) as Record<string, { vr: string; Value?: unknown[] }>[];
    expect(json).toHaveLength(1);
    expect(json[0]!['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东𠀋' }] });
    expect(json[0]!['00080005']).toEqual({ vr: 'CS', Value: ['GB18030'] });
    const sps = json[0]!['00400100']!.Value![0] as Record<string, { vr: string; Value?: unknown[] }>;
    expect(sps['00400002']).toEqual({ vr: 'DA', Value: ['20240315'] });
  });

  it('an unknown called AE title is rejected: exit 1, one line with peer, step and reason', async () => {
    const c = cli();
    const code = await main(['worklist', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'NOBODY'], c.io);
    expect(code).toBe(1);
    expect(c.err).toEqual([`peer NOBODY@127.0.0.1:${scp.port}, step A-ASSOCIATE, reason association rejected-permanent by DICOM UL service-user: called-AE-title-not-recognized`]);
  });
});
