/**
 * MemoryWalFs is an in-memory {@link WalFs} that models what survives a crash, counts calls
 * and injects faults. Tests use it to count fdatasyncs, fail an fsync, lose unsynced writes
 * or tear the tail of a write; the deterministic simulator can use it as a node's disk.
 *
 * Durability model (stricter than most real file systems, as a test double should be):
 * - a file's data is durable as of its last `datasync`/`sync`; later writes and truncations
 *   are pending, and `crash()` keeps none, all, or a byte prefix of them;
 * - a file name (create, rename, remove) is durable only after `syncDir` of its directory;
 * - `mkdir` is durable at once (the WAL's correctness never hinges on it).
 */
import { posix } from 'node:path';
import { assert } from '@shoal/assert';
import type { WalFile, WalFs } from './wal-fs';

/** FsOperation names the calls MemoryWalFs counts and can fail. */
export type FsOperation =
  | 'mkdir'
  | 'readdir'
  | 'rename'
  | 'remove'
  | 'readFile'
  | 'open'
  | 'syncDir'
  | 'read'
  | 'write'
  | 'truncate'
  | 'datasync'
  | 'sync';

/**
 * CrashPolicy says what happens to pending (unsynced) writes of each file at a crash:
 * `lose` drops them, `keep` applies them all, and `tear` applies them in order up to
 * `bytes` written bytes, cutting the write that crosses the limit (a torn tail).
 */
export type CrashPolicy =
  | { kind: 'lose' }
  | { kind: 'keep' }
  | { kind: 'tear'; bytes: number };

type PendingChange =
  | { kind: 'write'; position: number; bytes: Uint8Array }
  | { kind: 'truncate'; size: number };

class MemoryFile {
  kind = 'file' as const;
  data: Uint8Array = new Uint8Array(0);
  durable: Uint8Array = new Uint8Array(0);
  pending: PendingChange[] = [];

  apply(change: PendingChange): void {
    this.data = applyChange(this.data, change);
    this.pending.push(change);
  }

  markDurable(): void {
    for (const change of this.pending) this.durable = applyChange(this.durable, change);
    this.pending = [];
  }
}

class MemoryDir {
  kind = 'dir' as const;
  children = new Map<string, MemoryNode>();
  durableChildren = new Map<string, MemoryNode>();
}

type MemoryNode = MemoryFile | MemoryDir;

function applyChange(data: Uint8Array, change: PendingChange): Uint8Array {
  if (change.kind === 'truncate') {
    const next = new Uint8Array(change.size);
    next.set(data.subarray(0, Math.min(change.size, data.length)));
    return next;
  }
  const end = change.position + change.bytes.length;
  const next = end > data.length ? new Uint8Array(end) : data;
  if (next !== data) next.set(data);
  next.set(change.bytes, change.position);
  return next;
}

function ioError(code: string, operation: FsOperation, path: string): Error {
  const error = new Error(`${code}: ${operation} ${path} (injected)`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

interface Fault {
  operation: FsOperation;
  pathIncludes: string;
  code: string;
}

/** MemoryWalFs implements {@link WalFs} in memory; see the file comment for its model. */
export class MemoryWalFs implements WalFs {
  /** counts holds how many times each operation was called (failed calls included). */
  readonly counts: Record<FsOperation, number> = {
    mkdir: 0,
    readdir: 0,
    rename: 0,
    remove: 0,
    readFile: 0,
    open: 0,
    syncDir: 0,
    read: 0,
    write: 0,
    truncate: 0,
    datasync: 0,
    sync: 0,
  };
  private readonly root: MemoryDir;
  private faults: Fault[] = [];
  private callsBeforeDeath: number | undefined;

  constructor(root?: MemoryDir) {
    this.root = root ?? new MemoryDir();
  }

  /**
   * failNext makes the next `operation` on a path containing `pathIncludes` (any path if
   * omitted) reject with an error whose `code` is `code` (default 'EIO'), without effect.
   */
  failNext(operation: FsOperation, options: { pathIncludes?: string; code?: string } = {}) {
    this.faults.push({
      operation,
      pathIncludes: options.pathIncludes ?? '',
      code: options.code ?? 'EIO',
    });
  }

  /**
   * failAllAfter lets `calls` more calls through and makes every later one fail with EIO, as
   * a disk (or process) that died at that point. Combined with `crash`, it stops a protocol
   * at every possible step.
   */
  failAllAfter(calls: number): void {
    assert(Number.isSafeInteger(calls) && calls >= 0, 'call count is a natural number');
    this.callsBeforeDeath = calls;
  }

  /**
   * crash returns the file system a restarted process would see: durable names and data,
   * plus pending writes as `policy` says. This instance is left as it was (use the new one).
   */
  crash(policy: CrashPolicy): MemoryWalFs {
    const copies = new Map<MemoryNode, MemoryNode>();
    const rootCopy = new MemoryDir();
    copies.set(this.root, rootCopy);
    const stack: Array<[MemoryDir, MemoryDir]> = [[this.root, rootCopy]];
    for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
      const [source, target] = pair;
      for (const [name, child] of source.durableChildren) {
        let copy = copies.get(child);
        if (copy === undefined) {
          copy = child.kind === 'dir' ? new MemoryDir() : crashFile(child, policy);
          copies.set(child, copy);
          if (child.kind === 'dir') stack.push([child, copy as MemoryDir]);
        }
        target.children.set(name, copy);
        target.durableChildren.set(name, copy);
      }
    }
    return new MemoryWalFs(rootCopy);
  }

  /** fileBytes returns a copy of a file's current content (for test assertions). */
  fileBytes(path: string): Uint8Array {
    const node = this.lookup(path);
    assert(node !== undefined && node.kind === 'file', `${path} is a file`);
    return node.data.slice();
  }

  /** overwrite changes a file's content durably at once, e.g. to simulate bit rot. */
  overwrite(path: string, position: number, bytes: Uint8Array): void {
    const node = this.lookup(path);
    assert(node !== undefined && node.kind === 'file', `${path} is a file`);
    node.data = applyChange(node.data, { kind: 'write', position, bytes });
    node.durable = applyChange(node.durable, { kind: 'write', position, bytes });
  }

  async mkdir(path: string): Promise<void> {
    this.enter('mkdir', path);
    let dir = this.root;
    for (const part of splitPath(path)) {
      let child = dir.children.get(part);
      if (child === undefined) {
        child = new MemoryDir();
        dir.children.set(part, child);
        dir.durableChildren.set(part, child);
      }
      if (child.kind !== 'dir') throw ioError('ENOTDIR', 'mkdir', path);
      dir = child;
    }
  }

  async readdir(path: string): Promise<string[]> {
    this.enter('readdir', path);
    return [...this.dir(path, 'readdir').children.keys()];
  }

  async exists(path: string): Promise<boolean> {
    return this.lookup(path) !== undefined;
  }

  async rename(from: string, to: string): Promise<void> {
    this.enter('rename', from);
    const node = this.lookup(from);
    if (node === undefined) throw ioError('ENOENT', 'rename', from);
    const target = this.lookup(to);
    if (target?.kind === 'dir' && target.children.size > 0) {
      throw ioError('ENOTEMPTY', 'rename', to);
    }
    this.parent(from, 'rename').children.delete(posix.basename(from));
    this.parent(to, 'rename').children.set(posix.basename(to), node);
  }

  async remove(path: string): Promise<void> {
    this.enter('remove', path);
    if (this.lookup(path) === undefined) return;
    this.parent(path, 'remove').children.delete(posix.basename(path));
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.enter('readFile', path);
    return this.file(path, 'readFile').data.slice();
  }

  async open(path: string, options: { create: boolean }): Promise<WalFile> {
    this.enter('open', path);
    let node = this.lookup(path);
    if (node === undefined) {
      if (!options.create) throw ioError('ENOENT', 'open', path);
      node = new MemoryFile();
      this.parent(path, 'open').children.set(posix.basename(path), node);
    }
    if (node.kind !== 'file') throw ioError('EISDIR', 'open', path);
    return new MemoryWalFile(this, node, path);
  }

  async syncDir(path: string): Promise<void> {
    this.enter('syncDir', path);
    const dir = this.dir(path, 'syncDir');
    dir.durableChildren = new Map(dir.children);
  }

  /** enter counts a call and throws the first matching injected fault, consuming it. */
  enter(operation: FsOperation, path: string): void {
    this.counts[operation] += 1;
    if (this.callsBeforeDeath !== undefined) {
      if (this.callsBeforeDeath === 0) throw ioError('EIO', operation, path);
      this.callsBeforeDeath -= 1;
    }
    const at = this.faults.findIndex(
      (f) => f.operation === operation && path.includes(f.pathIncludes),
    );
    if (at < 0) return;
    const [fault] = this.faults.splice(at, 1);
    throw ioError(fault.code, operation, path);
  }

  private lookup(path: string): MemoryNode | undefined {
    let node: MemoryNode = this.root;
    for (const part of splitPath(path)) {
      if (node.kind !== 'dir') return undefined;
      const child: MemoryNode | undefined = node.children.get(part);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  private dir(path: string, operation: FsOperation): MemoryDir {
    const node = this.lookup(path);
    if (node === undefined) throw ioError('ENOENT', operation, path);
    if (node.kind !== 'dir') throw ioError('ENOTDIR', operation, path);
    return node;
  }

  private file(path: string, operation: FsOperation): MemoryFile {
    const node = this.lookup(path);
    if (node === undefined) throw ioError('ENOENT', operation, path);
    if (node.kind !== 'file') throw ioError('EISDIR', operation, path);
    return node;
  }

  private parent(path: string, operation: FsOperation): MemoryDir {
    return this.dir(posix.dirname(path), operation);
  }
}

function splitPath(path: string): string[] {
  assert(posix.isAbsolute(path), `memory fs paths are absolute: ${path}`);
  return posix
    .normalize(path)
    .split('/')
    .filter((part) => part.length > 0);
}

function crashFile(file: MemoryFile, policy: CrashPolicy): MemoryFile {
  const copy = new MemoryFile();
  let data: Uint8Array = file.durable.slice();
  let budget = policy.kind === 'tear' ? policy.bytes : Infinity;
  if (policy.kind !== 'lose') {
    for (const change of file.pending) {
      if (change.kind === 'truncate') {
        data = applyChange(data, change);
        continue;
      }
      if (budget <= 0) break;
      const kept = change.bytes.subarray(0, Math.min(change.bytes.length, budget));
      data = applyChange(data, { kind: 'write', position: change.position, bytes: kept });
      budget -= kept.length;
    }
  }
  copy.data = data;
  copy.durable = data.slice();
  return copy;
}

class MemoryWalFile implements WalFile {
  private closed = false;

  constructor(
    private readonly fs: MemoryWalFs,
    private readonly node: MemoryFile,
    private readonly path: string,
  ) {}

  async size(): Promise<number> {
    this.check();
    return this.node.data.length;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    this.enter('read');
    return this.node.data.slice(position, position + length);
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    this.enter('write');
    this.node.apply({ kind: 'write', position, bytes: data.slice() });
  }

  async truncate(size: number): Promise<void> {
    this.enter('truncate');
    this.node.apply({ kind: 'truncate', size });
  }

  async datasync(): Promise<void> {
    this.enter('datasync');
    this.node.markDurable();
  }

  async sync(): Promise<void> {
    this.enter('sync');
    this.node.markDurable();
  }

  async close(): Promise<void> {
    this.check();
    this.closed = true;
  }

  private enter(operation: FsOperation): void {
    this.check();
    this.fs.enter(operation, this.path);
  }

  private check(): void {
    assert(!this.closed, `file ${this.path} is open`);
  }
}
