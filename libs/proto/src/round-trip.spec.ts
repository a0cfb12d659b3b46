// Goal: the generated codecs carry every shape the contracts rely on unchanged through the
// wire: Date timestamps, oneof unions, maps, bytes, int64/uint64 as numbers, nested messages,
// and fail loudly on integers beyond 2^53. Method: build a Task and a Service by hand, encode,
// decode, and compare deeply; then hand-encode an out-of-range uint64.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  ContainerSpec,
  RestartPolicy_Condition,
  Service,
  StoredObject,
  Task,
  TaskState,
  Version,
  UpdateConfig_FailureAction,
} from './gen';
import { durationFromMs } from './duration';
import { wrapStoredObject } from './stored-object';

const CREATED = new Date('2026-11-24T21:00:00.123Z');
const UPDATED = new Date('2026-11-24T21:00:05.456Z');
const SECCOMP_PROFILE = '{"defaultAction":"SCMP_ACT_ERRNO"}';

function sampleTask(): Task {
  return Task.fromPartial({
    id: 'a1b2c3d4e5f6g7h8i9j0k1l2m',
    meta: { version: { index: 2 ** 40 + 7 }, createdAt: CREATED, updatedAt: UPDATED },
    spec: {
      runtime: {
        $case: 'container',
        container: ContainerSpec.fromPartial({
          image: 'local/busybox:1',
          labels: { team: 'a', 'com.example.tier': 'web' },
          args: ['sleep', '3600'],
          stopGracePeriod: durationFromMs(10_000),
          init: false,
        }),
      },
      resources: { reservations: { nanoCpus: 500_000_000, memoryBytes: 64 * 1024 * 1024 } },
      restart: { condition: RestartPolicy_Condition.ON_FAILURE, delay: durationFromMs(5_000) },
    },
    serviceId: 'svc1',
    slot: 3,
    nodeId: 'node1',
    desiredState: TaskState.RUNNING,
    allocatorStatus: {
      timestamp: CREATED,
      state: TaskState.PENDING,
      message: 'pending task scheduling',
    },
    schedulerStatus: {
      timestamp: UPDATED,
      state: TaskState.ASSIGNED,
      message: 'scheduler assigned task to node',
    },
    status: {
      timestamp: UPDATED,
      state: TaskState.RUNNING,
      containerStatus: { containerId: 'c0ffee', pid: 4242, exitCode: 0 },
      appliedBy: 'manager1',
      appliedAt: UPDATED,
    },
  });
}

function sampleService(): Service {
  return Service.fromPartial({
    id: 'svc1',
    meta: { version: { index: 17 }, createdAt: CREATED },
    spec: {
      annotations: { name: 'batch', labels: { env: 'test' } },
      task: {
        runtime: {
          $case: 'container',
          container: {
            image: 'local/busybox:1',
            privileges: { seccomp: { profile: Buffer.from(SECCOMP_PROFILE) } },
          },
        },
        resources: { limits: { memoryBytes: 3 * 2 ** 40 } },
      },
      mode: { $case: 'replicatedJob', replicatedJob: { maxConcurrent: 2, totalCompletions: 10 } },
      update: {
        parallelism: 1,
        failureAction: UpdateConfig_FailureAction.ROLLBACK,
        maxFailureRatio: 0.25,
      },
    },
    specVersion: { index: 16 },
    jobStatus: { jobIteration: { index: 3 }, lastExecution: UPDATED },
  });
}

describe('round trip through the wire format', () => {
  it('keeps a Task: Dates, a oneof runtime, a map, nested statuses, int64 and uint64', () => {
    const task = sampleTask();
    const decoded = Task.decode(Task.encode(task).finish());
    expect(decoded).toEqual(task);
    expect(decoded.meta?.createdAt).toBeInstanceOf(Date);
    expect(decoded.meta?.createdAt?.getTime()).toBe(CREATED.getTime());
    expect(decoded.meta?.version?.index).toBe(2 ** 40 + 7);
    expect(decoded.spec?.runtime?.$case).toBe('container');
    expect(decoded.spec?.resources?.reservations?.memoryBytes).toBe(64 * 1024 * 1024);
  });

  it('keeps a Service: a job-mode oneof, bytes, float, labels and a large int64', () => {
    const service = sampleService();
    const decoded = Service.decode(Service.encode(service).finish());
    expect(decoded).toEqual(service);
    const mode = decoded.spec?.mode;
    expect(mode?.$case === 'replicatedJob' && mode.replicatedJob.totalCompletions).toBe(10);
    const runtime = decoded.spec?.task?.runtime;
    const container = runtime?.$case === 'container' ? runtime.container : undefined;
    const profile = container?.privileges?.seccomp?.profile;
    expect(Buffer.isBuffer(profile)).toBe(true);
    expect(profile?.toString()).toBe(SECCOMP_PROFILE);
    expect(decoded.spec?.task?.resources?.limits?.memoryBytes).toBe(3 * 2 ** 40);
  });

  it('keeps stored objects inside the StoredObject oneof', () => {
    const stored = wrapStoredObject('task', sampleTask());
    const decoded = StoredObject.decode(StoredObject.encode(stored).finish());
    expect(decoded).toEqual(stored);
  });

  it('drops unset optional messages and keeps proto3 optional scalars that are set', () => {
    const spec = ContainerSpec.fromPartial({ image: 'x', init: false });
    const decoded = ContainerSpec.decode(ContainerSpec.encode(spec).finish());
    expect(decoded.init).toBe(false);
    expect(decoded.stopGracePeriod).toBeUndefined();
    expect(ContainerSpec.decode(ContainerSpec.encode({ ...spec, init: undefined }).finish()).init)
      .toBeUndefined();
  });

  it('throws when a uint64 on the wire exceeds Number.MAX_SAFE_INTEGER (forceLong=number)', () => {
    const bytes = new BinaryWriter().uint32(8).uint64('9007199254740993').finish();
    expect(() => Version.decode(bytes)).toThrow('MAX_SAFE_INTEGER');
  });
});
