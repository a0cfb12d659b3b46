// Ingress published ports (SwarmKit portallocator.go): one owner per (protocol, port) across
// the cluster; user-chosen ports are checked for conflicts, port 0 gets the lowest free port
// of the dynamic range 30000-32767; a service's ports are released when it goes.
import { NETWORK_LIMITS } from '@shoal/limits';
import {
  EndpointSpec,
  EndpointSpec_ResolutionMode,
  PortConfig_PublishMode,
  type Endpoint,
  type PortConfig,
  type Service,
} from '@shoal/proto';

function portKey(protocol: number, port: number): string {
  return `${protocol}/${port}`;
}

function isIngress(p: PortConfig): boolean {
  return p.publishMode === PortConfig_PublishMode.INGRESS;
}

/**
 * PortSpace records which service owns each ingress published port. Invariant: `owners`
 * and `byService` describe the same claims; a (protocol, port) has at most one owner.
 */
export class PortSpace {
  private readonly owners = new Map<string, string>();
  private readonly byService = new Map<string, string[]>();

  /** size is how many ports are claimed. */
  get size(): number {
    return this.owners.size;
  }

  /** owner returns the service holding `port` for `protocol`, if any. */
  owner(protocol: number, port: number): string | undefined {
    return this.owners.get(portKey(protocol, port));
  }

  /** release frees every port of `serviceId` (a no-op if it holds none). */
  release(serviceId: string): void {
    for (const key of this.byService.get(serviceId) ?? []) this.owners.delete(key);
    this.byService.delete(serviceId);
  }

  /**
   * adopt makes the service own exactly the ingress ports of `endpoint` (the stored
   * allocation, e.g. from a list at startup). A port another service holds stays with it:
   * the store is the judge and the allocator never wrote both, so this is only asserted.
   */
  adopt(serviceId: string, endpoint: Endpoint | undefined): void {
    this.release(serviceId);
    const keys: string[] = [];
    for (const p of endpoint?.ports ?? []) {
      if (!isIngress(p) || p.publishedPort === 0) continue;
      const key = portKey(p.protocol, p.publishedPort);
      const owner = this.owners.get(key);
      if (owner !== undefined && owner !== serviceId) continue;
      this.owners.set(key, serviceId);
      keys.push(key);
    }
    if (keys.length > 0) this.byService.set(serviceId, keys);
  }

  /**
   * lowestFreeFor returns the lowest dynamic port for `protocol` that no other service holds
   * and that is not in `taken`; undefined when the range is exhausted.
   */
  lowestFreeFor(serviceId: string, protocol: number, taken: ReadonlySet<string>): number | undefined {
    const { dynamicPortStart, dynamicPortEnd } = NETWORK_LIMITS;
    for (let port = dynamicPortStart; port <= dynamicPortEnd; port++) {
      const key = portKey(protocol, port);
      const owner = this.owners.get(key);
      if ((owner === undefined || owner === serviceId) && !taken.has(key)) return port;
    }
    return undefined;
  }
}

/** EndpointAllocation is the endpoint to store, or why it cannot be allocated. */
export type EndpointAllocation =
  | { readonly ok: true; readonly endpoint: Endpoint | undefined }
  | { readonly ok: false; readonly error: string };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** sameEndpointSpec reports whether two endpoint specs are equal (by their encoding). */
export function sameEndpointSpec(a: EndpointSpec | undefined, b: EndpointSpec | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameBytes(EndpointSpec.encode(a).finish(), EndpointSpec.encode(b).finish());
}

/**
 * isDefaultEndpointSpec reports whether `spec` asks for nothing: absent, or VIP mode with no
 * published ports. Such a service has no endpoint to store (the store drops an all-default
 * message, so storing one would read back as absent and be re-allocated forever).
 */
export function isDefaultEndpointSpec(spec: EndpointSpec | undefined): spec is undefined {
  return spec === undefined || (spec.mode === EndpointSpec_ResolutionMode.VIP && spec.ports.length === 0);
}

/**
 * needsAllocation reports whether the service's stored endpoint is not the allocation of its
 * current endpoint spec (never allocated, or the spec changed since).
 */
export function needsAllocation(service: Service): boolean {
  const spec = service.spec?.endpoint;
  if (isDefaultEndpointSpec(spec)) return service.endpoint !== undefined;
  return service.endpoint === undefined || !sameEndpointSpec(service.endpoint.spec, spec);
}
