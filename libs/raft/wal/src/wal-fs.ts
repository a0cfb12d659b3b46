/**
 * WalFs is the narrow file-system port the WAL and the snapshotter use, so that tests and
 * the deterministic simulator can substitute a fault-injecting double for node:fs. Every
 * method may reject with the underlying I/O error (an `Error` with a `code` like 'EIO').
 *
 * Durability model (what a correct implementation must honour and the WAL relies on):
 * - file data is durable only after `datasync()` or `sync()` on that file returns;
 * - a name (created, renamed, removed) is durable only after `syncDir()` of its directory;
 * - `rename` within one file system is atomic.
 */
export interface WalFs {
  /** mkdir creates `path` and missing parents; an existing directory is fine. */
  mkdir(path: string): Promise<void>;
  /** readdir returns the names (not paths) in directory `path`, in any order. */
  readdir(path: string): Promise<string[]>;
  /** exists reports whether `path` names a file or directory. */
  exists(path: string): Promise<boolean>;
  /** rename atomically moves `from` to `to`, replacing a file at `to`. */
  rename(from: string, to: string): Promise<void>;
  /** remove deletes a file, or a directory and everything under it; missing is fine. */
  remove(path: string): Promise<void>;
  /** readFile returns the whole content of a file. */
  readFile(path: string): Promise<Uint8Array>;
  /** open opens a file for reading and writing; `create` makes it (empty) if missing. */
  open(path: string, options: { create: boolean }): Promise<WalFile>;
  /** syncDir makes the names in directory `path` durable (fsync of the directory). */
  syncDir(path: string): Promise<void>;
}

/** WalFile is an open file handle. It must be closed exactly once. */
export interface WalFile {
  /** size returns the current length of the file in bytes. */
  size(): Promise<number>;
  /** read returns up to `length` bytes at `position` (fewer only at end of file). */
  read(position: number, length: number): Promise<Uint8Array>;
  /** write writes all of `data` at `position`, extending the file if needed. */
  write(position: number, data: Uint8Array): Promise<void>;
  /** truncate sets the file's length; new bytes read as zero. */
  truncate(size: number): Promise<void>;
  /** datasync makes the data (and the size) durable: fdatasync. */
  datasync(): Promise<void>;
  /**
   * datasyncInline, when offered, is `datasync` done on the calling thread: it blocks the
   * event loop for the length of the fdatasync but spares the thread-pool hand-off and the
   * wake-up that follows it. Callers use it only when they have nothing to overlap with it.
   */
  datasyncInline?(): void;
  /** sync makes data and all metadata durable: fsync. */
  sync(): Promise<void>;
  /** close releases the handle; it does not sync. */
  close(): Promise<void>;
}
