export { dumpLines } from './dump.js';
