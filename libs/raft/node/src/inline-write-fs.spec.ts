// Goal: INLINE_WRITE_WAL_FS behaves as node:fs for the WAL: small writes (inline) and large
// writes (thread pool) land at their positions, and the rest of the port is node:fs; a WAL
// save marked inlineSync fdatasyncs on the calling thread, any other one in the thread pool.
// Method: a temp directory, writes of both sizes, read back; a Wal over a spying WalFs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Wal, type WalFile, type WalFs } from '@shoal/raft-wal';
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

  it('fdatasyncs inline only for saves marked inlineSync', async () => {
    const calls: string[] = [];
    const spying: WalFs = {
      ...INLINE_WRITE_WAL_FS,
      async open(name, options) {
        const file = await INLINE_WRITE_WAL_FS.open(name, options);
        const spy: WalFile = Object.create(file) as WalFile;
        spy.datasync = () => {
          calls.push('pool');
          return file.datasync();
        };
        spy.datasyncInline = () => {
          calls.push('inline');
          file.datasyncInline?.();
        };
        return spy;
      },
    };
    const wal = await Wal.create({ dir: path.join(dir, 'wal'), fs: spying, metadata: { nodeId: 1, clusterId: 0 } });
    calls.length = 0;
    const entry = (index: number) => ({ term: 1, index, type: 0, data: new Uint8Array([index]) });
    await wal.save({ entries: [entry(1)], mustSync: true, inlineSync: true });
    await wal.save({ entries: [entry(2)], mustSync: true });
    expect(calls).toEqual(['inline', 'pool']);
    await wal.close();
  });
});
