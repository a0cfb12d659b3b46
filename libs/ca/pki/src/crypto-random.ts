// A CSPRNG-backed Random for secrets (join tokens) until @shoal/runtime provides one.
// TODO(pki): replace with @shoal/runtime's crypto Random once it exists.
import { randomBytes } from 'node:crypto';
import { Uint32Random, type Random } from '@shoal/random';

/** Bytes fetched from the OS per refill; amortises the syscall over 256 draws. */
const CRYPTO_RANDOM_POOL_BYTES = 1024;

/**
 * CryptoRandom is a {@link Random} whose every draw comes from the OS CSPRNG
 * (`crypto.randomBytes`), for secrets such as join tokens. It is not reproducible; tests that
 * need determinism pass a SeededRandom instead.
 */
export class CryptoRandom extends Uint32Random {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** nextUint32 returns 32 bits from the OS CSPRNG. */
  nextUint32(): number {
    if (this.offset + 4 > this.pool.length) {
      this.pool = randomBytes(CRYPTO_RANDOM_POOL_BYTES);
      this.offset = 0;
    }
    const value = this.pool.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** fork returns another independent CryptoRandom. */
  fork(): Random {
    return new CryptoRandom();
  }
}
