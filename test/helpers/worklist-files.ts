/**
 * Worklist entries (`*.wl`) for wlmscpfs and Orthanc, one per character set of conformance §6.
 * The text is encoded by Python's own codecs (iso2022_jp, shift_jis for JIS X 0201 katakana,
 * latin-1, utf-8, gb18030) — not by our encoder — into a dump file, which DCMTK's dump2dcm
 * turns into DICOM. So what the tests decode was written by two independent implementations.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runPython, runTool } from './run-tool.js';

export interface WorklistEntry {
  /** Specific Character Set value, '' for the default repertoire. */
  readonly charset: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly accession: string;
  readonly description: string;
  readonly date: string;
  readonly time: string;
  readonly station: string;
  readonly studyUid: string;
}

/** The six character sets of conformance §6, with names that exercise each. */
export const CHARSET_ENTRIES: readonly WorklistEntry[] = [
  { charset: '', patientName: 'Doe^John', description: 'Abdomen', patientId: 'CS-ASCII' },
  { charset: '\\ISO 2022 IR 87', patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', description: '腹部エコー', patientId: 'CS-IR87' },
  { charset: 'ISO 2022 IR 13\\ISO 2022 IR 87', patientName: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', description: 'ｼﾝｿﾞｳ', patientId: 'CS-IR13' },
  { charset: 'ISO_IR 100', patientName: 'Buc^Jérôme', description: 'Échographie cardiaque (Müller)', patientId: 'CS-LATIN1' },
  { charset: 'ISO_IR 192', patientName: 'Wang^XiaoDong=王^小東𠀋', description: 'Ультразвук 🩺', patientId: 'CS-UTF8' },
  { charset: 'GB18030', patientName: 'Wang^XiaoDong=王^小东𠀋', description: '腹部超声', patientId: 'CS-GB18030' },
].map((e, i) => ({
  ...e,
  accession: `ACC${String(i + 1).padStart(4, '0')}`,
  date: '20240315',
  time: `0${i}3000`.slice(-6),
  station: 'US_CART',
  studyUid: `1.2.826.0.1.3680043.2.1125.7.${i + 1}`,
}));

const ENCODER = String.raw`
import json, sys
entries = json.load(open(sys.argv[1], encoding='utf-8'))
outdir = sys.argv[2]

def ir13_87(text):
    # ISO 2022 IR 13 as the initial set (G0 JIS X 0201 roman, G1 katakana), IR 87 by escape.
    out, kanji = bytearray(), False
    for ch in text:
        if '\uff61' <= ch <= '\uff9f' or ch < '\x80':
            if kanji:
                out += b'\x1b(J'; kanji = False
            out += ch.encode('shift_jis')
        else:
            if not kanji:
                out += b'\x1b$B'; kanji = True
            out += ch.encode('iso2022_jp')[3:-3]
    if kanji:
        out += b'\x1b(J'
    return bytes(out)

def enc(text, cs):
    if cs == '': return text.encode('ascii')
    if cs == '\\ISO 2022 IR 87': return text.encode('iso2022_jp')
    if cs == 'ISO 2022 IR 13\\ISO 2022 IR 87': return ir13_87(text)
    if cs == 'ISO_IR 100': return text.encode('latin-1')
    if cs == 'ISO_IR 192': return text.encode('utf-8')
    if cs == 'GB18030': return text.encode('gb18030')
    raise ValueError(cs)

for i, e in enumerate(entries):
    cs = e['charset']
    L = lambda tag, vr, value: b'(' + tag.encode() + b') ' + vr.encode() + b' [' + value + b']\n'
    A = lambda s: s.encode('ascii')
    d = b''
    if cs: d += L('0008,0005', 'CS', A(cs))
    d += L('0008,0050', 'SH', A(e['accession']))
    d += L('0008,0090', 'PN', A('Referring^Doctor'))
    d += L('0010,0010', 'PN', enc(e['patientName'], cs))
    d += L('0010,0020', 'LO', A(e['patientId']))
    d += L('0010,0030', 'DA', A('19700101'))
    d += L('0010,0040', 'CS', A('F'))
    d += L('0020,000d', 'UI', A(e['studyUid']))
    d += L('0032,1032', 'PN', A('Requesting^Doctor'))
    d += L('0032,1060', 'LO', enc(e['description'], cs))
    d += L('0038,0010', 'LO', A('ADM' + str(i)))
    d += b'(0040,0100) SQ (Sequence with undefined length)\n(fffe,e000) na (Item with undefined length)\n'
    d += L('0008,0060', 'CS', A('US'))
    d += L('0040,0001', 'AE', A(e['station']))
    d += L('0040,0002', 'DA', A(e['date']))
    d += L('0040,0003', 'TM', A(e['time']))
    d += L('0040,0006', 'PN', A('Performing^Doctor'))
    d += L('0040,0007', 'LO', enc(e['description'], cs))
    d += L('0040,0009', 'SH', A('SPS' + str(i)))
    d += b'(fffe,e00d) na (ItemDelimitationItem)\n(fffe,e0dd) na (SequenceDelimitationItem)\n'
    d += L('0040,1001', 'SH', A('RP' + str(i)))
    open('%s/entry%03d.dump' % (outdir, i), 'wb').write(d)
`;

/** Writes one `.wl` file per entry into `dir`; returns their paths. */
export async function writeWorklistFiles(dir: string, entries: readonly WorklistEntry[] = CHARSET_ENTRIES): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'entries.json.tmp');
  await writeFile(json, JSON.stringify(entries));
  const r = await runPython(ENCODER, [json, dir]);
  if (r.code !== 0) throw new Error(`worklist encoder: ${r.stderr}`);
  const out: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const base = join(dir, `entry${String(i).padStart(3, '0')}`);
    const d = await runTool('dump2dcm', ['-g', `${base}.dump`, `${base}.wl`]);
    if (d.code !== 0) throw new Error(`dump2dcm ${base}.dump: ${d.stderr}`);
    out.push(`${base}.wl`);
  }
  await runTool('sh', ['-c', `rm -f '${dir}'/*.dump '${json}'`]);
  return out;
}
