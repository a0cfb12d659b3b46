// The Control API as a gRPC service for the shared bootstrap.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { GrpcBinding } from '@shoal/bootstrap';
import { wrapUnary } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import { ControlService } from '@shoal/proto-grpc';
import type { ControlApi } from './control-api';

/** CONTROL_SERVICE_NAME is the fully qualified name of the Control service. */
export const CONTROL_SERVICE_NAME = 'shoal.v1.Control';

/**
 * controlGrpcBinding serves `api` as shoal.v1.Control: one unary handler per method, whose
 * ShoalErrors become their gRPC status (with the precise code in metadata, via @shoal/grpc);
 * anything else is answered INTERNAL and logged. Authorization (roles gateway and admin) is
 * the server's interceptor's job, as for every Shoal service.
 */
export function controlGrpcBinding(api: ControlApi, options: { logger?: Logger } = {}): GrpcBinding {
  const implementation: UntypedServiceImplementation = {};
  for (const method of Object.keys(ControlService) as (keyof typeof ControlService & keyof ControlApi)[]) {
    const call = api[method] as (request: unknown) => Promise<unknown>;
    implementation[method] = wrapUnary((request: unknown) => call(request), { logger: options.logger });
  }
  return { name: CONTROL_SERVICE_NAME, definition: ControlService, implementation };
}
