export * from './types.js';
export * from './errors.js';
export * from './ae-title.js';
export { decodePdu } from './decode.js';
export { encodePdu, encodePDataTfInto, pDataTfLength } from './encode.js';
export * from './framer.js';
