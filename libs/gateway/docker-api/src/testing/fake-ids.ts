// Deterministic IDs and clock for the fake Control API.

/** FakeIds makes 25-character base-36 IDs from a seeded generator (distinct within a run). */
export class FakeIds {
  private state: number;

  /** Creates a generator; equal seeds give equal sequences. */
  constructor(seed = 1) {
    this.state = seed >>> 0;
  }

  private next(): number {
    // xorshift32: enough spread for unique-looking IDs in tests.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** id returns the next 25-character ID. */
  id(): string {
    let out = '';
    while (out.length < 25) out += this.next().toString(36);
    return out.slice(0, 25);
  }

  /** hex returns `bytes` random-looking bytes as hex (container IDs). */
  hex(bytes: number): string {
    let out = '';
    while (out.length < bytes * 2) out += this.next().toString(16).padStart(8, '0');
    return out.slice(0, bytes * 2);
  }
}
