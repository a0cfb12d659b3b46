/**
 * INLINE_WRITE_WAL_FS is node:fs for the WAL with one difference: a small write (at most
 * RAFT_NODE_LIMITS.inlineWriteBytesMax, i.e. every Ready's batch of records in practice) is
 * done synchronously on the calling thread instead of on the libuv thread pool. Such a write
 * only copies bytes into the page cache (tens of microseconds), while the asynchronous form
 * costs a thread-pool hand-off and a wake-up of the event loop: measured on a loaded 2-core
 * box, 0.6–1 ms per Ready on every member, on the commit path of every write. fdatasync, the
 * part that waits for the disk, stays asynchronous so the loop keeps stepping messages and
 * proposals in meanwhile (group commit). Large writes (segment zero-fill) stay asynchronous.
 * This is what etcd does: its raft loop writes the WAL inline and only the fsync waits.
 */
import { constants, fdatasyncSync, promises as fsp, writeSync } from 'node:fs';
import { NODE_WAL_FS, type WalFile, type WalFs } from '@shoal/raft-wal';
import { RAFT_NODE_LIMITS } from '@shoal/limits';

/** InlineWriteFile is a node:fs WalFile whose small writes are synchronous. */
class InlineWriteFile implements WalFile {
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

  /** write writes all of `data` at `position`: inline when small, else on the thread pool. */
  async write(position: number, data: Uint8Array): Promise<void> {
    const inline = data.length <= RAFT_NODE_LIMITS.inlineWriteBytesMax;
    let done = 0;
    while (done < data.length) {
      const length = data.length - done;
      done += inline
        ? writeSync(this.handle.fd, data, done, length, position + done)
        : (await this.handle.write(data, done, length, position + done)).bytesWritten;
    }
  }

  async truncate(size: number): Promise<void> {
    await this.handle.truncate(size);
  }

  async datasync(): Promise<void> {
    await this.handle.datasync();
  }

  /** datasyncInline is fdatasync on the event loop (see WalFile.datasyncInline). */
  datasyncInline(): void {
    fdatasyncSync(this.handle.fd);
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** INLINE_WRITE_WAL_FS: NODE_WAL_FS with {@link InlineWriteFile}s (see the file comment). */
export const INLINE_WRITE_WAL_FS: WalFs = Object.freeze({
  ...NODE_WAL_FS,
  async open(path: string, options: { create: boolean }): Promise<WalFile> {
    // Not 'a+': on Linux, O_APPEND makes every positional write append instead.
    const flags = constants.O_RDWR | (options.create ? constants.O_CREAT : 0);
    return new InlineWriteFile(await fsp.open(path, flags, 0o644));
  },
});
