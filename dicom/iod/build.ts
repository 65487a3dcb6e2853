/**
 * Builders for the objects the cart creates (conformance §4): US Image, US Multi-frame, Secondary
 * Capture and Multi-frame True Color / Grayscale Byte SC. Each IOD is a list of modules (PS3.3
 * A.6, A.7, A.8.1, A.8.4, A.8.3); each module is a function writing its attributes. The result
 * is the data set without Pixel Data: the caller streams the pixels after it.
 */
import { SPECIFIC_CHARACTER_SET } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import { IodError } from './errors.js';
import type { ExamContext } from './exam.js';
import { cloneDataSet, copy, put, putEmpty, putItems, tagOf } from './put.js';
import { ultrasoundRegionItems, type UltrasoundRegion } from './regions.js';
import type { CineTiming } from './timing.js';

export const SOP_CLASS = {
  usImage: '1.2.840.10008.5.1.4.1.1.6.1',
  usMultiframe: '1.2.840.10008.5.1.4.1.1.3.1',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  multiframeGrayscaleByteSc: '1.2.840.10008.5.1.4.1.1.7.2',
  multiframeTrueColorSc: '1.2.840.10008.5.1.4.1.1.7.4',
} as const;

export type ObjectKind = 'us' | 'us-multiframe' | 'sc' | 'sc-multiframe';

/**
 * How the stored samples are to be read (PS3.3 C.7.6.3.1.2, PS3.5 8.2.1): MONOCHROME2 for grey;
 * RGB uncompressed or JPEG lossless; YBR_FULL for a JPEG baseline stream whose three components
 * are not subsampled; YBR_FULL_422 when Cb and Cr are halved horizontally.
 */
export type Photometric = 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422';

export interface PixelDescription {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: 1 | 3;
  readonly photometric: Photometric;
}

export interface Equipment {
  readonly manufacturer: string;
  readonly modelName: string;
  readonly softwareVersions: string;
  readonly deviceSerialNumber?: string;
  readonly stationName?: string;
  readonly institutionName?: string;
}

export interface SeriesInfo {
  readonly uid: string;
  readonly number: number;
  readonly description?: string;
  /** Body Part Examined (CS, PS3.16 CID 4031 terms), 'ABDOMEN' by default; dciodvfy wants it or Laterality. */
  readonly bodyPartExamined?: string;
  readonly laterality?: 'R' | 'L';
}

export interface ImageObjectInput {
  readonly kind: ObjectKind;
  readonly exam: ExamContext;
  readonly series: SeriesInfo;
  readonly equipment: Equipment;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number;
  /** When the pixel data was captured: DA, TM (first frame of a cine). */
  readonly contentDate: string;
  readonly contentTime: string;
  /** DT with offset, e.g. 20250101123000.123456+0900. */
  readonly acquisitionDateTime?: string;
  readonly pixel: PixelDescription;
  /** Multi-frame kinds: the number of frames and their timing. */
  readonly frames?: { readonly count: number; readonly timing: CineTiming };
  readonly regions?: readonly UltrasoundRegion[];
  readonly probe?: { readonly name: string; readonly frequencyMHz: number; readonly depthCm: number };
  /** Set when the pixel data went through a lossy step (PS3.3 C.7.6.1.1.5). */
  readonly lossy?: { readonly ratio: number; readonly method: 'ISO_10918_1' };
}

export interface BuiltObject {
  readonly sopClassUid: string;
  readonly dataSet: DataSet;
}

export function sopClassFor(kind: ObjectKind, samplesPerPixel: 1 | 3): string {
  switch (kind) {
    case 'us':
      return SOP_CLASS.usImage;
    case 'us-multiframe':
      return SOP_CLASS.usMultiframe;
    case 'sc':
      return SOP_CLASS.secondaryCapture;
    case 'sc-multiframe':
      return samplesPerPixel === 3 ? SOP_CLASS.multiframeTrueColorSc : SOP_CLASS.multiframeGrayscaleByteSc;
  }
}

type Module = (ds: DataSet, input: ImageObjectInput) => void;

const sopCommon: Module = (ds, i) => {
  put(ds, 'SOPClassUID', sopClassFor(i.kind, i.pixel.samplesPerPixel));
  put(ds, 'SOPInstanceUID', i.sopInstanceUid);
  put(ds, 'InstanceCreationDate', i.contentDate);
  put(ds, 'InstanceCreationTime', i.contentTime);
};

/** Patient, Patient Study and General Study: the exam's attributes as they were encoded. */
const patientAndStudy: Module = (ds, i) => {
  for (const el of i.exam.attributes) {
    if (el.tag === SPECIFIC_CHARACTER_SET || el.tag === tagOf('RequestAttributesSequence') || el.tag === tagOf('PerformedProcedureStepDescription')) continue;
    if (el.value.type === 'sequence') ds.putSequence(el.tag, el.value.items.map(cloneDataSet));
    else ds.set(el);
  }
  put(ds, 'StudyInstanceUID', i.exam.studyInstanceUid);
  put(ds, 'StudyDate', i.exam.studyDate);
  put(ds, 'StudyTime', i.exam.studyTime);
  for (const k of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber']) {
    if (!ds.has(tagOf(k))) putEmpty(ds, k); // Type 2: present, possibly empty
  }
};

const generalSeries: Module = (ds, i) => {
  put(ds, 'Modality', i.kind === 'sc' || i.kind === 'sc-multiframe' ? 'OT' : 'US');
  put(ds, 'SeriesInstanceUID', i.series.uid);
  put(ds, 'SeriesNumber', i.series.number);
  put(ds, 'SeriesDate', i.contentDate);
  put(ds, 'SeriesTime', i.contentTime);
  if (i.series.description) put(ds, 'SeriesDescription', i.series.description);
  if (i.series.laterality) put(ds, 'Laterality', i.series.laterality);
  put(ds, 'BodyPartExamined', i.series.bodyPartExamined ?? 'ABDOMEN');
  copy(i.exam.attributes, ds, 'RequestAttributesSequence');
  copy(i.exam.attributes, ds, 'PerformedProcedureStepDescription');
};

const generalEquipment: Module = (ds, i) => {
  const e = i.equipment;
  put(ds, 'Manufacturer', e.manufacturer);
  if (e.institutionName) put(ds, 'InstitutionName', e.institutionName);
  if (e.stationName) put(ds, 'StationName', e.stationName);
  put(ds, 'ManufacturerModelName', e.modelName);
  if (e.deviceSerialNumber) put(ds, 'DeviceSerialNumber', e.deviceSerialNumber);
  put(ds, 'SoftwareVersions', e.softwareVersions);
};

/** SC Equipment (C.8.6.1): the cart captured its own screen through a digital interface. */
const scEquipment: Module = (ds, i) => {
  put(ds, 'ConversionType', 'WSD');
  put(ds, 'SecondaryCaptureDeviceManufacturer', i.equipment.manufacturer);
  put(ds, 'SecondaryCaptureDeviceManufacturerModelName', i.equipment.modelName);
  put(ds, 'SecondaryCaptureDeviceSoftwareVersions', i.equipment.softwareVersions);
};

const generalImage: Module = (ds, i) => {
  put(ds, 'InstanceNumber', i.instanceNumber);
  putEmpty(ds, 'PatientOrientation');
  put(ds, 'ContentDate', i.contentDate);
  put(ds, 'ContentTime', i.contentTime);
  const us = i.kind === 'us' || i.kind === 'us-multiframe';
  // US Image Type value 3 (anatomy) and value 4 (modes, a hex bitmap: 0001 = 2D imaging), C.8.5.6.1.1.
  put(ds, 'ImageType', us ? ['ORIGINAL', 'PRIMARY', 'ABDOMINAL', '0001'] : ['DERIVED', 'SECONDARY']);
  if (us) {
    put(ds, 'AcquisitionDate', i.contentDate);
    put(ds, 'AcquisitionTime', i.contentTime);
    if (i.acquisitionDateTime) put(ds, 'AcquisitionDateTime', i.acquisitionDateTime);
  } else {
    put(ds, 'DateOfSecondaryCapture', i.contentDate);
    put(ds, 'TimeOfSecondaryCapture', i.contentTime);
  }
  put(ds, 'BurnedInAnnotation', 'YES'); // the text bar is part of the image
  put(ds, 'LossyImageCompression', i.lossy ? '01' : '00');
  if (i.lossy) {
    put(ds, 'LossyImageCompressionRatio', Math.round(i.lossy.ratio * 100) / 100);
    put(ds, 'LossyImageCompressionMethod', i.lossy.method);
  }
};

const imagePixel: Module = (ds, i) => {
  const p = i.pixel;
  if ((p.samplesPerPixel === 1) !== (p.photometric === 'MONOCHROME2')) {
    throw new IodError('IOD_BAD_VALUE', `${p.photometric} does not go with ${p.samplesPerPixel} sample(s) per pixel`);
  }
  put(ds, 'SamplesPerPixel', p.samplesPerPixel);
  put(ds, 'PhotometricInterpretation', p.photometric);
  put(ds, 'Rows', p.rows);
  put(ds, 'Columns', p.columns);
  put(ds, 'BitsAllocated', 8);
  put(ds, 'BitsStored', 8);
  put(ds, 'HighBit', 7);
  put(ds, 'PixelRepresentation', 0);
  if (p.samplesPerPixel === 3) put(ds, 'PlanarConfiguration', 0);
};

const multiFrame: Module = (ds, i) => {
  if (!i.frames) throw new IodError('IOD_MISSING', `${i.kind} needs frames and their timing`);
  put(ds, 'NumberOfFrames', i.frames.count);
  put(ds, 'FrameIncrementPointer', tagOf(i.frames.timing.pointer));
};

const cine: Module = (ds, i) => {
  const t = i.frames!.timing;
  put(ds, 'PreferredPlaybackSequencing', 0); // looping
  if (t.frameTimeMs !== undefined) put(ds, 'FrameTime', t.frameTimeMs);
  if (t.frameTimeVectorMs !== undefined) put(ds, 'FrameTimeVector', [...t.frameTimeVectorMs]);
  put(ds, 'StartTrim', 1);
  put(ds, 'StopTrim', i.frames!.count);
  put(ds, 'RecommendedDisplayFrameRate', t.recommendedDisplayFrameRate);
  put(ds, 'CineRate', t.cineRate);
  put(ds, 'EffectiveDuration', Math.round(t.durationS * 1000) / 1000);
};

const usRegionCalibration: Module = (ds, i) => {
  if (!i.regions?.length) return;
  putItems(ds, 'SequenceOfUltrasoundRegions', ultrasoundRegionItems(i.regions, i.pixel.rows, i.pixel.columns));
};

/** US Image module (C.8.5.6) beyond Image Pixel: what it constrains, and the probe. */
const usImage: Module = (ds, i) => {
  if (i.probe) {
    put(ds, 'TransducerData', [i.probe.name]);
    put(ds, 'TransducerType', 'SECTOR_PHASED');
    put(ds, 'DepthOfScanField', Math.round(i.probe.depthCm * 10));
  }
};

/** SC Multi-frame Image (C.8.6.3): grey frames need the identity presentation and a rescale. */
const scMultiframeImage: Module = (ds, i) => {
  if (i.pixel.samplesPerPixel === 1) {
    put(ds, 'PresentationLUTShape', 'IDENTITY');
    put(ds, 'RescaleIntercept', 0);
    put(ds, 'RescaleSlope', 1);
    put(ds, 'RescaleType', 'US');
  }
};

/** The modules of each IOD, in the order of PS3.3's IOD tables. */
const IOD_MODULES: Record<ObjectKind, readonly Module[]> = {
  us: [patientAndStudy, generalSeries, generalEquipment, generalImage, imagePixel, usRegionCalibration, usImage, sopCommon],
  'us-multiframe': [patientAndStudy, generalSeries, generalEquipment, generalImage, imagePixel, cine, multiFrame, usRegionCalibration, usImage, sopCommon],
  sc: [patientAndStudy, generalSeries, generalEquipment, scEquipment, generalImage, imagePixel, sopCommon],
  'sc-multiframe': [patientAndStudy, generalSeries, generalEquipment, scEquipment, generalImage, imagePixel, cine, multiFrame, scMultiframeImage, sopCommon],
};

export function buildImageObject(input: ImageObjectInput): BuiltObject {
  const multi = input.kind === 'us-multiframe' || input.kind === 'sc-multiframe';
  if (multi && !(input.frames && input.frames.count >= 1)) throw new IodError('IOD_MISSING', `${input.kind} needs at least one frame`);
  if (!multi && input.frames && input.frames.count !== 1) throw new IodError('IOD_BAD_VALUE', `${input.kind} holds one frame, got ${input.frames.count}`);
  const ds = new DataSet();
  // Specific Character Set first, so every string below is encoded through it.
  if (input.exam.characterSet.length > 0) ds.putStrings(SPECIFIC_CHARACTER_SET, 'CS', [...input.exam.characterSet]);
  for (const m of IOD_MODULES[input.kind]) m(ds, input);
  return { sopClassUid: sopClassFor(input.kind, input.pixel.samplesPerPixel), dataSet: ds };
}
