// Specs of the other user objects: secrets, configs, networks, nodes and the cluster.
import { ShoalError } from '@shoal/errors';
import { MIN_USER_CERT_VALIDITY_MS, OBJECT_LIMITS } from '@shoal/limits';
import {
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  type ClusterSpec,
  type ConfigSpec,
  type NetworkSpec,
  type NodeSpec,
  type SecretSpec,
} from '@shoal/proto';
import { formatMs, isNegative, msOf } from './durations';
import { invalid } from './invalid';
import { validateAnnotations, validateLabels, validateSecretName } from './names';

/** CLUSTER_NAME is the name of the one Cluster object (SwarmKit `store.DefaultClusterName`). */
export const CLUSTER_NAME = 'default';

function validatePayload(kind: 'secret' | 'config', data: Uint8Array, max: number): void {
  if (data.length < 1 || data.length >= max) {
    throw invalid(`${kind} data must be larger than 0 and less than ${max} bytes`);
  }
}

/** validateSecretSpec checks a new secret: name, and 0 < data < 500 KiB (unless a driver). */
export function validateSecretSpec(spec: SecretSpec | undefined): asserts spec is SecretSpec {
  if (spec === undefined) throw invalid('secret spec must be provided');
  validateSecretName(spec.annotations);
  if (spec.driver !== undefined) {
    if (spec.driver.name === '') throw invalid('secret driver name must be provided');
    return;
  }
  validatePayload('secret', spec.data, OBJECT_LIMITS.secretDataBytes);
}

/** validateConfigSpec checks a new config: name, and 0 < data < 500 KiB. */
export function validateConfigSpec(spec: ConfigSpec | undefined): asserts spec is ConfigSpec {
  if (spec === undefined) throw invalid('config spec must be provided');
  validateSecretName(spec.annotations);
  validatePayload('config', spec.data, OBJECT_LIMITS.configDataBytes);
}

/** validateNetworkSpec checks a new network's name and IPAM ranges. */
export function validateNetworkSpec(spec: NetworkSpec | undefined): asserts spec is NetworkSpec {
  if (spec === undefined) throw invalid('network spec must be provided');
  validateAnnotations(spec.annotations);
  for (const config of spec.ipam?.configs ?? []) {
    if (config.subnet !== '' && !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(config.subnet)) {
      throw invalid(`invalid subnet ${config.subnet}: expected CIDR notation`);
    }
  }
}

/** validateNodeSpec checks a node spec's enums and labels. */
export function validateNodeSpec(spec: NodeSpec | undefined): asserts spec is NodeSpec {
  if (spec === undefined) throw invalid('node spec must be provided');
  if (NodeSpec_Availability[spec.availability] === undefined || spec.availability < 0) {
    throw invalid(`invalid availability ${spec.availability}: expected active, pause or drain`);
  }
  if (NodeRole[spec.desiredRole] === undefined || spec.desiredRole < 0) {
    throw invalid(`invalid role ${spec.desiredRole}: expected worker or manager`);
  }
  if (NodeSpec_Membership[spec.membership] === undefined || spec.membership < 0) {
    throw invalid(`invalid membership ${spec.membership}: expected pending or accepted`);
  }
  validateLabels(spec.annotations?.labels);
}

/**
 * validateClusterSpec checks a cluster update: name stays "default", node certificates live
 * at least 1 h, heartbeat period not negative, raft election > heartbeat ticks.
 */
export function validateClusterSpec(spec: ClusterSpec | undefined): asserts spec is ClusterSpec {
  if (spec === undefined) throw invalid('cluster spec must be provided');
  if ((spec.annotations?.name ?? CLUSTER_NAME) !== CLUSTER_NAME) {
    throw invalid('modification of cluster name is not allowed');
  }
  const expiry = msOf(spec.caConfig?.nodeCertExpiry);
  if (expiry !== undefined && expiry < MIN_USER_CERT_VALIDITY_MS) {
    throw invalid(`minimum certificate expiry time is: ${formatMs(MIN_USER_CERT_VALIDITY_MS)}`);
  }
  if (isNegative(spec.dispatcher?.heartbeatPeriod)) {
    throw invalid('heartbeat time period cannot be a negative duration');
  }
  const raft = spec.raft;
  if (raft !== undefined && raft.electionTick !== 0 && raft.electionTick <= raft.heartbeatTick) {
    throw invalid('raft election tick must be greater than the heartbeat tick');
  }
  if ((spec.caConfig?.externalCas.length ?? 0) > 0) {
    throw ShoalError.unimplemented('external CAs are not supported');
  }
}
