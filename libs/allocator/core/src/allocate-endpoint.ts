// Allocating one service's endpoint against the cluster's port space.
import { assert } from '@shoal/assert';
import { NETWORK_LIMITS } from '@shoal/limits';
import {
  EndpointSpec_ResolutionMode,
  PortConfig_PublishMode,
  type PortConfig,
  type Service,
} from '@shoal/proto';
import { isDefaultEndpointSpec, type EndpointAllocation, type PortSpace } from './port-space';

/** Messages of allocation failures (SwarmKit's wording where it has one). */
export const ALLOCATION_ERRORS = Object.freeze({
  inUse: (port: number, owner: string) => `port '${port}' is already in use by service '${owner}'`,
  duplicate: (port: number) => `port '${port}' is published more than once`,
  outOfRange: (port: number) => `published port ${port} is outside ${NETWORK_LIMITS.portMin}-${NETWORK_LIMITS.portMax}`,
  exhausted: 'no dynamic ports left in the ingress range',
  dnsrr: 'ports cannot be published in ingress mode with DNS round-robin resolution',
});

function previousDynamic(service: Service, p: PortConfig): number {
  const old = service.endpoint?.ports.find((o) => o.protocol === p.protocol &&
    o.targetPort === p.targetPort && o.name === p.name &&
    o.publishMode === PortConfig_PublishMode.INGRESS && o.publishedPort !== 0);
  return old?.publishedPort ?? 0;
}

/**
 * allocateEndpoint computes the endpoint of `service` for its current spec and claims its
 * ingress ports in `space` (releasing what it held before). User-chosen ingress ports must be
 * free or already the service's; port 0 keeps the dynamic port the service had for the same
 * (protocol, target, name), else takes the lowest free one of 30000-32767. Host-mode ports
 * are copied, not claimed (the scheduler's host-port filter handles them). On failure
 * nothing changes in `space`.
 */
export function allocateEndpoint(space: PortSpace, service: Service): EndpointAllocation {
  const spec = service.spec?.endpoint;
  if (isDefaultEndpointSpec(spec)) {
    space.release(service.id);
    return { ok: true, endpoint: undefined };
  }
  const taken = new Set<string>();
  const ports: PortConfig[] = [];
  const dynamic: number[] = [];
  for (const p of spec.ports) {
    if (p.publishMode !== PortConfig_PublishMode.INGRESS) {
      ports.push({ ...p });
      continue;
    }
    if (spec.mode === EndpointSpec_ResolutionMode.DNSRR) return { ok: false, error: ALLOCATION_ERRORS.dnsrr };
    const published = p.publishedPort !== 0 ? p.publishedPort : previousDynamic(service, p);
    if (published === 0) {
      dynamic.push(ports.length);
      ports.push({ ...p });
      continue;
    }
    const failure = checkPort(space, service.id, p.protocol, published, taken);
    if (failure !== undefined) return { ok: false, error: failure };
    taken.add(`${p.protocol}/${published}`);
    ports.push({ ...p, publishedPort: published });
  }
  for (const i of dynamic) {
    const p = ports[i] as PortConfig;
    const port = space.lowestFreeFor(service.id, p.protocol, taken);
    if (port === undefined) return { ok: false, error: ALLOCATION_ERRORS.exhausted };
    taken.add(`${p.protocol}/${port}`);
    ports[i] = { ...p, publishedPort: port };
  }
  const endpoint = { spec, ports, virtualIps: service.endpoint?.virtualIps ?? [] };
  space.adopt(service.id, endpoint);
  assert(ports.length === spec.ports.length, 'one allocated port per spec port');
  return { ok: true, endpoint };
}

function checkPort(space: PortSpace, serviceId: string, protocol: number, port: number,
  taken: ReadonlySet<string>): string | undefined {
  if (port < NETWORK_LIMITS.portMin || port > NETWORK_LIMITS.portMax) {
    return ALLOCATION_ERRORS.outOfRange(port);
  }
  if (taken.has(`${protocol}/${port}`)) return ALLOCATION_ERRORS.duplicate(port);
  const owner = space.owner(protocol, port);
  if (owner !== undefined && owner !== serviceId) return ALLOCATION_ERRORS.inUse(port, owner);
  return undefined;
}
