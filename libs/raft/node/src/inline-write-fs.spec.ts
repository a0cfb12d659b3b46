// Goal: INLINE_WRITE_WAL_FS behaves as node:fs for the WAL: small writes (inline) and large
// writes (thread pool) land at their positions, and the rest of the port is node:fs.
// Method: a temp directory, writes of both sizes, read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INLINE_WRITE_WAL_FS } from './inline-write-fs';
import { RAFT_NODE_LIMITS } from '@shoal/limits';

describe('INLINE_WRITE_WAL_FS', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inline-write-fs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes small (inline) and large (thread pool) buffers at their positions', async () => {
    const file = await INLINE_WRITE_WAL_FS.open(path.join(dir, 'f'), { create: true });
    const small = new Uint8Array(100).fill(7);
    const large = new Uint8Array(RAFT_NODE_LIMITS.inlineWriteBytesMax + 1).fill(9);
    await file.write(10, small);
    await file.write(200, large);
    await file.datasync();
    expect(await file.size()).toBe(200 + large.length);
    expect(await file.read(10, 100)).toEqual(small);
    expect(await file.read(200, large.length)).toEqual(large);
    expect(await file.read(0, 10)).toEqual(new Uint8Array(10));
    await file.close();
    expect(await INLINE_WRITE_WAL_FS.readdir(dir)).toEqual(['f']);
  });
});
