/**
 * SegmentPreparation builds the WAL's next segment file in the background, as etcd's file
 * pipeline does, so that a `save` that fills the tail only has to write a header into a file
 * that is already zero-filled and durable, instead of zero-filling 64 MiB inline.
 *
 * The file is `PREPARED_SEGMENT_NAME` in the WAL directory: created (or emptied), zero-filled
 * to the segment size, fsynced. Its name is never made durable here: only the cut that takes
 * it renames it into place and syncs the directory. Its name ends in `.wal.tmp`, so a
 * preparation a crash interrupted is removed when the WAL is opened, like an interrupted cut.
 */
import { posix } from 'node:path';
import { assert } from '@shoal/assert';
import { WAL_LIMITS } from '@shoal/limits';
import type { WalFile, WalFs } from './wal-fs';

/** PREPARED_SEGMENT_NAME is the file name of the next segment while it is prepared. */
export const PREPARED_SEGMENT_NAME = 'next.wal.tmp';

/** PreparationResult is how a preparation ended: with the ready file, or with an error. */
export type PreparationResult = { file: WalFile } | { error: unknown };

/** PreparationConfig is what a preparation needs to know of the WAL. */
export interface PreparationConfig {
  dir: string;
  fs: WalFs;
  segmentBytes: number;
}

/** preparedSegmentPath returns the path of the prepared segment file in `dir`. */
export function preparedSegmentPath(dir: string): string {
  return posix.join(dir, PREPARED_SEGMENT_NAME);
}

/**
 * SegmentPreparation is one background preparation, started by the constructor. `done`
 * never rejects: an I/O error is the result, for the cut that needs the file to throw.
 * Invariant: at most one exists per WAL (the WAL starts the next one after taking this one).
 */
export class SegmentPreparation {
  /** Settles when the file is ready or the preparation failed or was cancelled. */
  readonly done: Promise<PreparationResult>;
  private cancelled = false;

  constructor(private readonly config: PreparationConfig) {
    this.done = this.run().then(
      (file): PreparationResult => ({ file }),
      (error: unknown): PreparationResult => ({ error }),
    );
  }

  /** cancel stops the preparation at its next chunk; `done` then settles with an error. */
  cancel(): void {
    this.cancelled = true;
  }

  private async run(): Promise<WalFile> {
    const { fs, segmentBytes } = this.config;
    const path = preparedSegmentPath(this.config.dir);
    const file = await fs.open(path, { create: true });
    try {
      await file.truncate(0);
      await writeZeros(file, 0, segmentBytes, () => this.cancelled);
      if (this.cancelled) throw new Error(`preparation of ${path} cancelled`);
      await file.sync();
      return file;
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }
}

/**
 * writeZeros writes zeros over bytes [from, to) of `file`, a chunk of
 * WAL_LIMITS.zeroChunkBytes at a time, and stops early once `stop` says so.
 */
export async function writeZeros(
  file: WalFile,
  from: number,
  to: number,
  stop: () => boolean = () => false,
): Promise<void> {
  assert(Number.isSafeInteger(from) && from >= 0, 'zeros start at a file offset');
  const chunk = new Uint8Array(Math.min(WAL_LIMITS.zeroChunkBytes, Math.max(0, to - from)));
  for (let at = from; at < to && !stop(); at += chunk.length) {
    await file.write(at, chunk.subarray(0, Math.min(chunk.length, to - at)));
  }
}
