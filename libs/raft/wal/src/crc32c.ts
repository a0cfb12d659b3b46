/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every WAL record
 * and snapshot file. Table-driven "slicing-by-8": eight 256-entry tables let the main loop
 * fold eight input bytes per step, several times faster than the byte-wise loop in plain JS.
 */

/** CRC32C_POLYNOMIAL is the reflected Castagnoli polynomial. */
export const CRC32C_POLYNOMIAL = 0x82f63b78;

const TABLES: readonly Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  for (let t = 0; t < 8; t++) tables.push(new Uint32Array(256));
  const first = tables[0];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLYNOMIAL : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n];
    for (let t = 1; t < 8; t++) {
      c = first[c & 0xff] ^ (c >>> 8);
      tables[t][n] = c >>> 0;
    }
  }
  return tables;
}

/**
 * crc32c returns the CRC-32C of `bytes`, continuing from `previous` (the result of an earlier
 * call, or 0 to start). Contract: crc32c(b, crc32c(a)) === crc32c(a ++ b), and the result is
 * an unsigned 32-bit integer. crc32c(utf8("123456789")) === 0xE3069283.
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = ~previous;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    const low = crc ^ word;
    crc =
      t7[low & 0xff] ^
      t6[(low >>> 8) & 0xff] ^
      t5[(low >>> 16) & 0xff] ^
      t4[low >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * crc32cBitwise is the one-bit-at-a-time reference implementation of {@link crc32c}. It is
 * exported only so tests can compare the fast version against it; it is far too slow for I/O.
 */
export function crc32cBitwise(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLYNOMIAL : crc >>> 1;
  }
  return ~crc >>> 0;
}
