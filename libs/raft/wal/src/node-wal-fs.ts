/**
 * NODE_WAL_FS is the real {@link WalFs} on node:fs/promises. The I/O runs on libuv's thread
 * pool, so an fsync blocks neither the event loop nor the raft-store's network handling.
 */
import { constants, promises as fsp } from 'node:fs';
import type { WalFile, WalFs } from './wal-fs';

class NodeWalFile implements WalFile {
  constructor(private readonly handle: fsp.FileHandle) {}

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(
        data,
        done,
        data.length - done,
        position + done,
      );
      done += bytesWritten;
    }
  }

  async truncate(size: number): Promise<void> {
    await this.handle.truncate(size);
  }

  async datasync(): Promise<void> {
    await this.handle.datasync();
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** NODE_WAL_FS implements {@link WalFs} with node:fs; see the port for the contract. */
export const NODE_WAL_FS: WalFs = Object.freeze({
  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  },
  async readdir(path: string): Promise<string[]> {
    return fsp.readdir(path);
  },
  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  },
  async rename(from: string, to: string): Promise<void> {
    await fsp.rename(from, to);
  },
  async remove(path: string): Promise<void> {
    await fsp.rm(path, { recursive: true, force: true });
  },
  async readFile(path: string): Promise<Uint8Array> {
    const buffer = await fsp.readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  async open(path: string, options: { create: boolean }): Promise<WalFile> {
    // NB: not 'a+': on Linux, O_APPEND makes every positional write append instead.
    const flags = constants.O_RDWR | (options.create ? constants.O_CREAT : 0);
    const handle = await fsp.open(path, flags, 0o644);
    return new NodeWalFile(handle);
  },
  async syncDir(path: string): Promise<void> {
    const handle = await fsp.open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
});
