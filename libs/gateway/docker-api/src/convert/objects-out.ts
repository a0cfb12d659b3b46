// shoal.v1 stored objects -> the Docker API's Service, Task, Node, Secret and Config JSON.
import {
  observedTaskStatus,
  UpdateStatus_State as UpdateState,
  type Config, type Endpoint, type NetworkAttachment, type Node, type Secret, type Service, type ServiceStatus,
  type Task,
} from '@shoal/proto';
import {
  AVAILABILITY, NODE_ROLE, NODE_STATE, REACHABILITY, TASK_STATE, UPDATE_STATE,
} from './enums';
import { nonEmpty, nonEmptyList, type JsonObject } from './json';
import { networkJson } from './network-out';
import { endpointSpecJson, portJson, resourcesJson, serviceSpecJson, taskSpecJson } from './service-spec-out';
import { dockerTime, metaFields } from './time';

/** DEFAULT_ENDPOINT_SPEC is what an unset EndpointSpec means, as dockerd shows it. */
const DEFAULT_ENDPOINT_SPEC: JsonObject = { Mode: 'vip' };

function endpointJson(e: Endpoint | undefined, spec: JsonObject | undefined): JsonObject {
  return {
    Spec: spec ?? endpointSpecJson(e?.spec) ?? {},
    Ports: nonEmptyList((e?.ports ?? []).map(portJson)),
    VirtualIPs: nonEmptyList((e?.virtualIps ?? []).map((v) => ({ NetworkID: v.networkId, Addr: v.addr }))),
  };
}

/**
 * serviceJson converts a Service to Docker's JSON; `status` (from ListServiceStatuses) becomes
 * `ServiceStatus`, which the CLI's `service ls` reads for REPLICAS.
 */
export function serviceJson(s: Service, status?: ServiceStatus): JsonObject {
  const update = s.updateStatus;
  const job = s.jobStatus;
  return {
    ID: s.id, ...metaFields(s.meta), Spec: serviceSpecJson(s.spec),
    PreviousSpec: s.previousSpec === undefined ? undefined : serviceSpecJson(s.previousSpec),
    Endpoint: endpointJson(s.endpoint, endpointSpecJson(s.spec?.endpoint) ?? DEFAULT_ENDPOINT_SPEC),
    UpdateStatus: update === undefined || update.state === UpdateState.UNKNOWN ? undefined : {
      State: UPDATE_STATE.toDocker(update.state), StartedAt: update.startedAt?.toISOString(),
      CompletedAt: update.completedAt?.toISOString(), Message: update.message,
    },
    ServiceStatus: status === undefined ? undefined : {
      RunningTasks: status.runningTasks, DesiredTasks: status.desiredTasks, CompletedTasks: status.completedTasks,
    },
    JobStatus: job === undefined ? undefined : {
      JobIteration: { Index: job.jobIteration?.index ?? 0 }, LastExecution: dockerTime(job.lastExecution),
    },
  };
}

function attachmentJson(a: NetworkAttachment): JsonObject {
  return {
    Network: a.network === undefined ? {} : networkJson(a.network),
    Addresses: nonEmptyList(a.addresses),
  };
}

/** taskJson converts a Task to Docker's JSON; `Status` is the task's observed status. */
export function taskJson(t: Task): JsonObject {
  const observed = observedTaskStatus(t);
  const status = observed.status;
  const container = status?.containerStatus;
  return {
    ID: t.id, ...metaFields(t.meta), Name: nonEmpty(t.annotations?.name ?? ''),
    Labels: { ...(t.annotations?.labels ?? {}) }, Spec: taskSpecJson(t.spec), ServiceID: t.serviceId,
    Slot: t.slot === 0 ? undefined : t.slot, NodeID: nonEmpty(t.nodeId),
    Status: {
      Timestamp: dockerTime(status?.timestamp), State: TASK_STATE.toDocker(observed.state),
      Message: status?.message ?? '', Err: nonEmpty(status?.err ?? ''),
      ContainerStatus: container === undefined ? undefined : {
        ContainerID: container.containerId, PID: container.pid, ExitCode: container.exitCode,
      },
      PortStatus: { Ports: nonEmptyList((status?.portStatus?.ports ?? []).map(portJson)) },
    },
    DesiredState: TASK_STATE.toDocker(t.desiredState),
    NetworksAttachments: nonEmptyList(t.networks.map(attachmentJson)),
    JobIteration: t.jobIteration === undefined ? undefined : { Index: t.jobIteration.index },
  };
}

function base64(b: Buffer): string | undefined {
  return b.length === 0 ? undefined : b.toString('base64');
}

/** nodeJson converts a Node to Docker's JSON (`docker node ls` / `inspect`). */
export function nodeJson(n: Node): JsonObject {
  const d = n.description;
  const m = n.managerStatus;
  return {
    ID: n.id, ...metaFields(n.meta),
    Spec: {
      Name: nonEmpty(n.spec?.annotations?.name ?? ''), Labels: { ...(n.spec?.annotations?.labels ?? {}) },
      Role: NODE_ROLE.toDocker(n.spec?.desiredRole ?? n.role), Availability: AVAILABILITY.toDocker(n.spec?.availability ?? 0),
    },
    Description: d === undefined ? {} : {
      Hostname: d.hostname,
      Platform: { Architecture: d.platform?.architecture ?? '', OS: d.platform?.os ?? '' },
      Resources: resourcesJson(d.resources) ?? {},
      Engine: {
        EngineVersion: d.engine?.engineVersion ?? '', Labels: { ...(d.engine?.labels ?? {}) },
        Plugins: nonEmptyList((d.engine?.plugins ?? []).map((p) => ({ Type: p.type, Name: p.name }))),
      },
      TLSInfo: d.tlsInfo === undefined ? undefined : {
        TrustRoot: d.tlsInfo.trustRoot.toString('utf8'), CertIssuerSubject: base64(d.tlsInfo.certIssuerSubject),
        CertIssuerPublicKey: base64(d.tlsInfo.certIssuerPublicKey),
      },
    },
    Status: {
      State: NODE_STATE.toDocker(n.status?.state ?? 0), Message: nonEmpty(n.status?.message ?? ''), Addr: n.status?.addr ?? '',
    },
    ManagerStatus: m === undefined ? undefined : {
      Leader: m.leader || undefined, Reachability: REACHABILITY.toDocker(m.reachability), Addr: m.addr,
    },
  };
}

/** secretJson converts a Secret to Docker's JSON; the data is never returned. */
export function secretJson(s: Secret): JsonObject {
  const spec = s.spec;
  return {
    ID: s.id, ...metaFields(s.meta),
    Spec: {
      Name: spec?.annotations?.name ?? '', Labels: { ...(spec?.annotations?.labels ?? {}) },
      Driver: spec?.driver === undefined ? undefined : { Name: spec.driver.name, Options: { ...spec.driver.options } },
      Templating: spec?.templating === undefined ? undefined : { Name: spec.templating.name, Options: { ...spec.templating.options } },
    },
  };
}

/** configJson converts a Config to Docker's JSON, data included (base64), as dockerd does. */
export function configJson(c: Config): JsonObject {
  const spec = c.spec;
  return {
    ID: c.id, ...metaFields(c.meta),
    Spec: {
      Name: spec?.annotations?.name ?? '', Labels: { ...(spec?.annotations?.labels ?? {}) },
      Data: spec?.data.toString('base64') ?? '',
      Templating: spec?.templating === undefined ? undefined : { Name: spec.templating.name, Options: { ...spec.templating.options } },
    },
  };
}
