/** The documented good practice of a cluster's approach: content, versions, access, exports. */
export * from './content.js';
export * from './exports.js';
export * from './repository.js';
