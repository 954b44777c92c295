/** Action plans: the member's concept from draft to application (see docs/action-plans.md). */
export * from './access.js';
export * from './completeness.js';
export * from './content.js';
export * from './deadlines.js';
export * from './diff.js';
export * from './documents.js';
export * from './exports.js';
export * from './limits.js';
export * from './repository.js';
export * from './versions.js';
