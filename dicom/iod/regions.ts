/**
 * US Region Calibration (PS3.3 C.8.5.5): the Sequence of Ultrasound Regions (0018,6011), which
 * lets a viewer measure in physical units. Coordinates are pixels; Reference Pixel X0/Y0 are
 * relative to the region's top-left corner (C.8.5.5.1.5).
 */
import { DataSet } from '../dataset/index.js';
import { IodError } from './errors.js';
import { put } from './put.js';

export interface UltrasoundRegion {
  /** 1 = 2D (tissue or flow), 2 = M-mode, 3 = spectral, 4 = waveform … (C.8.5.5.1.1). */
  readonly spatialFormat: number;
  /** 1 = tissue, 2 = colour flow, 3 = PW spectral Doppler … (C.8.5.5.1.2). */
  readonly dataType: number;
  /** Bit flags (C.8.5.5.1.3); 0 for an opaque, non-scrolling, unattenuated region. */
  readonly flags: number;
  /** Inclusive pixel bounds of the region. */
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly referencePixelX?: number;
  readonly referencePixelY?: number;
  /** 3 = cm, 4 = seconds, … (C.8.5.5.1.15). */
  readonly physicalUnitsX: number;
  readonly physicalUnitsY: number;
  readonly referencePhysicalX?: number;
  readonly referencePhysicalY?: number;
  /** Physical units per pixel. */
  readonly physicalDeltaX: number;
  readonly physicalDeltaY: number;
  readonly transducerFrequencyKHz?: number;
}

export function ultrasoundRegionItems(regions: readonly UltrasoundRegion[], rows: number, columns: number): DataSet[] {
  return regions.map((r, i) => {
    if (!(r.minX <= r.maxX && r.minY <= r.maxY && r.maxX < columns && r.maxY < rows && r.minX >= 0 && r.minY >= 0)) {
      throw new IodError('IOD_BAD_VALUE', `ultrasound region ${i + 1} (${r.minX},${r.minY})–(${r.maxX},${r.maxY}) is outside the ${columns}×${rows} image`);
    }
    if (!(r.physicalDeltaX > 0 && r.physicalDeltaY > 0)) throw new IodError('IOD_BAD_VALUE', `ultrasound region ${i + 1}: physical delta must be > 0`);
    const ds = new DataSet();
    put(ds, 'RegionSpatialFormat', r.spatialFormat);
    put(ds, 'RegionDataType', r.dataType);
    put(ds, 'RegionFlags', r.flags);
    put(ds, 'RegionLocationMinX0', r.minX);
    put(ds, 'RegionLocationMinY0', r.minY);
    put(ds, 'RegionLocationMaxX1', r.maxX);
    put(ds, 'RegionLocationMaxY1', r.maxY);
    if (r.referencePixelX !== undefined) put(ds, 'ReferencePixelX0', r.referencePixelX);
    if (r.referencePixelY !== undefined) put(ds, 'ReferencePixelY0', r.referencePixelY);
    put(ds, 'PhysicalUnitsXDirection', r.physicalUnitsX);
    put(ds, 'PhysicalUnitsYDirection', r.physicalUnitsY);
    if (r.referencePhysicalX !== undefined) put(ds, 'ReferencePixelPhysicalValueX', r.referencePhysicalX);
    if (r.referencePhysicalY !== undefined) put(ds, 'ReferencePixelPhysicalValueY', r.referencePhysicalY);
    put(ds, 'PhysicalDeltaX', r.physicalDeltaX);
    put(ds, 'PhysicalDeltaY', r.physicalDeltaY);
    if (r.transducerFrequencyKHz !== undefined) put(ds, 'TransducerFrequency', r.transducerFrequencyKHz);
    return ds;
  });
}
