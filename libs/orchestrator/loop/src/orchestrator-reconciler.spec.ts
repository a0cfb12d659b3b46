// Goal: the orchestrator's event handler names the services a change concerns, and ignores a
// node write that changed only the node's meta (the scheduler's per-commit fence), which
// would otherwise re-plan every service with a task on that node after every placement.
// Method: feed onEvent the events an informer would deliver; no store, no clock.
import { Node, NodeStatus_State, Service, Task } from '@shoal/proto';
import type { CacheEvent } from '@shoal/store-controller';
import { OrchestratorReconciler } from './orchestrator-reconciler';

const node = Node.fromPartial({ id: 'n1', meta: { version: { index: 5 } }, status: { state: NodeStatus_State.READY } });
const service = Service.fromPartial({ id: 's1', spec: { mode: { $case: 'replicated', replicated: { replicas: 1 } } } });
const task = Task.fromPartial({ id: 't1', serviceId: 's1', nodeId: 'n1', slot: 1 });

function nodeEvent(old: Node, next: Node): CacheEvent {
  return { type: 'update', key: `node/${next.id}`, object: { kind: 'node', object: next }, old: { kind: 'node', object: old } };
}

describe('OrchestratorReconciler.onEvent', () => {
  const reconciler = new OrchestratorReconciler(() => 'id');
  reconciler.onEvent({ type: 'add', key: 'service/s1', object: { kind: 'service', object: service } });
  reconciler.onEvent({ type: 'add', key: 'task/t1', object: { kind: 'task', object: task } });

  it('ignores a node write that changed only its meta', () => {
    expect(reconciler.onEvent(nodeEvent(node, { ...node, meta: { version: { index: 6 } } }))).toEqual([]);
  });

  it('names the services on a node whose status changed', () => {
    const down = { ...node, meta: { version: { index: 7 } }, status: { state: NodeStatus_State.DOWN, message: '', addr: '' } };
    expect(reconciler.onEvent(nodeEvent(node, down))).toEqual(['s1']);
  });

  it('names them on a resync (the same object twice)', () => {
    expect(reconciler.onEvent(nodeEvent(node, node))).toEqual(['s1']);
  });
});
