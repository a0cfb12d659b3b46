/**
 * Status: a read-only snapshot of a node's state for operators, tests and the store shell.
 */
import { HardState } from './types';
import { ProgressState } from './progress';
import { Raft, SoftState, StateType } from './raft';
import { cloneTrackerConfig, TrackerConfig } from './tracker';

/** ProgressStatus is a copy of one peer's Progress as the leader sees it. */
export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  isLearner: boolean;
  recentActive: boolean;
  paused: boolean;
  pendingSnapshot: number;
  inflightCount: number;
  description: string;
}

/**
 * Status describes a node. `progress` is filled only on the leader (others do not track
 * peers). Every field is a copy: mutating it does not affect the node.
 */
export interface Status {
  id: number;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  leadTransferee: number;
  config: TrackerConfig;
  progress: Map<number, ProgressStatus>;
}

/** getStatus builds a {@link Status} from a raft instance. */
export function getStatus(r: Raft): Status {
  const progress = new Map<number, ProgressStatus>();
  if (r.state === StateType.Leader) {
    r.trk.visit((id, pr) => {
      progress.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        isLearner: pr.isLearner,
        recentActive: pr.recentActive,
        paused: pr.isPaused(),
        pendingSnapshot: pr.pendingSnapshot,
        inflightCount: pr.inflights.count(),
        description: pr.toString(),
      });
    });
  }
  return {
    id: r.id,
    hardState: r.hardState(),
    softState: r.softState(),
    applied: r.raftLog.applied,
    leadTransferee: r.leadTransferee,
    config: cloneTrackerConfig(r.trk.config),
    progress,
  };
}
