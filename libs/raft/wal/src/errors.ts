/**
 * The WAL's and snapshotter's errors. They are I/O-shell failures (style guide §22): the
 * caller classifies them. All of them are permanent for the directory concerned: none is
 * fixed by retrying, and a node that sees one must stop rather than guess.
 */

/** WalError is the base class of every error this library throws on purpose. */
export class WalError extends Error {
  override readonly name: string = 'WalError';
}

/**
 * WalCorruptError says a WAL or snapshot file breaks its format in a way a crash cannot
 * explain (e.g. a bad record followed by valid ones). `path` names the file and `offset` the
 * first bad byte when known. Nothing was modified on disk when it was thrown.
 */
export class WalCorruptError extends WalError {
  override readonly name = 'WalCorruptError';
  constructor(
    readonly path: string,
    readonly offset: number | undefined,
    detail: string,
  ) {
    super(`corrupt ${path}${offset === undefined ? '' : ` at offset ${offset}`}: ${detail}`);
  }
}

/**
 * WalFailedError is thrown by every call on a WAL after one of its writes or syncs failed.
 * After a failed fsync the kernel may have dropped the dirty pages, so what is on disk is
 * unknown: the node must stop and recover by reopening the WAL. `cause` is the first error.
 */
export class WalFailedError extends WalError {
  override readonly name = 'WalFailedError';
  constructor(readonly firstError: unknown) {
    super(`wal failed earlier and refuses further calls: ${describe(firstError)}`, {
      cause: firstError,
    });
  }
}

/** WalNotFoundError says `Wal.open` found no segment in the directory. */
export class WalNotFoundError extends WalError {
  override readonly name = 'WalNotFoundError';
}

/** WalExistsError says `Wal.create` found a WAL already in the directory. */
export class WalExistsError extends WalError {
  override readonly name = 'WalExistsError';
}

/**
 * WalSnapshotNotFoundError says `Wal.open` was asked to start from a snapshot the WAL has no
 * marker for, so it cannot prove the entries after it are the ones that follow it.
 */
export class WalSnapshotNotFoundError extends WalError {
  override readonly name = 'WalSnapshotNotFoundError';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
