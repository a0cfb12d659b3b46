/**
 * The membership changer: turns a configuration plus requested changes into the next
 * configuration and progress map, or explains why the change is refused. Pure: it works on
 * copies, and the caller swaps them in (raft.switchToConfig).
 */
import { assertNever } from '@shoal/assert';
import { ConfState } from './types';
import {
  ConfChangeSingle,
  ConfChangeType,
  ConfChangeV2,
  enterJoint,
  leaveJoint,
} from './conf-change';
import { Progress } from './progress';
import { cloneTrackerConfig, ProgressMap, ProgressTracker, TrackerConfig } from './tracker';

/** ChangeResult is the next configuration, or the reason the change is refused. */
export type ChangeResult =
  | { ok: true; config: TrackerConfig; progress: ProgressMap }
  | { ok: false; error: string };

/** ChangerInput is the tracker to change and the leader's last index (for new peers' next). */
export interface ChangerInput {
  tracker: ProgressTracker;
  lastIndex: number;
}

/**
 * enterJointConfig copies the incoming voters to the outgoing half and applies `changes`
 * to the incoming half. Refused when already joint or when there are no voters.
 */
export function enterJointConfig(
  c: ChangerInput,
  autoLeave: boolean,
  changes: readonly ConfChangeSingle[],
): ChangeResult {
  const start = checkAndCopy(c.tracker);
  if (!start.ok) return start;
  const { config, progress } = start;
  if (config.voters[1].size > 0) return refuse('config is already joint');
  if (config.voters[0].size === 0) return refuse("can't make a zero-voter config joint");
  config.voters[1] = new Set(config.voters[0]);
  const err = applyChanges(c, config, progress, changes);
  if (err !== undefined) return refuse(err);
  config.autoLeave = autoLeave;
  return checkAndReturn(config, progress);
}

/**
 * leaveJointConfig drops the outgoing half: learnersNext become learners, and outgoing
 * voters that are in neither the incoming half nor the learners lose their progress.
 */
export function leaveJointConfig(c: ChangerInput): ChangeResult {
  const start = checkAndCopy(c.tracker);
  if (!start.ok) return start;
  const { config, progress } = start;
  if (config.voters[1].size === 0) return refuse("can't leave a non-joint config");
  for (const id of config.learnersNext) {
    config.learners.add(id);
    (progress.get(id) as Progress).isLearner = true;
  }
  config.learnersNext = new Set();
  for (const id of config.voters[1]) {
    if (!config.voters[0].has(id) && !config.learners.has(id)) progress.delete(id);
  }
  config.voters[1] = new Set();
  config.autoLeave = false;
  return checkAndReturn(config, progress);
}

/**
 * simpleChange applies `changes` without joint consensus. Refused in a joint config, or when
 * more than one voter would change (that needs joint consensus to stay safe).
 */
export function simpleChange(c: ChangerInput, changes: readonly ConfChangeSingle[]): ChangeResult {
  const start = checkAndCopy(c.tracker);
  if (!start.ok) return start;
  const { config, progress } = start;
  if (config.voters[1].size > 0) {
    return refuse("can't apply simple config change in joint config");
  }
  const err = applyChanges(c, config, progress, changes);
  if (err !== undefined) return refuse(err);
  if (symmetricDifference(c.tracker.config.voters[0], config.voters[0]) > 1) {
    return refuse('more than one voter changed without entering joint config');
  }
  return checkAndReturn(config, progress);
}

/** applyConfChangeV2 dispatches a V2 change to leave, enter-joint or simple. */
export function applyConfChangeV2(c: ChangerInput, cc: ConfChangeV2): ChangeResult {
  if (leaveJoint(cc)) return leaveJointConfig(c);
  const j = enterJoint(cc);
  if (j.joint) return enterJointConfig(c, j.autoLeave, cc.changes);
  return simpleChange(c, cc.changes);
}

/**
 * restoreConfig rebuilds the configuration of ConfState `cs` from an empty tracker by a
 * sequence of simple changes (and, for a joint state, one enter-joint step): the outgoing
 * voters are added one by one, then the joint config is entered with the incoming set.
 */
export function restoreConfig(c: ChangerInput, cs: ConfState): ChangeResult {
  const outgoing: ConfChangeSingle[] = cs.votersOutgoing.map((id) => add(id));
  const incoming: ConfChangeSingle[] = [
    ...cs.votersOutgoing.map((id) => ({ type: ConfChangeType.RemoveNode, nodeId: id })),
    ...cs.voters.map((id) => add(id)),
    ...cs.learners.map((id) => addLearner(id)),
    ...cs.learnersNext.map((id) => addLearner(id)),
  ];
  const tracker = new ProgressTracker(c.tracker.maxInflight, c.tracker.maxInflightBytes);
  const step = (r: ChangeResult): ChangeResult | undefined => {
    if (!r.ok) return r;
    tracker.config = r.config;
    tracker.progress = r.progress;
    return undefined;
  };
  const input = { tracker, lastIndex: c.lastIndex };
  const simples = outgoing.length === 0 ? incoming : outgoing;
  for (const cc of simples) {
    const failed = step(simpleChange(input, [cc]));
    if (failed !== undefined) return failed;
  }
  if (outgoing.length > 0) {
    const failed = step(enterJointConfig(input, cs.autoLeave, incoming));
    if (failed !== undefined) return failed;
  }
  return { ok: true, config: tracker.config, progress: tracker.progress };
}

function add(nodeId: number): ConfChangeSingle {
  return { type: ConfChangeType.AddNode, nodeId };
}

function addLearner(nodeId: number): ConfChangeSingle {
  return { type: ConfChangeType.AddLearnerNode, nodeId };
}

function refuse(error: string): ChangeResult {
  return { ok: false, error };
}

function applyChanges(
  c: ChangerInput,
  config: TrackerConfig,
  progress: ProgressMap,
  changes: readonly ConfChangeSingle[],
): string | undefined {
  for (const cc of changes) {
    if (cc.nodeId === 0) continue; // A zeroed change was cancelled by the application.
    switch (cc.type) {
      case ConfChangeType.AddNode:
        makeVoter(c, config, progress, cc.nodeId);
        break;
      case ConfChangeType.AddLearnerNode:
        makeLearner(c, config, progress, cc.nodeId);
        break;
      case ConfChangeType.RemoveNode:
        removeNode(config, progress, cc.nodeId);
        break;
      case ConfChangeType.UpdateNode:
        break;
      default:
        return assertNever(cc.type, 'conf change type');
    }
  }
  if (config.voters[0].size === 0) return 'removed all voters';
  return undefined;
}

function makeVoter(
  c: ChangerInput,
  config: TrackerConfig,
  progress: ProgressMap,
  id: number,
): void {
  const pr = progress.get(id);
  if (pr === undefined) {
    initProgress(c, config, progress, id, false);
    return;
  }
  pr.isLearner = false;
  config.learners.delete(id);
  config.learnersNext.delete(id);
  config.voters[0].add(id);
}

function makeLearner(
  c: ChangerInput,
  config: TrackerConfig,
  progress: ProgressMap,
  id: number,
): void {
  const pr = progress.get(id);
  if (pr === undefined) {
    initProgress(c, config, progress, id, true);
    return;
  }
  if (pr.isLearner) return;
  // Demoting a voter: drop it everywhere, then re-add it as a learner. While it is still a
  // voter of the outgoing half it cannot be a learner yet, so it waits in learnersNext.
  removeNode(config, progress, id);
  progress.set(id, pr);
  if (config.voters[1].has(id)) {
    config.learnersNext.add(id);
  } else {
    pr.isLearner = true;
    config.learners.add(id);
  }
}

function removeNode(config: TrackerConfig, progress: ProgressMap, id: number): void {
  if (!progress.has(id)) return;
  config.voters[0].delete(id);
  config.learners.delete(id);
  config.learnersNext.delete(id);
  // An outgoing voter keeps its progress until the joint config is left.
  if (!config.voters[1].has(id)) progress.delete(id);
}

function initProgress(
  c: ChangerInput,
  config: TrackerConfig,
  progress: ProgressMap,
  id: number,
  isLearner: boolean,
): void {
  if (isLearner) config.learners.add(id);
  else config.voters[0].add(id);
  const pr = new Progress({
    // Probing starts at the last index: a fresh peer is most likely empty, and the first
    // rejection's hint moves next down quickly.
    next: Math.max(c.lastIndex, 1),
    maxInflight: c.tracker.maxInflight,
    maxInflightBytes: c.tracker.maxInflightBytes,
    isLearner,
  });
  // A new member counts as active, or CheckQuorum could depose the leader before the new
  // member had any chance to answer.
  pr.recentActive = true;
  progress.set(id, pr);
}

function checkAndCopy(
  tracker: ProgressTracker,
): { ok: true; config: TrackerConfig; progress: ProgressMap } | { ok: false; error: string } {
  const progress: ProgressMap = new Map();
  for (const [id, pr] of tracker.progress) progress.set(id, pr.clone());
  const r = checkAndReturn(cloneTrackerConfig(tracker.config), progress);
  return r.ok ? { ok: true, config: r.config, progress: r.progress } : r;
}

function checkAndReturn(config: TrackerConfig, progress: ProgressMap): ChangeResult {
  const err = checkInvariants(config, progress);
  return err === undefined ? { ok: true, config, progress } : refuse(err);
}

function checkInvariants(config: TrackerConfig, progress: ProgressMap): string | undefined {
  for (const set of [config.voters[0], config.voters[1], config.learners, config.learnersNext]) {
    for (const id of set) if (!progress.has(id)) return `no progress for ${id}`;
  }
  for (const id of config.learnersNext) {
    if (!config.voters[1].has(id)) return `${id} is in LearnersNext, but not Voters[1]`;
    if ((progress.get(id) as Progress).isLearner) {
      return `${id} is in LearnersNext, but is already marked as learner`;
    }
  }
  for (const id of config.learners) {
    if (config.voters[1].has(id)) return `${id} is in Learners and Voters[1]`;
    if (config.voters[0].has(id)) return `${id} is in Learners and Voters[0]`;
    if (!(progress.get(id) as Progress).isLearner) {
      return `${id} is in Learners, but is not marked as learner`;
    }
  }
  if (config.voters[1].size === 0) {
    if (config.learnersNext.size > 0) return 'cfg.LearnersNext must be nil when not joint';
    if (config.autoLeave) return 'AutoLeave must be false when not joint';
  }
  return undefined;
}

function symmetricDifference(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  let n = 0;
  for (const id of a) if (!b.has(id)) n++;
  for (const id of b) if (!a.has(id)) n++;
  return n;
}
