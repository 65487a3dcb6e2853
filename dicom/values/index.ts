export { decodeStrings, encodeStrings, padEven } from './strings.js';
export { decodeNumbers, encodeNumbers, formatDS } from './numbers.js';
