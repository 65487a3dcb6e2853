/** Small data sets for tests, built through the public API. */
import { tag } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';

export const T = {
  SpecificCharacterSet: tag(0x0008, 0x0005),
  SOPClassUID: tag(0x0008, 0x0016),
  SOPInstanceUID: tag(0x0008, 0x0018),
  Modality: tag(0x0008, 0x0060),
  PatientName: tag(0x0010, 0x0010),
  PatientID: tag(0x0010, 0x0020),
  SamplesPerPixel: tag(0x0028, 0x0002),
  Rows: tag(0x0028, 0x0010),
  Columns: tag(0x0028, 0x0011),
  BitsAllocated: tag(0x0028, 0x0100),
  PixelRepresentation: tag(0x0028, 0x0103),
  SmallestImagePixelValue: tag(0x0028, 0x0106),
  ReferencedImageSequence: tag(0x0008, 0x1140),
  ReferencedSOPInstanceUID: tag(0x0008, 0x1155),
  FrameTime: tag(0x0018, 0x1063),
  RegionSequence: tag(0x0018, 0x6011),
  PhysicalDeltaX: tag(0x0018, 0x602c),
  PixelData: tag(0x7fe0, 0x0010),
  FrameIncrementPointer: tag(0x0028, 0x0009),
} as const;

export const US_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.6.1';

/** A small grey US image: every VR family the tests need, one sequence, native pixel data. */
export function smallUsImage(rows = 4, columns = 6): DataSet {
  const ds = new DataSet();
  ds.putStrings(T.SOPClassUID, 'UI', US_IMAGE_STORAGE);
  ds.putStrings(T.SOPInstanceUID, 'UI', '2.25.1234567890');
  ds.putStrings(T.Modality, 'CS', 'US');
  ds.putStrings(T.PatientName, 'PN', 'Doe^Jane');
  ds.putStrings(T.PatientID, 'LO', 'P-0001');
  ds.putNumbers(T.FrameTime, 'DS', 33.3);
  ds.putNumbers(T.SamplesPerPixel, 'US', 1);
  ds.putNumbers(T.Rows, 'US', rows);
  ds.putNumbers(T.Columns, 'US', columns);
  ds.putNumbers(T.BitsAllocated, 'US', 16);
  ds.putNumbers(T.PixelRepresentation, 'US', 1);
  ds.putNumbers(T.SmallestImagePixelValue, 'SS', -5);
  ds.putNumbers(T.FrameIncrementPointer, 'AT', T.FrameTime);
  const region = new DataSet();
  region.putNumbers(T.PhysicalDeltaX, 'FD', 0.0125);
  ds.putSequence(T.RegionSequence, [region]);
  const px = new Uint8Array(rows * columns * 2);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) & 0xff;
  ds.put(T.PixelData, 'OW', { type: 'raw', bytes: px });
  return ds;
}
