/**
 * `capture --patient FILE.json`: whatever the file holds, the error names the JSON path and the
 * problem, never JavaScript internals ("values.map is not a function", "Maximum call stack
 * size exceeded"), and nothing is captured. Also: the one DICOM JSON module both ways.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../device/cli/main.js';
import { base64Decode, base64Encode } from '../../../dicom/iod/dicom-json.js';
import { dataSetFromDicomJson, MAX_JSON_SEQUENCE_DEPTH, toDicomJson } from '../../../dicom/iod/index.js';
import { cli } from '../../helpers/cli-capture.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir('sonicart-patient-json-')));
afterAll(() => cleanup());

const deep = (n: number): string => '{"00400100":{"vr":"SQ","Value":['.repeat(n) + '{}' + ']}}'.repeat(n);

describe('capture --patient with a bad file', () => {
  it.each([
    ['PN value as a string', '{"00100010":{"vr":"PN","Value":["Doe^Jane"]}}', /^--patient: \$\["00100010"\]\.Value\[0\]: expected an object with Alphabetic, Ideographic and\/or Phonetic strings, got string "Doe\^Jane" \[IOD_BAD_JSON\]$/],
    ['Value not an array', '{"00100020":{"vr":"LO","Value":"P-1"}}', /^--patient: \$\["00100020"\]\.Value: expected an array, got string "P-1" \[IOD_BAD_JSON\]$/],
    ['missing vr', '{"00100020":{"Value":["P-1"]}}', /^--patient: \$\["00100020"\]\.vr: expected a DICOM VR such as "PN", got undefined/],
    ['unknown vr', '{"00100020":{"vr":"XX","Value":["P-1"]}}', /^--patient: \$\["00100020"\]\.vr: expected a DICOM VR/],
    ['bad key', '{"PatientName":{"vr":"PN"}}', /^--patient: \$\["PatientName"\]: not a DICOM JSON tag key/],
    ['attribute not an object', '{"00100020":"P-1"}', /^--patient: \$\["00100020"\]: expected an attribute object/],
    ['sequence item not an object', '{"00400100":{"vr":"SQ","Value":[7]}}', /^--patient: \$\["00400100"\]\.Value\[0\]: expected an object of attributes, got number 7/],
    ['number that is not', '{"00280010":{"vr":"US","Value":["many"]}}', /^--patient: \$\["00280010"\]\.Value\[0\]: expected a number for VR US/],
    ['string VR holding an object', '{"00100020":{"vr":"LO","Value":[{"a":1}]}}', /^--patient: \$\["00100020"\]\.Value\[0\]: expected a string for VR LO, got an object/],
    ['nested problem in an array entry', '[{"00400100":{"vr":"SQ","Value":[{"00400001":{"vr":"AE","Value":[5]}}]}}]', /^--patient: \$\[0\]\["00400100"\]\.Value\[0\]\["00400001"\]\.Value\[0\]: expected a string for VR AE, got number 5/],
    ['an empty array', '[]', /^--patient: \$: expected one DICOM JSON object .*array of 0/],
    ['null', 'null', /^--patient: \$: expected an object of attributes, got null/],
    ['not JSON', '{"00100010": ', /^--patient: .*\.json is not JSON \(/],
    ['10,000 nested sequences', deep(10_000), new RegExp(`^--patient: \\$(\\["00400100"\\]\\.Value\\[0\\]){${MAX_JSON_SEQUENCE_DEPTH + 1}}: sequences nested more than ${MAX_JSON_SEQUENCE_DEPTH} deep \\[IOD_BAD_JSON\\]$`)],
  ])('%s: one line with the JSON path, exit 1', async (name, text, want) => {
    const file = join(dir, `${name.replace(/\W+/g, '_')}.json`);
    await writeFile(file, text);
    const c = cli();
    expect(await main(['capture', '--kind', 'still', '--patient', file, '--out', dir], c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]!.replace(/^sonicart: /, '')).toMatch(want);
    expect(c.err[0]).not.toMatch(/is not a function|call stack|Cannot read properties|undefined is not/);
    expect(c.out).toEqual([]);
  });
});

describe('DICOM JSON, one module both ways', () => {
  it('a worklist entry survives JSON → DataSet → JSON', () => {
    const entry = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jürgen', Ideographic: 'Мюллер^Юрген' }] },
      '00100020': { vr: 'LO', Value: ['U8-0002'] },
      '00201208': { vr: 'IS', Value: [3] },
      '00400100': { vr: 'SQ', Value: [{ '00400001': { vr: 'AE', Value: ['US_CART'] }, '00400002': { vr: 'DA', Value: ['20260430'] } }] },
    };
    expect(toDicomJson(dataSetFromDicomJson(entry))).toEqual(entry);
  });

  it(`sequences exactly ${MAX_JSON_SEQUENCE_DEPTH} deep are read`, () => {
    expect(() => dataSetFromDicomJson(JSON.parse(deep(MAX_JSON_SEQUENCE_DEPTH)))).not.toThrow();
  });

  it.each([0, 1, 2, 3, 4, 5, 255])('base64 of %i bytes agrees with Node', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 0xff);
    expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64Decode(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
  });
});
