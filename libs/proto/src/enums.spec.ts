// Goal: enum numbers on the wire are SwarmKit's (api/types.proto, api/specs.proto), etcd-raft's
// (raftpb) and the gRPC health spec's, so traces, docs and other implementations agree. Method:
// compare every generated enum's name -> number map with the reference table, exhaustively.
import {
  ConfChangeTransition,
  ConfChangeType,
  EndpointSpec_ResolutionMode,
  EntryType,
  HealthCheckResponse_ServingStatus,
  IssuanceStatus_State,
  MessageType,
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  ObjectKind,
  Owner,
  PortConfig_Protocol,
  PortConfig_PublishMode,
  RaftMemberStatus_Reachability,
  RestartPolicy_Condition,
  TaskState,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  UpdateStatus_State,
} from './gen';

/** The name -> number entries of a ts-proto enum, without its UNRECOGNIZED stand-in. */
function entries(e: Record<string, string | number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(e)) {
    if (typeof value === 'number' && name !== 'UNRECOGNIZED') out[name] = value;
  }
  return out;
}

describe('SwarmKit enums keep their numbers', () => {
  it('TaskState: NEW 0 ... ORPHANED 832, gapped by 64', () => {
    expect(entries(TaskState)).toEqual({
      NEW: 0, PENDING: 64, ASSIGNED: 192, ACCEPTED: 256, PREPARING: 320, READY: 384,
      STARTING: 448, RUNNING: 512, COMPLETE: 576, SHUTDOWN: 640, FAILED: 704, REJECTED: 768,
      REMOVE: 800, ORPHANED: 832,
    });
  });

  it.each<[string, Record<string, string | number>, Record<string, number>]>([
    ['NodeStatus.State', NodeStatus_State, { UNKNOWN: 0, DOWN: 1, READY: 2, DISCONNECTED: 3 }],
    ['RaftMemberStatus.Reachability', RaftMemberStatus_Reachability,
      { UNKNOWN: 0, UNREACHABLE: 1, REACHABLE: 2 }],
    ['IssuanceStatus.State', IssuanceStatus_State,
      { UNKNOWN: 0, RENEW: 1, PENDING: 2, ISSUED: 3, FAILED: 4, ROTATE: 5 }],
    ['UpdateStatus.State', UpdateStatus_State, {
      UNKNOWN: 0, UPDATING: 1, PAUSED: 2, COMPLETED: 3, ROLLBACK_STARTED: 4,
      ROLLBACK_PAUSED: 5, ROLLBACK_COMPLETED: 6,
    }],
    ['NodeRole', NodeRole, { WORKER: 0, MANAGER: 1 }],
    ['NodeSpec.Membership', NodeSpec_Membership, { PENDING: 0, ACCEPTED: 1 }],
    ['NodeSpec.Availability', NodeSpec_Availability, { ACTIVE: 0, PAUSE: 1, DRAIN: 2 }],
    ['RestartPolicy.Condition', RestartPolicy_Condition, { NONE: 0, ON_FAILURE: 1, ANY: 2 }],
    ['UpdateConfig.FailureAction', UpdateConfig_FailureAction,
      { PAUSE: 0, CONTINUE: 1, ROLLBACK: 2 }],
    ['UpdateConfig.Order', UpdateConfig_Order, { STOP_FIRST: 0, START_FIRST: 1 }],
    ['PortConfig.Protocol', PortConfig_Protocol, { TCP: 0, UDP: 1, SCTP: 2 }],
    ['PortConfig.PublishMode', PortConfig_PublishMode, { INGRESS: 0, HOST: 1 }],
    ['EndpointSpec.ResolutionMode', EndpointSpec_ResolutionMode, { VIP: 0, DNSRR: 1 }],
  ])('%s', (_name, actual, expected) => {
    expect(entries(actual)).toEqual(expected);
  });
});

describe('raft enums keep etcd-raft numbers', () => {
  it('MessageType: MsgHup 0 ... MsgPreVoteResp 18', () => {
    expect(entries(MessageType)).toEqual({
      MSG_HUP: 0, MSG_BEAT: 1, MSG_PROP: 2, MSG_APP: 3, MSG_APP_RESP: 4, MSG_VOTE: 5,
      MSG_VOTE_RESP: 6, MSG_SNAP: 7, MSG_HEARTBEAT: 8, MSG_HEARTBEAT_RESP: 9, MSG_UNREACHABLE: 10,
      MSG_SNAP_STATUS: 11, MSG_CHECK_QUORUM: 12, MSG_TRANSFER_LEADER: 13, MSG_TIMEOUT_NOW: 14,
      MSG_READ_INDEX: 15, MSG_READ_INDEX_RESP: 16, MSG_PRE_VOTE: 17, MSG_PRE_VOTE_RESP: 18,
    });
  });

  it('EntryType, ConfChangeType, ConfChangeTransition', () => {
    expect(entries(EntryType)).toEqual({ NORMAL: 0, CONF_CHANGE: 1, CONF_CHANGE_V2: 2 });
    expect(entries(ConfChangeType)).toEqual({
      ADD_NODE: 0, REMOVE_NODE: 1, UPDATE_NODE: 2, ADD_LEARNER_NODE: 3,
    });
    expect(entries(ConfChangeTransition)).toEqual({
      AUTO: 0, JOINT_IMPLICIT: 1, JOINT_EXPLICIT: 2,
    });
  });
});

describe('Shoal and gRPC enums', () => {
  it('Owner and ObjectKind', () => {
    expect(entries(Owner)).toEqual({
      UNSPECIFIED: 0, STORE: 1, USER: 2, ORCHESTRATOR: 3, ALLOCATOR: 4, SCHEDULER: 5,
      DISPATCHER: 6, CA: 7,
    });
    expect(entries(ObjectKind)).toEqual({
      UNSPECIFIED: 0, NODE: 1, SERVICE: 2, TASK: 3, NETWORK: 4, CLUSTER: 5, SECRET: 6,
      CONFIG: 7, RESOURCE: 8,
    });
  });

  it('grpc.health.v1 ServingStatus', () => {
    expect(entries(HealthCheckResponse_ServingStatus)).toEqual({
      UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3,
    });
  });
});
