// Adapting services written for a grpc-js Server to the shared bootstrap's GrpcBindings.
import type {
  Server,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import type { GrpcBinding } from '@shoal/bootstrap';

/** serviceName reads `shoal.v1.Store` from a definition's method paths (`/shoal.v1.Store/Get`). */
export function serviceName(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0] as { path?: string } | undefined;
  const match = first?.path === undefined ? null : /^\/([^/]+)\//.exec(first.path);
  assert(match !== null, 'a service definition has a method with a /service/method path');
  return match[1] as string;
}

/** binding builds one GrpcBinding from a definition and its implementation. */
export function binding(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
): GrpcBinding {
  return { name: serviceName(definition), definition, implementation };
}

/**
 * BindingCollector stands in for a grpc-js Server where a library only calls `addService`
 * (e.g. @shoal/store-server's addStoreServices): it records each service as a GrpcBinding
 * for the bootstrap, whose server (made by @shoal/grpc) then serves it.
 */
export class BindingCollector {
  readonly bindings: GrpcBinding[] = [];

  /** addService records one service, as Server.addService would add it. */
  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.bindings.push(binding(definition, implementation));
  }

  /**
   * asServer is this collector typed as the Server the library expects. Only `addService`
   * exists: calling anything else fails loudly, which a library change would reveal in tests.
   */
  asServer(): Server {
    return this as unknown as Server;
  }
}
