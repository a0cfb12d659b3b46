// Goal: the defaults are SwarmKit's and fill only unset fields; filters and status counts
// behave as control.proto says. Method: direct calls on hand-built objects.
import {
  RestartPolicy_Condition,
  Service,
  ServiceSpec,
  Task,
  TaskState,
  UpdateConfig_FailureAction,
} from '@shoal/proto';
import { withServiceDefaults } from './defaults';
import { formatMs } from './durations';
import { labelsMatch, taskDisplayName } from './filters';
import { serviceView, taskView } from './redact';
import { serviceStatus } from './service-status';

describe('withServiceDefaults', () => {
  it('fills mode, restart, update, rollback and stop grace period', () => {
    const spec = withServiceDefaults(ServiceSpec.fromPartial({ annotations: { name: 'web' },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } } } }));
    expect(spec.mode).toEqual({ $case: 'replicated', replicated: { replicas: 1 } });
    expect(spec.task?.restart).toEqual({ condition: RestartPolicy_Condition.ANY, delay: { seconds: 5, nanos: 0 },
      maxAttempts: 0, window: { seconds: 0, nanos: 0 } });
    expect(spec.update?.failureAction).toBe(UpdateConfig_FailureAction.PAUSE);
    expect(spec.rollback?.parallelism).toBe(1);
    const runtime = spec.task?.runtime;
    expect(runtime?.$case === 'container' ? runtime.container.stopGracePeriod : undefined)
      .toEqual({ seconds: 10, nanos: 0 });
  });

  it('keeps what the user set and gives jobs no update config', () => {
    const spec = withServiceDefaults(ServiceSpec.fromPartial({ annotations: { name: 'j' },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } },
        restart: { condition: RestartPolicy_Condition.NONE } },
      mode: { $case: 'replicatedJob', replicatedJob: { maxConcurrent: 0, totalCompletions: 0 } } }));
    expect(spec.task?.restart?.condition).toBe(RestartPolicy_Condition.NONE);
    expect(spec.update).toBeUndefined();
    expect(spec.mode).toEqual({ $case: 'replicatedJob', replicatedJob: { maxConcurrent: 1, totalCompletions: 1 } });
  });
});

describe('filters and names', () => {
  it('matches labels with and without values', () => {
    expect(labelsMatch({ a: '1', b: '2' }, { a: '' })).toBe(true);
    expect(labelsMatch({ a: '1' }, { a: '2' })).toBe(false);
    expect(labelsMatch(undefined, {})).toBe(true);
  });

  it('names tasks <service>.<slot>.<id>, or by node for global tasks', () => {
    expect(taskDisplayName(Task.fromPartial({ id: 't1', slot: 3, serviceAnnotations: { name: 'web' } })))
      .toBe('web.3.t1');
    expect(taskDisplayName(Task.fromPartial({ id: 't2', nodeId: 'n1', serviceAnnotations: { name: 'g' } })))
      .toBe('g.n1.t2');
  });

  it('prints durations as Go does', () => {
    expect([formatMs(3_600_000), formatMs(5_000), formatMs(90_000), formatMs(1)]).toEqual(['1h0m0s', '5s', '1m30s', '1ms']);
  });
});

describe('serviceStatus', () => {
  it('counts desired replicas and observed RUNNING tasks', () => {
    const service = Service.fromPartial({ id: 's', spec: { mode: { $case: 'replicated', replicated: { replicas: 3 } } } });
    const tasks = [TaskState.RUNNING, TaskState.RUNNING, TaskState.PREPARING].map((state, i) =>
      Task.fromPartial({ id: `t${i}`, serviceId: 's', desiredState: TaskState.RUNNING, status: { state } }));
    expect(serviceStatus(service, tasks)).toEqual({ serviceId: 's', desiredTasks: 3, runningTasks: 2, completedTasks: 0 });
  });

  it('counts global desired tasks and job completions', () => {
    const global = Service.fromPartial({ id: 'g', spec: { mode: { $case: 'global', global: {} } } });
    const running = Task.fromPartial({ desiredState: TaskState.RUNNING, status: { state: TaskState.RUNNING } });
    const stopping = Task.fromPartial({ desiredState: TaskState.SHUTDOWN, status: { state: TaskState.RUNNING } });
    expect(serviceStatus(global, [running, stopping]).desiredTasks).toBe(1);
    const job = Service.fromPartial({ id: 'j', spec: { mode: { $case: 'replicatedJob',
      replicatedJob: { maxConcurrent: 2, totalCompletions: 3 } } } });
    const done = Task.fromPartial({ desiredState: TaskState.COMPLETE, status: { state: TaskState.COMPLETE } });
    expect(serviceStatus(job, [done, done])).toEqual({ serviceId: 'j', desiredTasks: 1, runningTasks: 0, completedTasks: 2 });
  });
});

describe('redaction', () => {
  it('drops registry credentials from services and tasks', () => {
    const task = Task.fromPartial({ id: 't', spec: { runtime: { $case: 'container',
      container: { image: 'busybox', pullOptions: { registryAuth: 'c2VjcmV0' } } } } });
    const runtime = taskView(task).spec?.runtime;
    expect(runtime?.$case === 'container' ? runtime.container.pullOptions : 'x').toBeUndefined();
    const service = Service.fromPartial({ id: 's', spec: { task: task.spec } });
    const svcRuntime = serviceView(service).spec?.task?.runtime;
    expect(svcRuntime?.$case === 'container' ? svcRuntime.container.pullOptions : 'x').toBeUndefined();
    expect(task.spec?.runtime?.$case === 'container' ? task.spec.runtime.container.pullOptions?.registryAuth : '')
      .toBe('c2VjcmV0');
  });
});
