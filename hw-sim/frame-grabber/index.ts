export { SimulatedFrameSource, type SimulatedSourceOptions } from './simulated-source.js';
export { BModeRenderer, sectorGeometry, sectorRegion, type SectorGeometry } from './renderer.js';
