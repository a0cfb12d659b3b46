// The Docker API words of every shoal.v1 enum the Docker API shows.
import {
  ContainerSpec_Isolation as Isolation,
  EndpointSpec_ResolutionMode as ResolutionMode,
  Mount_BindOptions_Propagation as Propagation,
  Mount_Type as MountType,
  NodeRole,
  NodeSpec_Availability as Availability,
  NodeSpec_Membership as Membership,
  NodeStatus_State as NodeState,
  PortConfig_Protocol as Protocol,
  PortConfig_PublishMode as PublishMode,
  Privileges_AppArmor_Mode as AppArmorMode,
  Privileges_Seccomp_Mode as SeccompMode,
  RaftMemberStatus_Reachability as Reachability,
  RestartPolicy_Condition as RestartCondition,
  TaskState,
  UpdateConfig_FailureAction as FailureAction,
  UpdateConfig_Order as UpdateOrder,
  UpdateStatus_State as UpdateState,
} from '@shoal/proto';
import { enumTable } from './enum-table';

/** TASK_STATE: `new` … `orphaned`, as `docker service ps` shows them. */
export const TASK_STATE = enumTable<TaskState>([
  [TaskState.NEW, 'new'], [TaskState.PENDING, 'pending'], [TaskState.ASSIGNED, 'assigned'],
  [TaskState.ACCEPTED, 'accepted'], [TaskState.PREPARING, 'preparing'], [TaskState.READY, 'ready'],
  [TaskState.STARTING, 'starting'], [TaskState.RUNNING, 'running'], [TaskState.COMPLETE, 'complete'],
  [TaskState.SHUTDOWN, 'shutdown'], [TaskState.FAILED, 'failed'], [TaskState.REJECTED, 'rejected'],
  [TaskState.REMOVE, 'remove'], [TaskState.ORPHANED, 'orphaned'],
]);

/** NODE_ROLE: `worker`, `manager`. */
export const NODE_ROLE = enumTable<NodeRole>([[NodeRole.WORKER, 'worker'], [NodeRole.MANAGER, 'manager']]);

/** AVAILABILITY: `active`, `pause`, `drain`. */
export const AVAILABILITY = enumTable<Availability>([
  [Availability.ACTIVE, 'active'], [Availability.PAUSE, 'pause'], [Availability.DRAIN, 'drain'],
]);

/** MEMBERSHIP: `pending`, `accepted`. */
export const MEMBERSHIP = enumTable<Membership>([
  [Membership.PENDING, 'pending'], [Membership.ACCEPTED, 'accepted'],
]);

/** NODE_STATE: `unknown`, `down`, `ready`, `disconnected`. */
export const NODE_STATE = enumTable<NodeState>([
  [NodeState.UNKNOWN, 'unknown'], [NodeState.DOWN, 'down'], [NodeState.READY, 'ready'],
  [NodeState.DISCONNECTED, 'disconnected'],
]);

/** REACHABILITY: `unknown`, `unreachable`, `reachable`. */
export const REACHABILITY = enumTable<Reachability>([
  [Reachability.UNKNOWN, 'unknown'], [Reachability.UNREACHABLE, 'unreachable'],
  [Reachability.REACHABLE, 'reachable'],
]);

/** RESTART_CONDITION: `none`, `on-failure`, `any`. */
export const RESTART_CONDITION = enumTable<RestartCondition>([
  [RestartCondition.NONE, 'none'], [RestartCondition.ON_FAILURE, 'on-failure'], [RestartCondition.ANY, 'any'],
]);

/** FAILURE_ACTION: `pause`, `continue`, `rollback`. */
export const FAILURE_ACTION = enumTable<FailureAction>([
  [FailureAction.PAUSE, 'pause'], [FailureAction.CONTINUE, 'continue'], [FailureAction.ROLLBACK, 'rollback'],
]);

/** UPDATE_ORDER: `stop-first`, `start-first`. */
export const UPDATE_ORDER = enumTable<UpdateOrder>([
  [UpdateOrder.STOP_FIRST, 'stop-first'], [UpdateOrder.START_FIRST, 'start-first'],
]);

/** UPDATE_STATE: `updating` … `rollback_completed` (UNKNOWN has no word). */
export const UPDATE_STATE = enumTable<UpdateState>([
  [UpdateState.UPDATING, 'updating'], [UpdateState.PAUSED, 'paused'], [UpdateState.COMPLETED, 'completed'],
  [UpdateState.ROLLBACK_STARTED, 'rollback_started'], [UpdateState.ROLLBACK_PAUSED, 'rollback_paused'],
  [UpdateState.ROLLBACK_COMPLETED, 'rollback_completed'],
]);

/** RESOLUTION_MODE: `vip`, `dnsrr`. */
export const RESOLUTION_MODE = enumTable<ResolutionMode>([
  [ResolutionMode.VIP, 'vip'], [ResolutionMode.DNSRR, 'dnsrr'],
]);

/** PROTOCOL: `tcp`, `udp`, `sctp`. */
export const PROTOCOL = enumTable<Protocol>([[Protocol.TCP, 'tcp'], [Protocol.UDP, 'udp'], [Protocol.SCTP, 'sctp']]);

/** PUBLISH_MODE: `ingress`, `host`. */
export const PUBLISH_MODE = enumTable<PublishMode>([[PublishMode.INGRESS, 'ingress'], [PublishMode.HOST, 'host']]);

/** MOUNT_TYPE: `bind`, `volume`, `tmpfs`, `npipe`. */
export const MOUNT_TYPE = enumTable<MountType>([
  [MountType.BIND, 'bind'], [MountType.VOLUME, 'volume'], [MountType.TMPFS, 'tmpfs'], [MountType.NPIPE, 'npipe'],
]);

/** PROPAGATION: bind propagation modes. */
export const PROPAGATION = enumTable<Propagation>([
  [Propagation.RPRIVATE, 'rprivate'], [Propagation.PRIVATE, 'private'], [Propagation.RSHARED, 'rshared'],
  [Propagation.SHARED, 'shared'], [Propagation.RSLAVE, 'rslave'], [Propagation.SLAVE, 'slave'],
]);

/** ISOLATION: `default`, `process`, `hyperv`. */
export const ISOLATION = enumTable<Isolation>([
  [Isolation.DEFAULT, 'default'], [Isolation.PROCESS, 'process'], [Isolation.HYPERV, 'hyperv'],
]);

/** SECCOMP_MODE: `default`, `unconfined`, `custom`. */
export const SECCOMP_MODE = enumTable<SeccompMode>([
  [SeccompMode.DEFAULT, 'default'], [SeccompMode.UNCONFINED, 'unconfined'], [SeccompMode.CUSTOM, 'custom'],
]);

/** APPARMOR_MODE: `default`, `disabled`. */
export const APPARMOR_MODE = enumTable<AppArmorMode>([[AppArmorMode.DEFAULT, 'default'], [AppArmorMode.DISABLED, 'disabled']]);
