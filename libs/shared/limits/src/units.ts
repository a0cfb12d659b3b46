/** KIB is one kibibyte in bytes. */
export const KIB = 1024;
/** MIB is one mebibyte in bytes. */
export const MIB = 1024 * KIB;
/** SECOND_MS is one second in milliseconds. */
export const SECOND_MS = 1000;
/** MINUTE_MS is one minute in milliseconds. */
export const MINUTE_MS = 60 * SECOND_MS;
/** HOUR_MS is one hour in milliseconds. */
export const HOUR_MS = 60 * MINUTE_MS;
/** DAY_MS is one day in milliseconds. */
export const DAY_MS = 24 * HOUR_MS;
