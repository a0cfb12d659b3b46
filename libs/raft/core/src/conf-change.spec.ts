/**
 * Goal: the conf change codec round-trips every ConfChange/ConfChangeV2 exactly and
 * deterministically; enterJoint/leaveJoint classify V2 changes as etcd-raft does; the
 * changer enforces its invariants (simple changes, joint entry/exit, learners_next).
 * Method: fast-check round-trips random changes; tables for the classification; direct
 * calls of the changer against a tracker for the membership rules.
 */
import fc from 'fast-check';
import {
  AnyConfChange,
  ConfChangeTransition,
  ConfChangeType,
  confChangeV2,
  decodeConfChange,
  encodeConfChange,
  enterJoint,
  leaveJoint,
} from './conf-change';
import { enterJointConfig, leaveJointConfig, restoreConfig, simpleChange } from './confchange';
import { ProgressTracker } from './tracker';

const change = fc.record({
  type: fc.constantFrom(
    ConfChangeType.AddNode,
    ConfChangeType.RemoveNode,
    ConfChangeType.UpdateNode,
    ConfChangeType.AddLearnerNode,
  ),
  nodeId: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(Number.MAX_SAFE_INTEGER)),
});
const context = fc.uint8Array({ maxLength: 20 });
const anyChange: fc.Arbitrary<AnyConfChange> = fc.oneof(
  fc.record({
    kind: fc.constant('v1' as const),
    type: change.map((c) => c.type),
    nodeId: change.map((c) => c.nodeId),
    context,
  }),
  fc.record({
    kind: fc.constant('v2' as const),
    transition: fc.constantFrom(
      ConfChangeTransition.Auto,
      ConfChangeTransition.JointImplicit,
      ConfChangeTransition.JointExplicit,
    ),
    changes: fc.array(change, { maxLength: 6 }),
    context,
  }),
);

function tracker(voters: number[], learners: number[] = []): ProgressTracker {
  const t = new ProgressTracker(10, 0);
  const r = restoreConfig(
    { tracker: t, lastIndex: 5 },
    { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false },
  );
  if (!r.ok) throw new Error(r.error);
  t.config = r.config;
  t.progress = r.progress;
  return t;
}

describe('conf change codec and changer', () => {
  test('encode/decode round-trips and is deterministic', () => {
    fc.assert(
      fc.property(anyChange, (cc) => {
        const data = encodeConfChange(cc);
        expect(decodeConfChange(data)).toEqual(cc);
        expect(encodeConfChange(cc)).toEqual(data);
      }),
      { numRuns: 3000 },
    );
  });

  test('malformed data fails loudly', () => {
    expect(() => decodeConfChange(new Uint8Array([9]))).toThrow('unknown conf change tag');
    expect(() => decodeConfChange(new Uint8Array([1, 0]))).toThrow('truncated');
  });

  test('enterJoint and leaveJoint classify V2 changes', () => {
    const add2 = { type: ConfChangeType.AddNode, nodeId: 2 };
    const add3 = { type: ConfChangeType.AddNode, nodeId: 3 };
    expect(enterJoint(confChangeV2([add2]))).toEqual({ joint: false, autoLeave: false });
    expect(enterJoint(confChangeV2([add2, add3]))).toEqual({ joint: true, autoLeave: true });
    expect(enterJoint(confChangeV2([add2], ConfChangeTransition.JointImplicit))).toEqual(
      { joint: true, autoLeave: true },
    );
    expect(enterJoint(confChangeV2([add2], ConfChangeTransition.JointExplicit))).toEqual(
      { joint: true, autoLeave: false },
    );
    expect(leaveJoint(confChangeV2([]))).toBe(true);
    expect(leaveJoint(confChangeV2([], ConfChangeTransition.JointExplicit))).toBe(false);
  });

  test('simple changes refuse a second voter change and joint configs', () => {
    const t = tracker([1, 2, 3]);
    const two = simpleChange({ tracker: t, lastIndex: 5 }, [
      { type: ConfChangeType.AddNode, nodeId: 4 },
      { type: ConfChangeType.RemoveNode, nodeId: 1 },
    ]);
    expect(two).toEqual(
      { ok: false, error: 'more than one voter changed without entering joint config' },
    );
    const learner = simpleChange({ tracker: t, lastIndex: 5 }, [
      { type: ConfChangeType.AddLearnerNode, nodeId: 4 },
      { type: ConfChangeType.AddLearnerNode, nodeId: 5 },
    ]);
    expect(learner.ok).toBe(true);
    const all = simpleChange({
      tracker: tracker([1]),
      lastIndex: 5,
    }, [{ type: ConfChangeType.RemoveNode, nodeId: 1 }]);
    expect(all).toEqual({ ok: false, error: 'removed all voters' });
  });

  test('demoting a voter in a joint config goes through learners_next', () => {
    const t = tracker([1, 2, 3]);
    const j = enterJointConfig({ tracker: t, lastIndex: 5 }, false, [
      { type: ConfChangeType.AddLearnerNode, nodeId: 3 },
    ]);
    if (!j.ok) throw new Error(j.error);
    expect([...j.config.learnersNext]).toEqual([3]);
    expect(j.config.learners.size).toBe(0);
    t.config = j.config;
    t.progress = j.progress;
    expect(enterJointConfig({ tracker: t, lastIndex: 5 }, false, []).ok).toBe(false);
    const l = leaveJointConfig({ tracker: t, lastIndex: 5 });
    if (!l.ok) throw new Error(l.error);
    expect([[...l.config.voters[0]].sort(), [...l.config.learners]]).toEqual([[1, 2], [3]]);
    expect(l.progress.get(3)?.isLearner).toBe(true);
  });

  test('restore rebuilds a joint ConfState exactly', () => {
    const t = new ProgressTracker(10, 0);
    const cs = {
      voters: [2, 3, 4],
      learners: [5],
      votersOutgoing: [1, 2, 3],
      learnersNext: [1],
      autoLeave: true,
    };
    const r = restoreConfig({ tracker: t, lastIndex: 7 }, cs);
    if (!r.ok) throw new Error(r.error);
    t.config = r.config;
    t.progress = r.progress;
    expect(t.confState()).toEqual(cs);
  });
});
