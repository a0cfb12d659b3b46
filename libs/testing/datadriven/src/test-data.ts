/**
 * The data model of a datadriven test case: one directive (`command arg=val ...`), its
 * optional input lines, and the expected output, plus typed accessors for the arguments.
 */

/** CmdArg is one argument of a directive: `key`, `key=val` or `key=(v1,v2,...)`. */
export interface CmdArg {
  key: string;
  vals: string[];
}

/** TestData is one case of a script file. */
export class TestData {
  /** The constructor takes the parsed pieces; `pos` is "file:line" of the directive. */
  constructor(
    readonly pos: string,
    readonly cmd: string,
    readonly cmdArgs: CmdArg[],
    readonly input: string,
    readonly expected: string,
  ) {}

  /** has reports whether argument `key` is present. */
  has(key: string): boolean {
    return this.cmdArgs.some((a) => a.key === key);
  }

  /** arg returns argument `key`, or undefined. */
  arg(key: string): CmdArg | undefined {
    return this.cmdArgs.find((a) => a.key === key);
  }

  /** string returns the single value of `key`, or `fallback` when absent. */
  string(key: string, fallback?: string): string {
    const a = this.arg(key);
    if (a === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${this.pos}: ${this.cmd}: missing argument ${key}`);
    }
    if (a.vals.length !== 1) throw new Error(`${this.pos}: ${key} must have one value`);
    return a.vals[0] as string;
  }

  /** int returns the single integer value of `key`, or `fallback` when absent. */
  int(key: string, fallback?: number): number {
    if (!this.has(key) && fallback !== undefined) return fallback;
    const s = this.string(key);
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`${this.pos}: ${key}=${s} is not an integer`);
    return n;
  }

  /** bool returns the boolean value of `key` (a bare `key` is true), or `fallback`. */
  bool(key: string, fallback = false): boolean {
    const a = this.arg(key);
    if (a === undefined) return fallback;
    if (a.vals.length === 0) return true;
    const v = this.string(key);
    if (v !== 'true' && v !== 'false') throw new Error(`${this.pos}: ${key}=${v} is not a bool`);
    return v === 'true';
  }

  /** ints returns every value of `key` as integers ([] when absent). */
  ints(key: string): number[] {
    const a = this.arg(key);
    if (a === undefined) return [];
    return a.vals.map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new Error(`${this.pos}: ${key} value ${v} is not an integer`);
      return n;
    });
  }

  /**
   * positionalInts returns the bare integer arguments in order (e.g. `campaign 1` or
   * `stabilize 1 2`).
   */
  positionalInts(): number[] {
    return this.cmdArgs
      .filter((a) => a.vals.length === 0 && /^\d+$/.test(a.key))
      .map((a) => Number(a.key));
  }

  /** fail throws an error that names this case's position. */
  fail(message: string): never {
    throw new Error(`${this.pos}: ${this.cmd}: ${message}`);
  }
}
