// A cheap size estimate of messages, for bounding retained watch history by bytes.

/** Bytes charged per number, boolean, Date or container (roughly a tag and a varint). */
const SCALAR_BYTES = 8;

/**
 * approximateBytes estimates the encoded size of a message tree: string lengths, byte array
 * lengths and a fixed charge per other value. Deterministic; not the exact protobuf size.
 */
export function approximateBytes(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  for (let top = stack.pop(); stack.length > 0 || top !== undefined; top = stack.pop()) {
    if (typeof top === 'string') total += top.length + 2;
    else if (ArrayBuffer.isView(top)) total += top.byteLength + 2;
    else if (typeof top === 'object' && top !== null && !(top instanceof Date)) {
      total += 2;
      for (const [key, child] of Object.entries(top)) {
        if (!Array.isArray(top)) total += key.length > 0 ? 1 : 0;
        stack.push(child);
      }
    } else if (top !== undefined && top !== null) total += SCALAR_BYTES;
  }
  return total;
}
