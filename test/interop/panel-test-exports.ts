export * from '../../device/panel/index.js';
export { buildFrame as buildFrameForTest } from '../../device/panel/frame.js';
