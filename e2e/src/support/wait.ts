// Polling with a deadline, for conditions that only the real system can make true.

/** POLL_MS is how often conditions are checked. */
export const POLL_MS = 250;

/**
 * until polls `check` until it returns a value other than undefined, and returns it. After
 * `timeoutMs` it throws with `what` and the last `describe()` so a failure says what was seen.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number,
  describe: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const seen = describe();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`
        + (seen === '' ? '' : `; last seen: ${seen}`) + (lastError === '' ? '' : `; last error: ${lastError}`));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
