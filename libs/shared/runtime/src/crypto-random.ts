import { randomBytes } from 'node:crypto';
import { newId } from '@shoal/ids';
import { Uint32Random, type Random } from '@shoal/random';

/** Bytes fetched from the OS per refill: 256 words, so one syscall serves 64 IDs. */
const POOL_BYTES = 1024;

/**
 * CryptoRandom is a {@link Random} whose every word comes from the OS CSPRNG
 * (`crypto.randomBytes`, pooled). Unlike a seeded generator it cannot be replayed, so it is
 * for production IDs and jitter only; tests use SeededRandom.
 */
class CryptoRandom extends Uint32Random {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** nextUint32 returns four fresh CSPRNG bytes as an unsigned integer. */
  nextUint32(): number {
    if (this.offset + 4 > this.pool.length) {
      this.pool = randomBytes(POOL_BYTES);
      this.offset = 0;
    }
    const value = this.pool.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  /** fork returns another independent CryptoRandom. */
  fork(): Random {
    return new CryptoRandom();
  }
}

/** cryptoRandom returns a new CSPRNG-backed {@link Random} (see CryptoRandom above). */
export function cryptoRandom(): Random {
  return new CryptoRandom();
}

const processRandom = new CryptoRandom();

/** newRandomId returns a fresh 25-character object ID from the OS CSPRNG. */
export function newRandomId(): string {
  return newId(processRandom);
}
