export * from './reasons.js';
export * from './propose.js';
export * from './negotiate.js';
export * from './accept.js';
export { aeTitleProblem, isValidAeTitle, normalizeAeTitle, aeTitlesEqual, aeTitleField, AE_TITLE_LENGTH } from '../pdu/ae-title.js';
