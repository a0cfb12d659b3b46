/**
 * Wal is raft's write-ahead log: a directory of preallocated segment files holding entries,
 * hard states and snapshot markers (format: `record-format.ts`; recovery: `wal-replay.ts`).
 *
 * Group commit: the raft-store hands a whole Ready to one `save`, which is one write and at
 * most one fdatasync (two writes and extra syncs only when the batch crosses into a new
 * segment). Any I/O error puts the WAL in a failed state for good: after a failed fsync the
 * kernel may have dropped the dirty pages, so the node must stop rather than go on on a lie.
 *
 * Segment pipeline: whenever a segment becomes the tail, the next one is prepared in the
 * background (`segment-preparation.ts`: zero-filled and fsynced under a temporary name), so
 * the save that crosses into it only seals the tail, writes the new header and renames the
 * prepared file into place; if the preparation is still running, the cut waits for it.
 */
import { posix } from 'node:path';
import { assert, assertNever, AssertionFailure } from '@shoal/assert';
import { WalCorruptError, WalExistsError, WalFailedError, WalNotFoundError } from './errors';
import { WAL_LIMITS } from '@shoal/limits';
import { NODE_WAL_FS } from './node-wal-fs';
import {
  alignUp,
  encodeRecordInto,
  entryDataBytesMax,
  formatSegmentName,
  parseSegmentName,
  recordBytes,
  RecordType,
  SEGMENT_SUFFIX,
  type SegmentHeader,
  type SegmentName,
  type SnapshotMarker,
  type WalMetadata,
  type WalRecord,
} from './record-format';
import type { Entry, HardState } from '@shoal/raft';
import type { WalFile, WalFs } from './wal-fs';
import {
  preparedSegmentPath,
  SegmentPreparation,
  writeZeros,
} from './segment-preparation';
import { WalReplayer, type ReplayLog, type ReplayState } from './wal-replay';

/** SlowSyncEvent reports an fsync that took longer than WAL_LIMITS.syncWarnMs. */
export interface SlowSyncEvent {
  path: string;
  durationMs: number;
}

/** WalOptions configure where a WAL lives and how it does I/O; only `dir` is required. */
export interface WalOptions {
  /** The WAL directory; `create` makes it, `open` reads it. */
  dir: string;
  /** File system; defaults to node:fs. Tests and the simulator pass MemoryWalFs. */
  fs?: WalFs;
  /** Segment preallocation size; defaults to WAL_LIMITS.segmentBytesDefault. */
  segmentBytes?: number;
  /** Largest record payload; defaults to WAL_LIMITS.recordBytesMaxDefault. */
  recordBytesMax?: number;
  /** Monotonic milliseconds for timing fsyncs; defaults to performance.now. */
  now?: () => number;
  /** Called after an fsync slower than WAL_LIMITS.syncWarnMs (etcd logs a warning). */
  onSlowSync?: (event: SlowSyncEvent) => void;
}

/** WalCreateOptions add the identity a new WAL records in every segment. */
export interface WalCreateOptions extends WalOptions {
  metadata: WalMetadata;
}

/** WalOpenOptions add the snapshot the caller restored, if any. */
export interface WalOpenOptions extends WalOptions {
  /**
   * The snapshot the caller loaded; entries up to its index are not returned, and the WAL
   * must hold a marker for it that its saved commit covers (WalSnapshotNotFoundError
   * otherwise). Default: none, i.e. the log from index 1.
   */
  fromSnapshot?: SnapshotMarker;
}

/** WalOpenResult is an opened WAL, ready to append, and the state it recorded. */
export interface WalOpenResult {
  wal: Wal;
  metadata: WalMetadata;
  hardState: HardState;
  /** Entries after `fromSnapshot`, contiguous, with raft truncations applied. */
  entries: Entry[];
  /** The newest snapshot marker the saved commit covers ({0, 0} if there is none). */
  snapshotMarker: SnapshotMarker;
  /** Set when a torn tail was cut off: the segment and the offset where the log now ends. */
  repairedTail?: { path: string; offset: number; reason: string | undefined };
  /**
   * Set when the log went on past a snapshot marker its saved commit does not cover (an
   * installed snapshot whose HardState a crash lost): the marker is ignored and the entries
   * recorded after it are not returned (none of them was acknowledged; see `wal-replay.ts`).
   */
  ignoredSnapshot?: { marker: SnapshotMarker; droppedEntries: number };
}

/** WalSaveBatch is what one Ready asks to persist. */
export interface WalSaveBatch {
  /** The new hard state; written only if it differs from the last one saved. */
  hardState?: HardState;
  /** New entries, contiguous; the first may overwrite earlier ones (raft truncation). */
  entries: readonly Entry[];
  /** Whether the batch must be durable when `save` resolves (raft's MustSync). */
  mustSync: boolean;
  /**
   * Do the fdatasync on the calling thread when the file system offers it
   * (`WalFile.datasyncInline`): for a caller that waits for the sync with nothing to do
   * meanwhile (a raft follower), this saves a thread-pool round trip per save.
   */
  inlineSync?: boolean;
}

interface Config {
  dir: string;
  fs: WalFs;
  segmentBytes: number;
  recordBytesMax: number;
  now: () => number;
  onSlowSync: (event: SlowSyncEvent) => void;
}

/**
 * LogState is what the WAL knows of the log it appends to. The `recorded` fields follow the
 * records exactly as the replayer does (every new segment header repeats them, and replay
 * checks them); the others bound what a caller may append next. They differ only after an
 * open that ignored a marker its commit did not cover.
 */
interface LogState {
  hardState: HardState;
  /** The snapshot entries must follow: the one opened from, or the last one saved since. */
  snapshotMarker: SnapshotMarker;
  /** Entries appended next have index <= nextIndex; nextIndex > snapshotMarker.index. */
  nextIndex: number;
  /** The last marker recorded, trusted or not. */
  recordedMarker: SnapshotMarker;
  /** One past the last entry recorded, or past a marker recorded after it. */
  recordedNextIndex: number;
}

interface Tail {
  file: WalFile;
  path: string;
  seq: number;
  /** Where the next record goes. */
  offset: number;
  /** Whether bytes were written since the last sync. */
  dirty: boolean;
}

function resolveConfig(options: WalOptions): Config {
  const segmentBytes = options.segmentBytes ?? WAL_LIMITS.segmentBytesDefault;
  const recordBytesMax = options.recordBytesMax ?? WAL_LIMITS.recordBytesMaxDefault;
  assert(Number.isSafeInteger(segmentBytes), 'segment size is an integer');
  assert(segmentBytes >= WAL_LIMITS.segmentBytesMin, 'segment size at least the minimum');
  assert(segmentBytes % WAL_LIMITS.alignmentBytes === 0, 'segment size is aligned');
  assert(Number.isSafeInteger(recordBytesMax), 'record size is an integer');
  assert(recordBytesMax >= WAL_LIMITS.recordBytesMaxFloor, 'record size at least the floor');
  assert(
    WAL_LIMITS.segmentHeaderRecordBytes +
      alignUp(WAL_LIMITS.recordHeaderBytes + recordBytesMax) <=
      segmentBytes,
    'the largest record fits in a segment after its header record',
  );
  return {
    dir: options.dir,
    fs: options.fs ?? NODE_WAL_FS,
    segmentBytes,
    recordBytesMax,
    now: options.now ?? (() => performance.now()),
    onSlowSync: options.onSlowSync ?? (() => undefined),
  };
}

/** Wal is an open write-ahead log; see the file comment. Calls must not overlap. */
export class Wal {
  private failure: { error: unknown } | undefined;
  private busy = false;
  private closed = false;
  /** The next segment, being prepared in the background; undefined only while cutting. */
  private preparation: SegmentPreparation | undefined;

  private constructor(
    private readonly config: Config,
    private readonly metadata: WalMetadata,
    private readonly log: LogState,
    /** Segments on disk, oldest first; the last one is the tail. */
    private segments: SegmentName[],
    private tail: Tail,
  ) {
    this.preparation = new SegmentPreparation(config);
  }

  /**
   * create makes a new, empty WAL in `options.dir` atomically: it builds the first segment in
   * `<dir>.tmp`, syncs it, renames the directory into place and syncs the parent. It throws
   * WalExistsError if `dir` exists and is not empty. The returned WAL is open for appending.
   */
  static async create(options: WalCreateOptions): Promise<Wal> {
    const config = resolveConfig(options);
    const { fs, dir } = config;
    assert(options.metadata.nodeId > 0, 'node id is set');
    if (await fs.exists(dir)) {
      const names = await fs.readdir(dir);
      if (names.some(isSegmentFile)) throw new WalExistsError(`a WAL already exists in ${dir}`);
      if (names.length > 0) throw new WalExistsError(`${dir} is not empty: ${names[0]}`);
    }
    const temporary = `${dir}.tmp`;
    await fs.remove(temporary);
    await fs.mkdir(temporary);
    const header: SegmentHeader = {
      seq: 0,
      firstIndex: 1,
      metadata: { ...options.metadata },
      hardState: { term: 0, vote: 0, commit: 0 },
      snapshotMarker: { index: 0, term: 0 },
    };
    const name = formatSegmentName(header);
    const file = await createSegmentFile(config, posix.join(temporary, name), header);
    await fs.syncDir(temporary);
    await fs.remove(dir);
    await fs.rename(temporary, dir);
    await fs.syncDir(posix.dirname(dir));
    const tail: Tail = {
      file: file.file,
      path: posix.join(dir, name),
      seq: 0,
      offset: file.offset,
      dirty: false,
    };
    const segments = [{ seq: header.seq, firstIndex: header.firstIndex }];
    const { metadata, hardState, snapshotMarker } = header;
    const log: LogState = {
      hardState,
      snapshotMarker,
      nextIndex: 1,
      recordedMarker: snapshotMarker,
      recordedNextIndex: 1,
    };
    return new Wal(config, metadata, log, segments, tail);
  }

  /**
   * open replays the WAL in `options.dir` and returns it open for appending, with the state it
   * recorded. A torn tail of the last segment is zeroed and synced (`repairedTail`); anything
   * else that does not decode throws WalCorruptError and changes nothing on disk (but for
   * removing a leftover temporary segment). Throws WalNotFoundError if there is no segment,
   * WalSnapshotNotFoundError (see `fromSnapshot`, and if the log after it goes on only past a
   * later covered marker). The next segment's preparation starts in the background.
   */
  static async open(options: WalOpenOptions): Promise<WalOpenResult> {
    const config = resolveConfig(options);
    const segments = await listSegments(config);
    const fromSnapshot = options.fromSnapshot ?? { index: 0, term: 0 };
    const replayer = await replay(config, segments);
    const state = replayer.finish();
    const log = replayer.logAfter(fromSnapshot);
    const last = segments[segments.length - 1];
    const path = posix.join(config.dir, formatSegmentName(last));
    const file = await config.fs.open(path, { create: false });
    const tail: Tail = { file, path, seq: last.seq, offset: state.tail.validBytes, dirty: false };
    let repairedTail: WalOpenResult['repairedTail'];
    if (state.tail.dirty) {
      await writeZeros(file, tail.offset, await file.size());
      await timedSync(config, tail.path, () => file.datasync());
      repairedTail = { path, offset: tail.offset, reason: state.tail.reason };
    }
    const opened = openedLog(state, log, fromSnapshot);
    const wal = new Wal(config, state.metadata, opened, segments, tail);
    const result: WalOpenResult = {
      wal,
      metadata: state.metadata,
      hardState: state.hardState,
      entries: log.entries,
      snapshotMarker: state.newestSnapshotMarker,
    };
    if (repairedTail !== undefined) result.repairedTail = repairedTail;
    if (log.ignoredSnapshot !== undefined) result.ignoredSnapshot = log.ignoredSnapshot;
    return result;
  }

  /**
   * readSnapshotMarkers returns the snapshot markers in the WAL at `options.dir` whose index
   * its hard state has committed, oldest first, without changing anything on disk: pass them
   * to `Snapshotter.loadNewestAvailable`, then open the WAL from the snapshot it returns.
   * Throws like `open` (WalNotFoundError, WalCorruptError).
   */
  static async readSnapshotMarkers(options: WalOptions): Promise<SnapshotMarker[]> {
    const config = resolveConfig(options);
    const segments = await listSegments(config, { removeTemporary: false });
    return (await replay(config, segments)).finish().snapshotMarkers;
  }

  /**
   * save appends `batch.entries` and then the hard state (if it changed), in one write, and
   * fdatasyncs once if `batch.mustSync`. When it resolves with mustSync, the batch is durable.
   * Contract: entries are contiguous, the first at most one past the last saved entry and
   * after the latest snapshot marker; each entry's data fits recordBytesMax. Throws
   * WalFailedError if this or any earlier I/O failed.
   */
  async save(batch: WalSaveBatch): Promise<void> {
    this.checkBatch(batch);
    const records: WalRecord[] = batch.entries.map((entry) => ({ type: RecordType.Entry, entry }));
    if (batch.hardState !== undefined && !sameHardState(batch.hardState, this.log.hardState)) {
      records.push({ type: RecordType.HardState, hardState: { ...batch.hardState } });
    }
    await this.guard(async () => {
      await this.append(records);
      if (batch.mustSync) await this.syncTail(batch.inlineSync === true);
    });
  }

  /**
   * saveSnapshotMarker records that the snapshot at `marker` is durable on disk, and syncs.
   * Call it after the snapshot file is saved and before `releaseBefore(marker.index)`. The
   * marker counts (for `readSnapshotMarkers`, `fromSnapshot` and the log after a restart)
   * only once a saved hard state's commit covers it: save that hard state right after (raft's
   * Ready carries it with a received snapshot), or before (a snapshot of applied entries).
   * Contract: markers never go back (index and term at least the previous ones).
   */
  async saveSnapshotMarker(marker: SnapshotMarker): Promise<void> {
    this.checkOpen();
    const previous = this.log.snapshotMarker;
    assert(Number.isSafeInteger(marker.index) && marker.index > 0, 'marker index positive');
    assert(marker.index >= previous.index, 'snapshot markers never go back');
    assert(marker.term >= previous.term, 'snapshot marker terms never go back');
    await this.guard(async () => {
      await this.append([{ type: RecordType.SnapshotMarker, snapshotMarker: { ...marker } }]);
      await this.syncTail();
    });
  }

  /**
   * releaseBefore deletes every segment whose entries all precede `index`, i.e. each segment
   * but the last one whose successor starts at or before `index`. Contract: `index` is at
   * most the latest saved snapshot marker's index, so nothing needed after a restart goes.
   */
  async releaseBefore(index: number): Promise<void> {
    this.checkOpen();
    assert(index <= this.log.snapshotMarker.index, 'release only what a saved snapshot covers');
    let count = 0;
    while (count < this.segments.length - 1 && this.segments[count + 1].firstIndex <= index) {
      count += 1;
    }
    if (count === 0) return;
    await this.guard(async () => {
      // Oldest first, each removal made durable before the next, so a crash can only leave
      // a contiguous run of segments (a gap would read as corruption).
      while (count > 0) {
        const oldest = this.segments[0];
        await this.config.fs.remove(posix.join(this.config.dir, formatSegmentName(oldest)));
        await this.config.fs.syncDir(this.config.dir);
        this.segments = this.segments.slice(1);
        count -= 1;
      }
    });
  }

  /**
   * close syncs unsynced writes and releases the file; after it every call fails an assert.
   * On a failed WAL (or if that sync fails) it still releases the file, then throws
   * WalFailedError like every other call.
   */
  async close(): Promise<void> {
    assert(!this.closed, 'wal is open');
    assert(!this.busy, 'wal calls do not overlap');
    if (this.failure === undefined) {
      try {
        await this.guard(async () => {
          await this.syncTail();
          await this.tail.file.close();
          await this.discardPreparation();
        });
        this.closed = true;
        return;
      } catch (error) {
        if (error instanceof AssertionFailure) throw error;
        // The failure is recorded; fall through to release the handle and rethrow.
      }
    }
    this.closed = true;
    await this.tail.file.close().catch(() => undefined);
    await this.discardPreparation();
    throw new WalFailedError(this.failure?.error);
  }

  /** failed reports whether an I/O error has put this WAL in its failed state. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** segmentNames lists the segment files this WAL holds, oldest first. */
  segmentNames(): string[] {
    return this.segments.map(formatSegmentName);
  }

  private checkOpen(): void {
    assert(!this.closed, 'wal is open');
    assert(!this.busy, 'wal calls do not overlap');
    if (this.failure !== undefined) throw new WalFailedError(this.failure.error);
  }

  private checkBatch(batch: WalSaveBatch): void {
    this.checkOpen();
    const entries = batch.entries;
    const maxData = entryDataBytesMax(this.config.recordBytesMax);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      assert(Number.isSafeInteger(entry.index) && entry.index >= 1, 'entry index positive');
      assert(Number.isSafeInteger(entry.term) && entry.term >= 1, 'entry term positive');
      assert(entry.data.length <= maxData, 'entry data fits in one record');
      if (i > 0) assert(entry.index === entries[i - 1].index + 1, 'entries are contiguous');
      if (i > 0) assert(entry.term >= entries[i - 1].term, 'entry terms never go back');
    }
    if (entries.length > 0) {
      assert(entries[0].index <= this.log.nextIndex, 'entries leave no gap in the log');
      assert(entries[0].index > this.log.snapshotMarker.index, 'entries follow the snapshot');
    }
    const hardState = batch.hardState;
    if (hardState !== undefined) {
      assert(hardState.term >= this.log.hardState.term, 'hard state term never goes back');
      assert(hardState.commit >= this.log.hardState.commit, 'commit index never goes back');
    }
  }

  /** guard runs `body` as the only call in flight and fails the WAL on any I/O error. */
  private async guard(body: () => Promise<void>): Promise<void> {
    this.checkOpen();
    this.busy = true;
    try {
      await body();
    } catch (error) {
      if (error instanceof AssertionFailure) throw error;
      this.failure = { error };
      throw new WalFailedError(error);
    } finally {
      this.busy = false;
    }
  }

  /** append writes `records` at the tail, cutting new segments as they fill up. */
  private async append(records: readonly WalRecord[]): Promise<void> {
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const size = recordBytes(records[i]);
      if (this.tail.offset + bytes + size > this.config.segmentBytes) {
        await this.writeRecords(records.slice(start, i), bytes);
        await this.cut();
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    await this.writeRecords(records.slice(start), bytes);
  }

  /** writeRecords encodes `records` (`bytes` long) at the tail in one write. */
  private async writeRecords(records: readonly WalRecord[], bytes: number): Promise<void> {
    if (records.length === 0) return;
    const buffer = new Uint8Array(bytes);
    let at = 0;
    for (const record of records) {
      const position = { segmentSeq: this.tail.seq, offset: this.tail.offset + at };
      at += encodeRecordInto(buffer, at, record, position);
    }
    assert(at === bytes, 'records fill the buffer exactly');
    await this.tail.file.write(this.tail.offset, buffer);
    this.tail.offset += bytes;
    this.tail.dirty = true;
    for (const record of records) this.noteWritten(record);
  }

  /** noteWritten advances the in-memory state past a record now written to the tail. */
  private noteWritten(record: WalRecord): void {
    const log = this.log;
    switch (record.type) {
      case RecordType.Entry:
        log.nextIndex = record.entry.index + 1;
        log.recordedNextIndex = record.entry.index + 1;
        return;
      case RecordType.HardState:
        log.hardState = record.hardState;
        return;
      case RecordType.SnapshotMarker: {
        const marker = record.snapshotMarker;
        log.snapshotMarker = marker;
        log.recordedMarker = marker;
        log.nextIndex = Math.max(log.nextIndex, marker.index + 1);
        log.recordedNextIndex = Math.max(log.recordedNextIndex, marker.index + 1);
        return;
      }
      case RecordType.Segment:
        return assert(false, 'segment headers are written only by cut');
      default:
        return assertNever(record, 'wal record');
    }
  }

  private async syncTail(inline = false): Promise<void> {
    if (!this.tail.dirty) return;
    const file = this.tail.file;
    const syncInline = inline ? file.datasyncInline?.bind(file) : undefined;
    const sync = syncInline === undefined ? () => file.datasync() : () => {
      syncInline();
      return Promise.resolve();
    };
    await timedSync(this.config, this.tail.path, sync);
    this.tail.dirty = false;
  }

  /**
   * cut seals the tail segment (truncate to its records, fsync, close) and makes the prepared
   * next segment the tail: header written and synced, renamed into place, directory synced.
   * It waits for the preparation if it is still running (it never prepares a second file),
   * throws its error if it failed, and then starts preparing the segment after.
   */
  private async cut(): Promise<void> {
    const prepared = await this.takePrepared();
    let installed = false;
    try {
      const sealed = this.tail;
      await sealed.file.truncate(sealed.offset);
      await timedSync(this.config, sealed.path, () => sealed.file.sync());
      await sealed.file.close();
      const header: SegmentHeader = {
        seq: sealed.seq + 1,
        firstIndex: this.log.recordedNextIndex,
        metadata: this.metadata,
        hardState: this.log.hardState,
        snapshotMarker: this.log.recordedMarker,
      };
      const path = posix.join(this.config.dir, formatSegmentName(header));
      const bytes = encodeHeader(header);
      await prepared.write(0, bytes);
      // The preparation fsynced the file's size and zeros; only the header is new data.
      await timedSync(this.config, path, () => prepared.datasync());
      await this.config.fs.rename(preparedSegmentPath(this.config.dir), path);
      await this.config.fs.syncDir(this.config.dir);
      this.tail = { file: prepared, path, seq: header.seq, offset: bytes.length, dirty: false };
      this.segments.push({ seq: header.seq, firstIndex: header.firstIndex });
      installed = true;
    } finally {
      if (!installed) await prepared.close().catch(() => undefined);
    }
    this.preparation = new SegmentPreparation(this.config);
  }

  /** takePrepared waits for the next segment's preparation and returns its file. */
  private async takePrepared(): Promise<WalFile> {
    const preparation = this.preparation;
    assert(preparation !== undefined, 'the next segment is being prepared');
    this.preparation = undefined;
    const result = await preparation.done;
    if ('error' in result) throw result.error;
    return result.file;
  }

  /**
   * discardPreparation stops the next segment's preparation, closes its file and removes it.
   * Best effort, it never throws: the file is temporary, and `open` removes a leftover one.
   */
  private async discardPreparation(): Promise<void> {
    const preparation = this.preparation;
    if (preparation === undefined) return;
    this.preparation = undefined;
    preparation.cancel();
    const result = await preparation.done;
    if ('file' in result) await result.file.close().catch(() => undefined);
    await this.config.fs.remove(preparedSegmentPath(this.config.dir)).catch(() => undefined);
  }
}

function isSegmentFile(name: string): boolean {
  return parseSegmentName(name) !== undefined;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * openedLog is the state a WAL opened from snapshot `from` appends to: the log read after
 * `from` bounds the next entries, the records themselves what the next header repeats.
 */
function openedLog(state: ReplayState, log: ReplayLog, from: SnapshotMarker): LogState {
  return {
    hardState: state.hardState,
    snapshotMarker: { index: from.index, term: from.term },
    nextIndex: log.nextIndex,
    recordedMarker: state.recordedMarker,
    recordedNextIndex: state.recordedNextIndex,
  };
}

/** replay reads every segment, oldest first, into a replayer that has seen them all. */
async function replay(config: Config, segments: readonly SegmentName[]): Promise<WalReplayer> {
  const replayer = new WalReplayer({ dir: config.dir, recordBytesMax: config.recordBytesMax });
  for (let i = 0; i < segments.length; i++) {
    const path = posix.join(config.dir, formatSegmentName(segments[i]));
    const bytes = await config.fs.readFile(path);
    replayer.add({ path, ...segments[i], bytes }, i === segments.length - 1);
  }
  return replayer;
}

/**
 * listSegments returns the WAL's segments by sequence, removing leftover `.wal.tmp` files (an
 * interrupted cut or segment preparation) unless told not to (read-only callers).
 */
async function listSegments(
  config: Config,
  options: { removeTemporary: boolean } = { removeTemporary: true },
): Promise<SegmentName[]> {
  const { fs, dir } = config;
  if (!(await fs.exists(dir))) throw new WalNotFoundError(`no WAL directory ${dir}`);
  const names = await fs.readdir(dir);
  const temporary = names.filter((n) => n.endsWith(`${SEGMENT_SUFFIX}.tmp`));
  for (const name of options.removeTemporary ? temporary : []) {
    await fs.remove(posix.join(dir, name));
  }
  const segments = names
    .map(parseSegmentName)
    .filter((s): s is SegmentName => s !== undefined)
    .sort((a, b) => a.seq - b.seq);
  if (segments.length === 0) throw new WalNotFoundError(`no WAL segment in ${dir}`);
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].seq !== segments[i - 1].seq + 1) {
      const path = posix.join(dir, formatSegmentName(segments[i]));
      throw new WalCorruptError(path, undefined, `segment ${segments[i - 1].seq + 1} missing`);
    }
  }
  return segments;
}

/**
 * createSegmentFile creates `path`, preallocates it with zeros to the segment size, writes
 * `header` at offset 0 and fsyncs. It returns the open file and the offset after the header.
 */
async function createSegmentFile(
  config: Config,
  path: string,
  header: SegmentHeader,
): Promise<{ file: WalFile; offset: number }> {
  const file = await config.fs.open(path, { create: true });
  await file.truncate(0);
  await writeZeros(file, 0, config.segmentBytes);
  const buffer = encodeHeader(header);
  await file.write(0, buffer);
  await timedSync(config, path, () => file.sync());
  return { file, offset: buffer.length };
}

/** encodeHeader returns the segment header record for `header`, as it sits at offset 0. */
function encodeHeader(header: SegmentHeader): Uint8Array {
  const record: WalRecord = { type: RecordType.Segment, header };
  const buffer = new Uint8Array(recordBytes(record));
  encodeRecordInto(buffer, 0, record, { segmentSeq: header.seq, offset: 0 });
  return buffer;
}

async function timedSync(config: Config, path: string, sync: () => Promise<void>) {
  const start = config.now();
  await sync();
  const durationMs = config.now() - start;
  if (durationMs > WAL_LIMITS.syncWarnMs) config.onSlowSync({ path, durationMs });
}
