/**
 * Membership on a live node: applying a committed conf change, restoring the membership of a
 * snapshot or of storage, and the consequences of a new configuration (commit, step down,
 * abort a transfer).
 */
import { assert } from '@shoal/assert';
import { ConfState } from './types';
import { ConfChangeV2 } from './conf-change';
import { applyConfChangeV2, ChangeResult, restoreConfig } from './confchange';
import { Raft, StateType } from './raft';
import { ProgressTracker } from './tracker';
import { bcastAppend, maybeSendAppend } from './replication';

/** restoreMembership replaces the tracker with one built from `cs` (restart, snapshot). */
export function restoreMembership(r: Raft, cs: ConfState): ConfState {
  r.trk = new ProgressTracker(r.trk.maxInflight, r.trk.maxInflightBytes);
  const result = restoreConfig({ tracker: r.trk, lastIndex: r.raftLog.lastIndex() }, cs);
  assert(result.ok, `unable to restore config: ${result.ok ? '' : result.error}`);
  const applied = switchToConfig(r, result);
  assertConfStatesEquivalent(cs, applied);
  return applied;
}

/**
 * applyConfChange applies a committed, now applied, conf change and returns the resulting
 * ConfState. A change that the changer refuses here is a programmer error: the leader's
 * proposal checks guarantee that committed changes are valid.
 */
export function applyConfChange(r: Raft, cc: ConfChangeV2): ConfState {
  const result = applyConfChangeV2({ tracker: r.trk, lastIndex: r.raftLog.lastIndex() }, cc);
  assert(result.ok, `invalid conf change: ${result.ok ? '' : result.error}`);
  return switchToConfig(r, result);
}

/**
 * switchToConfig installs a configuration. A leader that is no longer a voter steps down
 * (when configured to); a leader that remains may now commit (the quorum changed), sends
 * appends to new peers, and abandons a transfer to a node that is no longer a voter.
 */
export function switchToConfig(r: Raft, result: ChangeResult & { ok: true }): ConfState {
  r.trk.config = result.config;
  r.trk.progress = result.progress;
  r.logger.info(`${r.id} switched to configuration ${r.trk.describe()}`);
  const cs = r.trk.confState();
  const pr = r.trk.progress.get(r.id);
  r.isLearner = pr !== undefined && pr.isLearner;
  if ((pr === undefined || r.isLearner) && r.state === StateType.Leader) {
    // Removed or demoted: keep nothing more to do as a leader of this config.
    if (r.stepDownOnRemoval) r.becomeFollower(r.term, 0);
    return cs;
  }
  if (r.state !== StateType.Leader || cs.voters.length === 0) return cs;
  if (r.maybeCommit()) {
    bcastAppend(r);
  } else {
    r.trk.visit((id) => {
      if (id !== r.id) maybeSendAppend(r, id, false);
    });
  }
  if (r.leadTransferee !== 0 && !r.trk.isVoter(r.leadTransferee)) r.abortLeaderTransfer();
  return cs;
}

function assertConfStatesEquivalent(want: ConfState, got: ConfState): void {
  const norm = (cs: ConfState): string =>
    JSON.stringify({
      voters: [...cs.voters].sort((a, b) => a - b),
      learners: [...cs.learners].sort((a, b) => a - b),
      votersOutgoing: [...cs.votersOutgoing].sort((a, b) => a - b),
      learnersNext: [...cs.learnersNext].sort((a, b) => a - b),
      autoLeave: cs.autoLeave,
    });
  assert(norm(want) === norm(got), `ConfStates not equivalent: ${norm(want)} vs ${norm(got)}`);
}
