export * from './types.js';
export * from './errors.js';
export * from './ae-title.js';
export { decodePdu } from './decode.js';
export { encodePdu, pDataTfLength } from './encode.js';
export * from './framer.js';
