// The shared vocabulary of every module: timestamps, labels, entries and typed errors.
export * from './time.js';
export * from './labels.js';
export * from './entry.js';
export * from './errors.js';
export * from './matchers.js';
