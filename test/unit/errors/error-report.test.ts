/**
 * One error root (SonicartError) and one mapping (errorToReport): every typed error of dicom/
 * and device/ — raised by the real code paths, not constructed by hand where a path exists —
 * maps to a report with its code and context, and nothing else needs code sniffing.
 */
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../../device/capture/errors.js';
import { UsageError, describeFileError } from '../../../device/cli/errors.js';
import { TranscodeError } from '../../../device/codecs/transcode-errors.js';
import { readDicomFileHeader } from '../../../device/files/read-header.js';
import { MediaRefusedError } from '../../../device/media/errors.js';
import { ConnectError, DimseStatusError, NetError } from '../../../device/net/errors.js';
import { Association } from '../../../device/net/association.js';
import { DicomError, DicomParseError, SonicartError, errorToReport, parseTag } from '../../../dicom/core/index.js';
import { readDataSet } from '../../../dicom/encoding/index.js';
import { MediaError } from '../../../dicom/media/index.js';
import { dimse } from '../../../dicom/net/index.js';
import { freePort } from '../../helpers/net-peers.js';

const PEER = { aeTitle: 'PACS', host: '127.0.0.1', port: 104 };

describe('one error root', () => {
  it('DicomError, NetError, CaptureError, MediaError, TranscodeError and UsageError are all SonicartErrors', () => {
    const all: unknown[] = [
      new DicomError('X', 'x'),
      new DimseStatusError(PEER, 'C-STORE 1.2', dimse.statusInfo(0xa700, 'C-STORE')),
      new CaptureError('CAPTURE_NO_FRAMES', 'none'),
      new MediaRefusedError([{ source: 'a.dcm', code: 'MEDIA_NOT_DICOM', message: 'no' }]),
      new TranscodeError('CODEC_DECODE_FAILED', 'bad', 3),
      new UsageError('bad option'),
    ];
    for (const e of all) expect(e).toBeInstanceOf(SonicartError);
    expect(all[1]).toBeInstanceOf(NetError);
    expect(all[3]).toBeInstanceOf(MediaError);
  });

  it('a parse failure from the reader: code, offset', () => {
    let err: unknown;
    try {
      readDataSet(Uint8Array.of(0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x20, 0x00, 0x41), { explicitVR: true, littleEndian: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DicomParseError);
    expect(errorToReport(err)).toEqual({ code: 'PARSE_LENGTH_PAST_END', kind: 'DicomParseError', message: expect.stringMatching(/runs past the end/), offset: 0 });
  });

  it('a network failure from a real refused connection: code, peer, step', async () => {
    const port = await freePort(); // nothing listens there
    const err = await Association.open({
      peer: { ...PEER, port },
      callingAeTitle: 'US_CART',
      proposals: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    const r = errorToReport(err);
    expect(r).toMatchObject({ code: 'NET_CONNECT', kind: 'ConnectError', step: 'connect', peer: { aeTitle: 'PACS', host: '127.0.0.1', port } });
  });

  it('a DIMSE status failure carries the status', () => {
    const r = errorToReport(new DimseStatusError(PEER, 'C-STORE 1.2', dimse.statusInfo(0xa700, 'C-STORE'), 'disk full'));
    expect(r).toMatchObject({ code: 'NET_DIMSE_STATUS', step: 'C-STORE 1.2', status: { code: 0xa700, hex: 'A700' } });
  });

  it('a missing file from the real reader: IO_ENOENT with the path and syscall; anything else INTERNAL', async () => {
    let err: unknown;
    try {
      await readDicomFileHeader('/nonexistent/x.dcm');
    } catch (e) {
      err = e;
    }
    expect(errorToReport(err)).toMatchObject({ code: 'IO_ENOENT', file: '/nonexistent/x.dcm', step: 'stat' });
    expect(errorToReport(new TypeError('oops'))).toEqual({ code: 'INTERNAL', kind: 'TypeError', message: 'oops' });
    expect(errorToReport('a string')).toMatchObject({ code: 'INTERNAL', message: 'a string' });
  });

  it('no plain Error across a boundary: parseTag refuses with a DicomError', () => {
    expect(() => parseTag('zz')).toThrow(expect.objectContaining({ code: 'TAG_NOT_A_TAG' }));
  });

  it('the CLI line uses the root, not the shape of the code', () => {
    expect(describeFileError('f.dcm', new CaptureError('CAPTURE_NO_FRAMES', 'no frames'))).toBe('f.dcm: no frames [CAPTURE_NO_FRAMES]');
    expect(describeFileError('f.dcm', Object.assign(new Error('weird'), { code: 'LOOKS_TYPED' }))).toBe('f.dcm: weird');
  });
});
