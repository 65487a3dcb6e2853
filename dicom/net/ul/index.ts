export * from './definitions.js';
export * from './events.js';
export { TABLE, actionFor } from './table.js';
export { step } from './machine.js';
