// Public surface of @shoal/allocator-core: the allocator's pure logic, ingress published-port
// allocation (SwarmKit portallocator) and the task hand-off NEW → PENDING.
export { ALLOCATION_ERRORS, allocateEndpoint } from './allocate-endpoint';
export {
  needsAllocation,
  PortSpace,
  sameEndpointSpec,
  type EndpointAllocation,
} from './port-space';
export { allocatedTask, failedTask, isAwaitingAllocation, PENDING_MESSAGE } from './task-handoff';
