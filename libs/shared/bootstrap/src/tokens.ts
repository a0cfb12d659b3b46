/** Injection tokens of the shared bootstrap (explicit, since esbuild emits no type metadata). */
export const APP_CONTEXT = 'SHOAL_APP_CONTEXT';
export const APP_HEALTH = 'SHOAL_APP_HEALTH';
export const APP_METRICS = 'SHOAL_APP_METRICS';
export const SERVICE_NAMES = 'SHOAL_SERVICE_NAMES';
