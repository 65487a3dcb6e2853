export * from './errors.js';
export * from './status.js';
export * from './pdv.js';
export * from './command.js';
