/**
 * The expected, non-fatal outcomes of stepping a raft node. They are returned, never thrown;
 * a broken invariant is an assertion failure instead.
 */

/** RaftError names why a step, proposal or read was not accepted. */
export enum RaftError {
  /**
   * ProposalDropped: the proposal was not appended: no known leader, forwarding disabled, a
   * leader transfer in progress, the uncommitted quota exceeded, or this leader was removed.
   * The caller may retry later.
   */
  ProposalDropped = 'ErrProposalDropped',
  /** StepLocalMsg: a local-only message type was passed to RawNode.step. */
  StepLocalMsg = 'ErrStepLocalMsg',
  /** StepPeerNotFound: a response arrived from a peer that is not (or no longer) a member. */
  StepPeerNotFound = 'ErrStepPeerNotFound',
}

/** ErrProposalDropped is {@link RaftError.ProposalDropped}, under etcd's name. */
export const ErrProposalDropped = RaftError.ProposalDropped;

/** StepResult is null on success, otherwise the reason the input was refused. */
export type StepResult = RaftError | null;
