/**
 * Membership change requests (ConfChange v1 and ConfChangeV2) and their deterministic binary
 * encoding into entry data.
 *
 * Encoding (all integers are unsigned LEB128 varints, node ids up to 2^53 - 1):
 *   v1: 0x01 type nodeId len(context) context
 *   v2: 0x02 transition count (type nodeId)* len(context) context
 */
import { assert, AssertionFailure, assertNever } from '@shoal/assert';
import { EMPTY_BYTES, sortedIds } from './util';

/** ConfChangeType is what one single change does to one node. */
export enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  UpdateNode = 2,
  AddLearnerNode = 3,
}

/**
 * ConfChangeTransition says how a ConfChangeV2 uses joint consensus.
 * Auto: the simple protocol when it is safe (at most one voter changes), otherwise a joint
 * configuration left automatically. JointImplicit: always joint, left automatically.
 * JointExplicit: always joint, left only when the app proposes an empty ConfChangeV2.
 */
export enum ConfChangeTransition {
  Auto = 0,
  JointImplicit = 1,
  JointExplicit = 2,
}

/** ConfChangeSingle is one change to one node. NodeId 0 makes it a no-op. */
export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: number;
}

/** ConfChange is a v1 (single-step) membership change. */
export interface ConfChange {
  kind: 'v1';
  type: ConfChangeType;
  nodeId: number;
  context: Uint8Array;
}

/** ConfChangeV2 carries several changes applied at once, and a transition mode. */
export interface ConfChangeV2 {
  kind: 'v2';
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context: Uint8Array;
}

/** AnyConfChange is either kind of change. */
export type AnyConfChange = ConfChange | ConfChangeV2;

/** confChangeV1 builds a v1 change with an empty context. */
export function confChangeV1(type: ConfChangeType, nodeId: number): ConfChange {
  return { kind: 'v1', type, nodeId, context: EMPTY_BYTES };
}

/** confChangeV2 builds a V2 change with an empty context. */
export function confChangeV2(
  changes: ConfChangeSingle[],
  transition: ConfChangeTransition = ConfChangeTransition.Auto,
): ConfChangeV2 {
  return { kind: 'v2', transition, changes, context: EMPTY_BYTES };
}

/** asV2 converts a v1 change into the equivalent V2 change (Auto transition). */
export function asV2(cc: AnyConfChange): ConfChangeV2 {
  if (cc.kind === 'v2') return cc;
  return {
    kind: 'v2',
    transition: ConfChangeTransition.Auto,
    changes: [{ type: cc.type, nodeId: cc.nodeId }],
    context: cc.context,
  };
}

/**
 * enterJoint reports whether applying `cc` must use a joint configuration and, if so,
 * whether it is left automatically. An empty change is never joint (it leaves).
 */
export function enterJoint(cc: ConfChangeV2): { joint: boolean; autoLeave: boolean } {
  const joint = cc.transition !== ConfChangeTransition.Auto || cc.changes.length > 1;
  if (!joint) return { joint: false, autoLeave: false };
  switch (cc.transition) {
    case ConfChangeTransition.Auto:
    case ConfChangeTransition.JointImplicit:
      return { joint: true, autoLeave: true };
    case ConfChangeTransition.JointExplicit:
      return { joint: true, autoLeave: false };
    default:
      return assertNever(cc.transition, 'conf change transition');
  }
}

/** leaveJoint reports whether `cc` is the empty V2 change that leaves a joint config. */
export function leaveJoint(cc: ConfChangeV2): boolean {
  return (
    cc.transition === ConfChangeTransition.Auto &&
    cc.changes.length === 0 &&
    cc.context.byteLength === 0
  );
}

const V1_TAG = 1;
const V2_TAG = 2;

/** encodeConfChange serialises either kind of change deterministically. */
export function encodeConfChange(cc: AnyConfChange): Uint8Array {
  const out: number[] = [];
  if (cc.kind === 'v1') {
    out.push(V1_TAG);
    writeVarint(out, cc.type);
    writeVarint(out, cc.nodeId);
  } else {
    out.push(V2_TAG);
    writeVarint(out, cc.transition);
    writeVarint(out, cc.changes.length);
    for (const c of cc.changes) {
      writeVarint(out, c.type);
      writeVarint(out, c.nodeId);
    }
  }
  writeVarint(out, cc.context.byteLength);
  const bytes = new Uint8Array(out.length + cc.context.byteLength);
  bytes.set(out, 0);
  bytes.set(cc.context, out.length);
  return bytes;
}

/**
 * decodeConfChange parses data written by {@link encodeConfChange}. Malformed data is a
 * programmer error (entries of conf-change type are only ever written by this codec).
 */
export function decodeConfChange(data: Uint8Array): AnyConfChange {
  const r = { data, pos: 0 };
  const tag = readVarint(r);
  if (tag === V1_TAG) {
    const type = readEnum(r, ConfChangeType);
    const nodeId = readVarint(r);
    return { kind: 'v1', type, nodeId, context: readBytes(r) };
  }
  assert(tag === V2_TAG, `unknown conf change tag ${tag}`);
  const transition = readEnum(r, ConfChangeTransition);
  const count = readVarint(r);
  assert(count <= data.byteLength, 'conf change count exceeds data');
  const changes: ConfChangeSingle[] = [];
  for (let i = 0; i < count; i++) {
    const type = readEnum(r, ConfChangeType);
    changes.push({ type, nodeId: readVarint(r) });
  }
  return { kind: 'v2', transition, changes, context: readBytes(r) };
}

/** describeConfChanges renders changes as "v2 v3 r1 l4 u5" (the datadriven notation). */
export function describeConfChanges(changes: readonly ConfChangeSingle[]): string {
  return changes.map((c) => `${CHANGE_LETTER[c.type]}${c.nodeId}`).join(' ');
}

const CHANGE_LETTER: Record<ConfChangeType, string> = {
  [ConfChangeType.AddNode]: 'v',
  [ConfChangeType.RemoveNode]: 'r',
  [ConfChangeType.UpdateNode]: 'u',
  [ConfChangeType.AddLearnerNode]: 'l',
};

/** describeConfChange renders a change of either kind, with its transition when not Auto. */
export function describeConfChange(cc: AnyConfChange): string {
  const v2 = asV2(cc);
  const body = describeConfChanges(v2.changes);
  const t =
    v2.transition === ConfChangeTransition.Auto ? '' : ` ${ConfChangeTransition[v2.transition]}`;
  return `${body}${t}`;
}

/** sortedNodeIds returns the distinct node ids a change touches (for logs). */
export function sortedNodeIds(cc: ConfChangeV2): number[] {
  return sortedIds(new Set(cc.changes.map((c) => c.nodeId)));
}

interface Reader {
  data: Uint8Array;
  pos: number;
}

function writeVarint(out: number[], value: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `varint ${value} is a safe unsigned int`);
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) + 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(r: Reader): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    assert(r.pos < r.data.byteLength, 'conf change data truncated');
    const b = r.data[r.pos++] as number;
    value += (b % 0x80) * scale;
    if (b < 0x80) {
      assert(Number.isSafeInteger(value), 'conf change varint overflows');
      return value;
    }
    scale *= 0x80;
  }
  throw new AssertionFailure('assertion failed: conf change varint too long');
}

function readEnum<E extends Record<string, string | number>>(r: Reader, e: E): E[keyof E] {
  const v = readVarint(r);
  assert(typeof e[v as unknown as keyof E] === 'string', `unknown enum value ${v}`);
  return v as unknown as E[keyof E];
}

function readBytes(r: Reader): Uint8Array {
  const n = readVarint(r);
  assert(r.pos + n === r.data.byteLength, 'conf change context length mismatch');
  const out = r.data.slice(r.pos, r.pos + n);
  r.pos += n;
  return out;
}
