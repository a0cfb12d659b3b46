// Public surface of @shoal/testing-store-fixture: an in-process store server (LocalReplica
// behind real gRPC) and the objects other components would write, for control-loop tests.
export {
  createNodes,
  fixtureId,
  readyNode,
  runAssignedTasks,
  setNodeState,
  startStoreFixture,
  testService,
  until,
  type ServiceOptions,
  type StoreFixture,
  type StoreFixtureOptions,
} from './store-fixture';
