/**
 * SHOAL_VERSION is the version every app reports in `shoal_build_info` and `/healthz`.
 * Invariant: equals the root package.json's version (a unit test holds it there).
 */
export const SHOAL_VERSION = '0.1.0';
