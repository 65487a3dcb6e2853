/**
 * Our PDU encoders checked by a third-party decoder: Wireshark's DICOM dissector (tshark,
 * Debian package `tshark`). Each scenario is a whole association written as a TCP stream
 * into a pcap (a tiny writer below: Ethernet/IPv4/TCP with a handshake and real sequence
 * numbers, PDUs cut into 1460-byte segments so tshark must reassemble them), decoded with
 * `tshark -d tcp.port==104,dicom -T json -e …`, and the dissector's fields compared with what
 * we meant to send.
 */
import { concatBytes } from '../../dicom/core/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAssociateRq, negotiateAsAcceptor, negotiateAsRequestor } from '../../dicom/net/acse/index.js';
import { PdvFragmenter, fragmentMessage } from '../../dicom/net/dimse/index.js';
import { decodePdu, encodePdu, type AssociateRqPdu, type Pdu } from '../../dicom/net/pdu/index.js';
import { step, type UlState } from '../../dicom/net/ul/index.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { fixture, malformedFixtures } from '../unit/net/pdu-fixtures.js';

// ---------------------------------------------------------------------------------------------
// pcap writing

interface Message {
  readonly fromClient: boolean;
  readonly bytes: Uint8Array;
}

const CLIENT_PORT = 50000;
const SERVER_PORT = 104;
const MSS = 1460;

function pcapOf(messages: readonly Message[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const global = new DataView(new ArrayBuffer(24));
  global.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond timestamps
  global.setUint16(4, 2, true);
  global.setUint16(6, 4, true);
  global.setUint32(16, 262144, true); // snaplen
  global.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  parts.push(new Uint8Array(global.buffer));
  const seq = { client: 1000, server: 5000 };
  let frame = 0;
  const packet = (fromClient: boolean, flags: number, payload: Uint8Array) => {
    const p = new Uint8Array(14 + 20 + 20 + payload.length);
    const v = new DataView(p.buffer);
    p.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
    v.setUint16(12, 0x0800);
    p[14] = 0x45;
    v.setUint16(16, 40 + payload.length);
    v.setUint16(18, frame + 1);
    p[22] = 64;
    p[23] = 6;
    p.set(fromClient ? [127, 0, 0, 1, 127, 0, 0, 2] : [127, 0, 0, 2, 127, 0, 0, 1], 26);
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += v.getUint16(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    v.setUint16(24, ~sum & 0xffff);
    v.setUint16(34, fromClient ? CLIENT_PORT : SERVER_PORT);
    v.setUint16(36, fromClient ? SERVER_PORT : CLIENT_PORT);
    v.setUint32(38, fromClient ? seq.client : seq.server);
    v.setUint32(42, flags & 0x10 ? (fromClient ? seq.server : seq.client) : 0);
    p[46] = 0x50;
    p[47] = flags;
    v.setUint16(48, 65535);
    p.set(payload, 54);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, 1_700_000_000, true);
    rec.setUint32(4, frame++ * 1000, true);
    rec.setUint32(8, p.length, true);
    rec.setUint32(12, p.length, true);
    parts.push(new Uint8Array(rec.buffer), p);
    const advance = payload.length + (flags & 0x02 ? 1 : 0);
    if (fromClient) seq.client += advance;
    else seq.server += advance;
  };
  packet(true, 0x02, new Uint8Array(0)); // SYN
  packet(false, 0x12, new Uint8Array(0)); // SYN+ACK
  packet(true, 0x10, new Uint8Array(0)); // ACK
  for (const m of messages) {
    for (let o = 0; o < m.bytes.length; o += MSS) packet(m.fromClient, 0x18, m.bytes.subarray(o, o + MSS));
  }
  return concatBytes(parts);
}

// ---------------------------------------------------------------------------------------------
// tshark

const FIELDS = [
  'dicom.pdu.type', 'dicom.pdu.len', 'dicom.assoc.version', 'dicom.assoc.ae.called', 'dicom.assoc.ae.calling',
  'dicom.assoc.reject.result', 'dicom.assoc.reject.source', 'dicom.assoc.reject.reason',
  'dicom.assoc.abort.source', 'dicom.assoc.abort.reason',
  'dicom.assoc.item.type', 'dicom.assoc.item.len',
  'dicom.actx', 'dicom.pctx.id', 'dicom.pctx.result', 'dicom.pctx.abss.syntax', 'dicom.pctx.xfer.syntax',
  'dicom.max_pdu_len', 'dicom.userinfo.uid', 'dicom.userinfo.version',
  'dicom.userinfo.asyncneg.maxnumopsinv', 'dicom.userinfo.asyncneg.maxnumopsper',
  'dicom.userinfo.rolesel.sopclassuid', 'dicom.userinfo.rolesel.scurole', 'dicom.userinfo.rolesel.scprole',
  'dicom.userinfo.extneg.sopclassuid', 'dicom.userinfo.data',
  'dicom.userinfo.user_identify.type', 'dicom.userinfo.user_identify.response_requested',
  'dicom.userinfo.user_identify.primary_field', 'dicom.userinfo.user_identify.secondary_field',
  'dicom.pdv.len', 'dicom.pdv.ctx', 'dicom.pdv.flags', 'dicom.pdv.reassembled.length',
  'dicom.tag', 'dicom.tag.value.str', 'dicom.tag.value.16u',
  '_ws.malformed', '_ws.expert.message', '_ws.expert.severity',
] as const;

/** Wireshark's PI_ERROR severity: malformed packets and protocol violations. */
const PI_ERROR = 0x00800000;

type Decoded = Record<string, string[]>;

let tsharkAvailable = false;
const NO_TSHARK = 'tshark not found: install the Debian package "tshark" (scripts/install-test-tools.sh)';
let dir = '';
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  try {
    const v = await runTool('tshark', ['--version'], { timeoutMs: 20_000 });
    tsharkAvailable = v.code === 0;
  } catch {
    tsharkAvailable = false;
  }
  ({ dir, cleanup } = await scratchDir('sonicart-tshark-'));
});
afterAll(() => cleanup());

let counter = 0;
/** All values of each field across the capture, in packet order. */
async function dissect(messages: readonly Message[]): Promise<Decoded> {
  const file = join(dir, `s${counter++}.pcap`);
  await writeFile(file, pcapOf(messages));
  const args = ['-r', file, '-d', `tcp.port==${SERVER_PORT},dicom`, '-o', 'dicom.tag_tree:TRUE', '-T', 'json', ...FIELDS.flatMap((f) => ['-e', f])];
  const r = await runTool('tshark', args, { timeoutMs: 60_000, env: { ...process.env, HOME: dir } });
  expect(r.code, r.stderr).toBe(0);
  const packets = JSON.parse(r.stdout) as { _source: { layers: Record<string, string[]> } }[];
  const out: Decoded = {};
  for (const p of packets) {
    for (const [k, vs] of Object.entries(p._source.layers)) (out[k] ??= []).push(...vs);
  }
  return out;
}

const num = (vs: string[] | undefined) => (vs ?? []).map((v) => Number(v));
const trimmed = (vs: string[] | undefined) => (vs ?? []).map((v) => v.trimEnd());
/** tshark prints known UIDs as "Name (1.2.3)" or "1.2.3 (Name)": keep the UID. */
const uids = (vs: string[] | undefined) => (vs ?? []).map((v) => /\b\d+(?:\.\d+)+\b/.exec(v)?.[0] ?? v);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** No malformed packet, and no complaint from the DICOM dissector about our bytes. */
function expectClean(d: Decoded): void {
  expect(d['_ws.malformed'] ?? []).toEqual([]);
  expect(num(d['_ws.expert.severity']).filter((s) => s >= PI_ERROR)).toEqual([]);
  const complaints = (d['_ws.expert.message'] ?? []).filter((m) => /invalid|malformed|no .* provided|only one|more than one|early termination|missing/i.test(m));
  expect(complaints).toEqual([]);
}

const client = (pdu: Pdu | Uint8Array): Message => ({ fromClient: true, bytes: pdu instanceof Uint8Array ? pdu : encodePdu(pdu) });
const server = (pdu: Pdu | Uint8Array): Message => ({ fromClient: false, bytes: pdu instanceof Uint8Array ? pdu : encodePdu(pdu) });

// ---------------------------------------------------------------------------------------------
// What we send

const VERIFICATION = '1.2.840.10008.1.1';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const US_MF = '1.2.840.10008.5.1.4.1.1.3.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const FIVE = [IMPLICIT, EXPLICIT, EXPLICIT_BE, '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70'];
const OUR_UID = '2.25.305828884167829103906924565466735052813';

const rq: AssociateRqPdu = buildAssociateRq({
  callingAeTitle: 'US_CART',
  calledAeTitle: 'STORESCP',
  maxPduLength: 65536,
  implementationClassUid: OUR_UID,
  implementationVersionName: 'SONICART_010',
  proposals: [
    { abstractSyntax: VERIFICATION, transferSyntaxes: FIVE.slice(0, 3) },
    { abstractSyntax: US_IMAGE, transferSyntaxes: FIVE },
    { abstractSyntax: US_MF, transferSyntaxes: FIVE },
    { abstractSyntax: SC, transferSyntaxes: FIVE },
  ],
  extraUserInformation: [
    { type: 'asynchronous-operations-window', maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
    { type: 'role-selection', sopClassUid: US_IMAGE, scuRole: 1, scpRole: 0 },
    {
      type: 'user-identity-rq',
      identityType: 2,
      positiveResponseRequested: true,
      primaryField: Uint8Array.from('sono1', (c) => c.charCodeAt(0)),
      secondaryField: Uint8Array.from('secret', (c) => c.charCodeAt(0)),
    },
  ],
});

const decision = negotiateAsAcceptor(rq, {
  aeTitle: 'STORESCP',
  supported: new Map([
    [VERIFICATION, [IMPLICIT]],
    [US_IMAGE, [EXPLICIT]],
    [US_MF, ['1.2.840.10008.1.2.4.70']],
  ]),
  userRejected: new Set([US_MF]),
  maxPduLength: 16384,
  implementationClassUid: '1.2.3.4.5',
  implementationVersionName: 'FAKE_PEER',
  userIdentityServerResponse: Uint8Array.of(0x6f, 0x6b),
});
if (decision.kind !== 'accept') throw new Error('fake peer rejected');
const ac = decision.pdu;
const negotiated = negotiateAsRequestor(rq, ac);

/** An implicit VR LE element, for hand-built command sets and data sets (test data only). */
function el(group: number, element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  v.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}
const us = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
const ui = (s: string) => Uint8Array.from(s.length % 2 ? s + '\0' : s, (c) => c.charCodeAt(0));
const cat = (...a: Uint8Array[]) => concatBytes(a);
function commandSet(...elements: Uint8Array[]): Uint8Array {
  const body = cat(...elements);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, body.length, true);
  return cat(el(0, 0, len), body);
}

const echoCommand = commandSet(el(0, 0x0002, ui(VERIFICATION)), el(0, 0x0100, us(0x0030)), el(0, 0x0110, us(1)), el(0, 0x0800, us(0x0101)));
const storeCommand = commandSet(
  el(0, 0x0002, ui(US_IMAGE)),
  el(0, 0x0100, us(0x0001)),
  el(0, 0x0110, us(2)),
  el(0, 0x0700, us(0)),
  el(0, 0x0800, us(0x0000)),
  el(0, 0x1000, ui('1.2.3.4')),
);
// Explicit VR LE data set (the context for US Image was accepted with Explicit VR LE).
function explicitOB(group: number, element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  out[4] = 0x4f; // O
  out[5] = 0x42; // B
  v.setUint32(8, value.length, true);
  out.set(value, 12);
  return out;
}
const dataSet = cat(
  Uint8Array.of(0x08, 0x00, 0x16, 0x00, 0x55, 0x49, US_IMAGE.length + 1, 0), ui(US_IMAGE),
  explicitOB(0x7fe0, 0x0010, new Uint8Array(40_000)),
);

// ---------------------------------------------------------------------------------------------

describe('tshark decodes what we encode', () => {
  it('A-ASSOCIATE-RQ / -AC: AE titles, contexts, max PDU, implementation, roles, user identity', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    const rqBytes = encodePdu(rq);
    const acBytes = encodePdu(ac);
    const d = await dissect([client(rqBytes), server(acBytes)]);
    expectClean(d);
    expect(num(d['dicom.pdu.type'])).toEqual([1, 2]);
    expect(num(d['dicom.pdu.len'])).toEqual([rqBytes.length - 6, acBytes.length - 6]);
    expect(num(d['dicom.assoc.version'])).toEqual([1, 1]);
    expect(d['dicom.assoc.ae.called']).toEqual(['STORESCP        ', 'STORESCP        ']);
    expect(d['dicom.assoc.ae.calling']).toEqual(['US_CART         ', 'US_CART         ']);
    expect(uids(d['dicom.actx'])).toEqual(['1.2.840.10008.3.1.1.1', '1.2.840.10008.3.1.1.1']);
    // RQ contexts 1,3,5,7 then AC contexts 1,3,5,7
    expect(num(d['dicom.pctx.id'])).toEqual([1, 3, 5, 7, 1, 3, 5, 7]);
    expect(uids(d['dicom.pctx.abss.syntax'])).toEqual([VERIFICATION, US_IMAGE, US_MF, SC]);
    expect(uids(d['dicom.pctx.xfer.syntax'])).toEqual([
      ...FIVE.slice(0, 3), ...FIVE, ...FIVE, ...FIVE, // proposed
      IMPLICIT, EXPLICIT, IMPLICIT, IMPLICIT, // AC: accepted ones, then the requestor's first for rejections
    ]);
    expect(num(d['dicom.pctx.result'])).toEqual([0, 0, 1, 3]);
    expect(num(d['dicom.max_pdu_len'])).toEqual([65536, 16384]);
    expect(d['dicom.userinfo.uid']).toEqual([OUR_UID, '1.2.3.4.5']);
    expect(d['dicom.userinfo.version']).toEqual(['SONICART_010', 'FAKE_PEER']);
    expect(num(d['dicom.userinfo.asyncneg.maxnumopsinv'])).toEqual([1]);
    expect(num(d['dicom.userinfo.asyncneg.maxnumopsper'])).toEqual([1]);
    expect(uids(d['dicom.userinfo.rolesel.sopclassuid'])).toEqual([US_IMAGE, US_IMAGE]);
    expect(num(d['dicom.userinfo.rolesel.scurole'])).toEqual([1, 1]);
    expect(num(d['dicom.userinfo.rolesel.scprole'])).toEqual([0, 0]);
    expect(num(d['dicom.userinfo.user_identify.type'])).toEqual([2]);
    // tshark 4.0 shows the AC's User Identity (0x59) as raw data: server-response-length 2, "ok"
    expect(d['dicom.userinfo.data']).toEqual(['00026f6b']);
    expect(num(d['dicom.userinfo.user_identify.response_requested'])).toEqual([1]);
    expect(d['dicom.userinfo.user_identify.primary_field']).toEqual(['sono1']);
    expect(d['dicom.userinfo.user_identify.secondary_field']).toEqual(['secret']);
    // item types in wire order: RQ then AC
    const items = num(d['dicom.assoc.item.type']);
    expect(items.filter((t) => t >= 0x50)).toEqual([0x50, 0x51, 0x52, 0x55, 0x53, 0x54, 0x58, 0x50, 0x51, 0x52, 0x54, 0x55, 0x59]);
  });

  it('P-DATA-TF: C-ECHO and a fragmented C-STORE at the negotiated max PDU, then release', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    expect(negotiated.maxPduToSend).toBe(16384);
    const echo = fragmentMessage(1, echoCommand, undefined, negotiated.maxPduToSend);
    const f = new PdvFragmenter(3, negotiated.maxPduToSend);
    const store = [...f.command(storeCommand)];
    for (let o = 0; o < dataSet.length; o += 5000) store.push(...f.data(dataSet.subarray(o, o + 5000)));
    store.push(...f.endData());
    const pdata = [...echo, ...store];
    const d = await dissect([
      client(rq),
      server(ac),
      ...pdata.map((p) => client(p)),
      client({ type: 'A-RELEASE-RQ' }),
      server({ type: 'A-RELEASE-RP' }),
    ]);
    expectClean(d);
    const dataPdus = pdata.length;
    expect(num(d['dicom.pdu.type'])).toEqual([1, 2, ...Array(dataPdus).fill(4), 5, 6]);
    expect(num(d['dicom.pdu.len']).slice(2, 2 + dataPdus)).toEqual(pdata.map((p) => encodePdu(p).length - 6));
    for (const len of num(d['dicom.pdu.len'])) expect(len).toBeLessThanOrEqual(16384);
    expect(num(d['dicom.pdv.len'])).toEqual(pdata.map((p) => p.pdvs[0]!.data.length + 2));
    expect(num(d['dicom.pdv.ctx'])).toEqual(pdata.map((p) => p.pdvs[0]!.contextId));
    expect(num(d['dicom.pdv.flags'])).toEqual(pdata.map((p) => (p.pdvs[0]!.command ? 1 : 0) | (p.pdvs[0]!.last ? 2 : 0)));
    // The data set arrived whole in tshark's own reassembly.
    expect(num(d['dicom.pdv.reassembled.length'])).toContain(dataSet.length);
    // The command sets decoded as DICOM from the reassembled PDVs: tags and values of both.
    expect(num(d['dicom.tag']).slice(0, 11)).toEqual([0x0, 0x2, 0x100, 0x110, 0x800, 0x0, 0x2, 0x100, 0x110, 0x700, 0x800]);
    expect(uids(d['dicom.tag.value.str'])).toEqual(expect.arrayContaining([VERIFICATION, US_IMAGE, '1.2.3.4']));
    expect(num(d['dicom.tag.value.16u']).slice(0, 3)).toEqual([0x0030, 1, 0x0101]);
    expect(num(d['dicom.tag'])).toContain(0x7fe00010);
  });

  it('A-ASSOCIATE-RJ from the acceptor negotiator, after an RQ with extended negotiation', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    const ext = decodePdu(fixture('a-associate-rq-extended')) as AssociateRqPdu;
    const rj = negotiateAsAcceptor(ext, { aeTitle: 'OTHER', supported: new Map(), maxPduLength: 16384, implementationClassUid: '1.2.3' }).pdu;
    const extBytes = encodePdu(ext);
    const d = await dissect([client(extBytes), server(rj)]);
    expectClean(d);
    expect(num(d['dicom.pdu.type'])).toEqual([1, 3]);
    expect(num(d['dicom.pdu.len'])).toEqual([extBytes.length - 6, 4]);
    expect(trimmed(d['dicom.assoc.ae.called'])).toEqual(['WORKLIST']);
    expect(num(d['dicom.assoc.reject.result'])).toEqual([1]);
    expect(num(d['dicom.assoc.reject.source'])).toEqual([1]);
    expect(num(d['dicom.assoc.reject.reason'])).toEqual([7]);
    expect(uids(d['dicom.userinfo.extneg.sopclassuid'])).toEqual(['1.2.840.10008.5.1.4.31']);
    expect(num(d['dicom.max_pdu_len'])).toEqual([32768]);
    // tshark 4.0 has no decoder for 0x57 and our unknown 0x7a: it shows their bytes, which must be ours.
    const common = ext.userInformation!.find((s) => s.type === 'sop-class-common-extended-negotiation')!;
    expect(common).toBeDefined();
    const data = d['dicom.userinfo.data'] ?? [];
    expect(data.map((x) => x.replace(/:/g, ''))).toContain('deadbeef');
    expect(data.map((x) => x.replace(/:/g, '')).some((x) => x.startsWith(hex(Uint8Array.of(0, US_MF.length))))).toBe(true);
  });

  it('A-ABORT produced by the state machine (AA-8 on an invalid PDU)', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    const established: UlState = { sta: 'Sta6', role: 'requestor' };
    const r = step(established, { type: 'Evt19', reason: 6 });
    const sent = r.effects.flatMap((e) => (e.kind === 'send' ? [e.pdu] : []));
    expect(sent).toHaveLength(1);
    const userAbort = step(established, { type: 'Evt15' }).effects.flatMap((e) => (e.kind === 'send' ? [e.pdu] : []));
    const d = await dissect([client(rq), server(ac), client(sent[0]!)]);
    expectClean(d);
    expect(num(d['dicom.pdu.type'])).toEqual([1, 2, 7]);
    expect(num(d['dicom.pdu.len'])).toEqual([encodePdu(rq).length - 6, encodePdu(ac).length - 6, 4]);
    expect(num(d['dicom.assoc.abort.source'])).toEqual([2]);
    expect(num(d['dicom.assoc.abort.reason'])).toEqual([6]);
    const d2 = await dissect([client(rq), server(ac), client(userAbort[0]!)]);
    expect(num(d2['dicom.assoc.abort.source'])).toEqual([0]);
  });

  it('the check has teeth: tshark flags malformed fixtures', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    for (const name of ['item-overrun', 'no-transfer-syntax']) {
      const bad = malformedFixtures().find((f) => f.name === name)!;
      const d = await dissect([client(bad.bytes)]);
      expect(d['_ws.malformed'] ?? [], name).not.toEqual([]);
    }
  });

  it('every valid fixture, re-encoded, is accepted by the dissector', async () => {
    expect(tsharkAvailable, NO_TSHARK).toBe(true);
    const names = ['a-associate-rq', 'a-associate-ac', 'p-data-tf-echo', 'a-release-rq', 'a-release-rp'];
    const d = await dissect(names.map((n, i) => ({ fromClient: i !== 1 && i !== 4, bytes: encodePdu(decodePdu(fixture(n))) })));
    expectClean(d);
    expect(num(d['dicom.pdu.type'])).toEqual([1, 2, 4, 5, 6]);
    const rej = await dissect([client(fixture('a-associate-rq')), server(encodePdu(decodePdu(fixture('a-associate-ac-rejections'))))]);
    expectClean(rej);
    expect(num(rej['dicom.pctx.result'])).toEqual([0, 4, 1]);
    expect(num(rej['dicom.max_pdu_len'])).toEqual([65536, 0]);
  });
});
