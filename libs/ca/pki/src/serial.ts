// Random certificate serial numbers.
import { randomBytes } from 'node:crypto';
import { SERIAL_NUMBER_BYTES } from '@shoal/limits';

/**
 * randomSerialHex returns a fresh certificate serial number as lower-case hex for forge's
 * `serialNumber`: {@link SERIAL_NUMBER_BYTES} bytes from the OS CSPRNG with the first byte's top
 * two bits forced to 01, so the DER INTEGER is positive and minimally encoded (126 random bits).
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString('hex');
}
