export * from './errors.js';
export * from './tag.js';
export * from './vr.js';
export * from './bytes.js';
export * from './uid.js';
export * from './limits.js';
export * from './error-report.js';
