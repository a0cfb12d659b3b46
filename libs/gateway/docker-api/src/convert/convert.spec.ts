// Goal: Docker JSON <-> shoal.v1 conversions keep every field the CLI sends and shows, read
// bad input like dockerd, and show objects as dockerd does (observed task status, roles,
// times, versions). Method: table tests over CLI-shaped bodies and hand-made objects.
import {
  NodeRole, NodeSpec_Availability, NodeStatus_State, PortConfig_PublishMode, RaftMemberStatus_Reachability,
  RestartPolicy_Condition, Task, TaskState, UpdateConfig_FailureAction, UpdateConfig_Order, type Node,
} from '@shoal/proto';
import { nodeJson, taskJson } from './objects-out';
import { checkImageReference } from './reference';
import { serviceSpecFromDocker } from './service-spec-in';
import { serviceSpecJson } from './service-spec-out';

/** A body as `docker service create` sends it with many flags (shape captured from CLI 28). */
const CLI_BODY = {
  Name: 'web', Labels: { team: 'a' },
  TaskTemplate: {
    ContainerSpec: {
      Image: 'local/busybox:1', Args: ['sleep', '1000'], Env: ['FOO=bar'], Init: false, StopGracePeriod: 3_000_000_000,
      Mounts: [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1024 } }],
      Secrets: [{ File: { Name: 's', UID: '0', GID: '0', Mode: 292 }, SecretID: 'sid', SecretName: 's' }],
      DNSConfig: {}, Isolation: 'default',
    },
    Resources: { Limits: { NanoCPUs: 500_000_000, Pids: 100 }, Reservations: {} },
    RestartPolicy: { Condition: 'on-failure', Delay: 2_000_000_000, MaxAttempts: 3 },
    Placement: { Constraints: ['node.role==worker'] },
    Networks: [{ Target: 'net1', Aliases: ['w'] }], ForceUpdate: 2, Runtime: 'container',
  },
  Mode: { Replicated: { Replicas: 3 } },
  UpdateConfig: { Parallelism: 2, Delay: 1_000_000_000, FailureAction: 'rollback', Monitor: 5_000_000_000, MaxFailureRatio: 0.5, Order: 'start-first' },
  EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }] },
};

describe('serviceSpecFromDocker', () => {
  it('reads every field of a CLI body', () => {
    const spec = serviceSpecFromDocker(CLI_BODY);
    expect(spec.annotations).toEqual({ name: 'web', labels: { team: 'a' } });
    expect(spec.mode).toEqual({ $case: 'replicated', replicated: { replicas: 3 } });
    const container = spec.task?.runtime?.$case === 'container' ? spec.task.runtime.container : undefined;
    expect(container).toMatchObject({ image: 'local/busybox:1', args: ['sleep', '1000'], env: ['FOO=bar'], pidsLimit: 100, init: false });
    expect(container?.stopGracePeriod).toEqual({ seconds: 3, nanos: 0 });
    expect(container?.secrets[0]).toMatchObject({ secretId: 'sid', target: { $case: 'file', file: { name: 's', mode: 292 } } });
    expect(spec.task?.restart).toMatchObject({ condition: RestartPolicy_Condition.ON_FAILURE, maxAttempts: 3, delay: { seconds: 2, nanos: 0 } });
    expect(spec.task?.placement?.constraints).toEqual(['node.role==worker']);
    expect(spec.task?.forceUpdate).toBe(2);
    expect(spec.update).toMatchObject({ parallelism: 2, failureAction: UpdateConfig_FailureAction.ROLLBACK, order: UpdateConfig_Order.START_FIRST, maxFailureRatio: 0.5 });
    expect(spec.endpoint?.ports[0]).toMatchObject({ targetPort: 80, publishedPort: 8080, publishMode: PortConfig_PublishMode.HOST });
  });

  it('writes back what it read (round trip of the CLI body)', () => {
    const back = serviceSpecJson(serviceSpecFromDocker(CLI_BODY));
    expect(back).toMatchObject({
      Name: 'web', Labels: { team: 'a' }, Mode: CLI_BODY.Mode, UpdateConfig: CLI_BODY.UpdateConfig,
      EndpointSpec: CLI_BODY.EndpointSpec,
      TaskTemplate: {
        ContainerSpec: { Image: 'local/busybox:1', Args: ['sleep', '1000'], StopGracePeriod: 3_000_000_000, Secrets: CLI_BODY.TaskTemplate.ContainerSpec.Secrets },
        Resources: { Limits: { NanoCPUs: 500_000_000, Pids: 100 } }, RestartPolicy: { Condition: 'on-failure', Delay: 2_000_000_000, MaxAttempts: 3 },
        Networks: [{ Target: 'net1', Aliases: ['w'] }], ForceUpdate: 2,
      },
    });
  });

  it.each([
    [{}, { replicas: 1 }],
    [{ Replicated: {} }, { replicas: 1 }],
  ])('a mode %j means replicated %j (dockerd default)', (mode, replicated) => {
    expect(serviceSpecFromDocker({ Name: 'x', Mode: mode }).mode).toEqual({ $case: 'replicated', replicated });
  });

  it('a replicated job defaults total completions to max concurrent; the default endpoint is unset', () => {
    const spec = serviceSpecFromDocker({ Name: 'j', Mode: { ReplicatedJob: { MaxConcurrent: 4 } }, EndpointSpec: { Mode: 'vip' } });
    expect(spec.mode).toEqual({ $case: 'replicatedJob', replicatedJob: { maxConcurrent: 4, totalCompletions: 4 } });
    expect(spec.endpoint).toBeUndefined();
    expect(serviceSpecJson(spec).EndpointSpec).toEqual({ Mode: 'vip' });
  });

  it.each([
    [{ Mode: { Replicated: { Replicas: -1 } } }, 'json: cannot unmarshal number -1 into field ServiceSpec.Mode.Replicated.Replicas of type uint64'],
    [{ Name: 7 }, 'json: cannot unmarshal number 7 into field ServiceSpec.Name of type string'],
    [{ TaskTemplate: { RestartPolicy: { Condition: 'sometimes' } } }, 'invalid RestartPolicy.Condition: "sometimes" (expected one of "none", "on-failure", "any")'],
    [{ TaskTemplate: { Runtime: 'plugin' } }, 'TaskTemplate.Runtime "plugin" is not supported: Shoal runs containers only'],
    ['not an object', 'json: cannot unmarshal string into field ServiceSpec of type object'],
  ])('refuses %j: %s', (body, message) => {
    expect(() => serviceSpecFromDocker(body)).toThrow(message);
  });
});

describe('objects as dockerd shows them', () => {
  it('a task shows its observed status (the greatest of its three) and its slot', () => {
    const task = Task.fromPartial({
      id: 't1', meta: { version: { index: 9 }, createdAt: new Date('2026-01-02T03:04:05.678Z') }, serviceId: 's1', slot: 2, nodeId: 'n1',
      desiredState: TaskState.RUNNING,
      allocatorStatus: { state: TaskState.PENDING, message: 'pending task scheduling' },
      schedulerStatus: { state: TaskState.ASSIGNED, message: 'scheduler assigned task to node' },
      status: { state: TaskState.RUNNING, message: 'started', containerStatus: { containerId: 'c1', pid: 5, exitCode: 0 } },
    });
    expect(taskJson(task)).toMatchObject({
      ID: 't1', Version: { Index: 9 }, CreatedAt: '2026-01-02T03:04:05.678Z', UpdatedAt: '0001-01-01T00:00:00Z',
      Slot: 2, NodeID: 'n1', DesiredState: 'running',
      Status: { State: 'running', Message: 'started', ContainerStatus: { ContainerID: 'c1', PID: 5, ExitCode: 0 } },
    });
    expect(taskJson({ ...task, status: undefined }).Status).toMatchObject({ State: 'assigned', Message: 'scheduler assigned task to node' });
  });

  it('a node shows role, availability, state and leader', () => {
    const node: Node = {
      id: 'n1', spec: { desiredRole: NodeRole.MANAGER, membership: 1, availability: NodeSpec_Availability.DRAIN },
      description: { hostname: 'h1', fips: false },
      status: { state: NodeStatus_State.READY, message: '', addr: '10.0.0.1' },
      managerStatus: { raftId: 1, addr: '10.0.0.1:4240', leader: true, reachability: RaftMemberStatus_Reachability.REACHABLE },
      role: NodeRole.MANAGER, attachments: [],
    };
    expect(nodeJson(node)).toMatchObject({
      Spec: { Role: 'manager', Availability: 'drain' }, Description: { Hostname: 'h1' },
      Status: { State: 'ready', Addr: '10.0.0.1' }, ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '10.0.0.1:4240' },
    });
  });
});

describe('checkImageReference', () => {
  it.each(['busybox', 'local/busybox:1', 'registry.local:5000/a/b-c_d:v1.2', 'b@sha256:' + 'a'.repeat(64)])('accepts %s', (ref) => {
    expect(() => checkImageReference(ref)).not.toThrow();
  });
  it.each([['Busybox', 'invalid reference format: repository name must be lowercase'], ['a b', 'invalid reference format'],
    ['busybox:', 'invalid reference format'], ['x'.repeat(256), 'invalid reference format']])('refuses %s', (ref, message) => {
    expect(() => checkImageReference(ref)).toThrow(message);
  });
});
