export * from './process.js';
export * from './services.js';
export * from './images.js';
export * from './git-repo.js';
export * from './fixtures.js';
export * from './kiln.js';
export * from './registry-api.js';
export * from './stack.js';
