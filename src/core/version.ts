/** @module core/version — trove's version, recorded in every run for the chain of custody. */
export const VERSION = '0.1.0';
