/**
 * Snapshotter keeps raft snapshots as files in one directory (format: `snapshot-format.ts`).
 * Saving is crash-safe: write `<name>.tmp`, fsync it, rename it into place, fsync the
 * directory, so a snapshot file either is complete and durable or does not exist. Loading
 * takes the newest snapshot that decodes (and that the WAL knows about, if told), and moves
 * any broken file aside with a `.broken` suffix instead of deleting evidence.
 */
import { posix } from 'node:path';
import { assert } from '@shoal/assert';
import { WAL_LIMITS } from '@shoal/limits';
import { NODE_WAL_FS } from './node-wal-fs';
import type { SnapshotMarker } from './record-format';
import {
  decodeSnapshotFile,
  encodeSnapshotFile,
  formatSnapshotName,
  parseSnapshotName,
  SNAPSHOT_SUFFIX,
  SnapshotFileProblem,
} from './snapshot-format';
import type { Snapshot } from '@shoal/raft';
import type { WalFs } from './wal-fs';

/** SnapshotFileInfo names one snapshot file in the directory. */
export interface SnapshotFileInfo {
  term: number;
  index: number;
  /** File name inside the directory. */
  name: string;
}

/** SnapshotterOptions say where snapshots live; `fs` defaults to node:fs. */
export interface SnapshotterOptions {
  dir: string;
  fs?: WalFs;
  /** Called for each file moved aside as broken, with the reason (e.g. to log it). */
  onBroken?: (event: { name: string; reason: string }) => void;
}

const TEMPORARY_SUFFIX = '.tmp';
const BROKEN_SUFFIX = '.broken';

/**
 * Snapshotter saves, lists, loads and purges snapshot files; see the file comment.
 * Calls must not overlap (the raft-store runs them from its one storage loop).
 */
export class Snapshotter {
  private readonly dir: string;
  private readonly fs: WalFs;
  private readonly onBroken: (event: { name: string; reason: string }) => void;

  constructor(options: SnapshotterOptions) {
    this.dir = options.dir;
    this.fs = options.fs ?? NODE_WAL_FS;
    this.onBroken = options.onBroken ?? (() => undefined);
  }

  /**
   * save writes `snapshot` durably as `%016x-%016x.snap` (term, index): temp file, fsync,
   * rename, directory fsync. It creates the directory if needed and replaces a file of the
   * same name. Contract: snapshot index >= 1. I/O errors are thrown as they come.
   */
  async save(snapshot: Snapshot): Promise<void> {
    const bytes = encodeSnapshotFile(snapshot);
    const name = formatSnapshotName(snapshot.metadata);
    const path = posix.join(this.dir, name);
    const temporary = `${path}${TEMPORARY_SUFFIX}`;
    await this.fs.mkdir(this.dir);
    const file = await this.fs.open(temporary, { create: true });
    try {
      await file.truncate(0);
      await file.write(0, bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await this.fs.rename(temporary, path);
    await this.fs.syncDir(this.dir);
  }

  /**
   * list returns the snapshot files by (index, term), oldest first. Temporary and broken
   * files are not listed. A missing directory lists as empty.
   */
  async list(): Promise<SnapshotFileInfo[]> {
    if (!(await this.fs.exists(this.dir))) return [];
    const infos: SnapshotFileInfo[] = [];
    for (const name of await this.fs.readdir(this.dir)) {
      const parsed = parseSnapshotName(name);
      if (parsed !== undefined) infos.push({ ...parsed, name });
    }
    return infos.sort((a, b) => a.index - b.index || a.term - b.term);
  }

  /**
   * loadNewestAvailable returns the newest snapshot that decodes and whose name matches its
   * content, or `undefined` if there is none. With `walSnapshots` (the markers the WAL holds),
   * only snapshots the WAL knows about are considered; others are skipped, not broken.
   * A file that fails to decode is renamed `<name>.broken` and the next older one is tried.
   */
  async loadNewestAvailable(
    walSnapshots?: readonly SnapshotMarker[],
  ): Promise<Snapshot | undefined> {
    const known = (info: SnapshotFileInfo): boolean =>
      walSnapshots === undefined ||
      walSnapshots.some((m) => m.index === info.index && m.term === info.term);
    const candidates = (await this.list()).filter(known).reverse();
    for (const info of candidates) {
      const bytes = await this.fs.readFile(posix.join(this.dir, info.name));
      const decoded = decodeSnapshotFile(bytes);
      const problem = snapshotProblem(info, decoded);
      if (problem === undefined) {
        assert(!(decoded instanceof SnapshotFileProblem), 'no problem means a snapshot');
        return decoded;
      }
      await this.setAside(info.name, problem);
    }
    return undefined;
  }

  /**
   * purge deletes all but the newest `keep` snapshot files, and leftover temporary files,
   * then syncs the directory. It returns the names it deleted. Broken files are kept.
   */
  async purge(keep: number = WAL_LIMITS.snapshotFilesKeepDefault): Promise<string[]> {
    assert(Number.isSafeInteger(keep) && keep >= 1, 'purge keeps at least one snapshot');
    if (!(await this.fs.exists(this.dir))) return [];
    const infos = await this.list();
    const doomed = infos.slice(0, Math.max(0, infos.length - keep)).map((info) => info.name);
    const names = await this.fs.readdir(this.dir);
    doomed.push(...names.filter((n) => n.endsWith(`${SNAPSHOT_SUFFIX}${TEMPORARY_SUFFIX}`)));
    for (const name of doomed) await this.fs.remove(posix.join(this.dir, name));
    if (doomed.length > 0) await this.fs.syncDir(this.dir);
    return doomed;
  }

  private async setAside(name: string, reason: string): Promise<void> {
    const path = posix.join(this.dir, name);
    await this.fs.rename(path, `${path}${BROKEN_SUFFIX}`);
    await this.fs.syncDir(this.dir);
    this.onBroken({ name, reason });
  }
}

function snapshotProblem(
  info: SnapshotFileInfo,
  decoded: Snapshot | SnapshotFileProblem,
): string | undefined {
  if (decoded instanceof SnapshotFileProblem) return decoded.reason;
  const { index, term } = decoded.metadata;
  if (index !== info.index || term !== info.term) {
    return `content is snapshot ${index}/${term}, name says ${info.index}/${info.term}`;
  }
  return undefined;
}
