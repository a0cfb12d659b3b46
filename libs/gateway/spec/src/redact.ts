// What the Control API never returns: secret data, registry credentials, CA private keys,
// unlock keys (control.proto). Views are copies; stored objects are never modified.
import {
  CAConfig,
  RootCA,
  SecretSpec,
  type Cluster,
  type Secret,
  type Service,
  type ServiceSpec,
  type Task,
  type TaskSpec,
} from '@shoal/proto';

function taskSpecWithoutAuth(task: TaskSpec | undefined): TaskSpec | undefined {
  const runtime = task?.runtime;
  if (task === undefined || runtime?.$case !== 'container' || runtime.container.pullOptions === undefined) return task;
  return { ...task, runtime: { $case: 'container', container: { ...runtime.container, pullOptions: undefined } } };
}

function specWithoutAuth(spec: ServiceSpec | undefined): ServiceSpec | undefined {
  return spec === undefined ? undefined : { ...spec, task: taskSpecWithoutAuth(spec.task) };
}

/** taskView is a task without registry credentials. */
export function taskView(task: Task): Task {
  return { ...task, spec: taskSpecWithoutAuth(task.spec) };
}

/** serviceView is a service without registry credentials (spec and previous spec). */
export function serviceView(service: Service): Service {
  return { ...service, spec: specWithoutAuth(service.spec), previousSpec: specWithoutAuth(service.previousSpec) };
}

/** secretView is a secret with its data cleared. */
export function secretView(secret: Secret): Secret {
  if (secret.spec === undefined) return secret;
  return { ...secret, spec: SecretSpec.fromPartial({ ...secret.spec, data: undefined }) };
}

/**
 * clusterView is the cluster without private keys (root, rotation, signing key) and unlock
 * keys. `joinTokens` stay the secret halves, as stored: whole tokens are
 * `SHLTKN-1-<base-36 root digest from root_ca.ca_cert_hash>-<secret>` (gateway-control's
 * `fullTokens`).
 */
export function clusterView(cluster: Cluster): Cluster {
  const root = cluster.rootCa;
  const rootCa = root === undefined ? undefined : RootCA.fromPartial({
    ...root,
    caKey: undefined,
    rootRotation: root.rootRotation === undefined ? undefined : { ...root.rootRotation, caKey: undefined },
  });
  const ca = cluster.spec?.caConfig;
  const caConfig = ca === undefined ? undefined : CAConfig.fromPartial({ ...ca, signingCaKey: undefined });
  const spec = cluster.spec === undefined ? undefined : { ...cluster.spec, caConfig };
  return { ...cluster, rootCa, spec, unlockKeys: [] };
}
