import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as Status,
} from '@shoal/proto';
import { HealthState, type ServingStatus } from './health-state';
import { APP_HEALTH, SERVICE_NAMES } from './tokens';

const GRPC_NOT_FOUND = 5;

function toProto(status: ServingStatus): Status {
  return status === 'SERVING' ? Status.SERVING : Status.NOT_SERVING;
}

/**
 * NB: ts-proto keys grpc-js service methods in lowerCamelCase (`check`, not `Check`), and
 * NestJS matches handlers on those keys, so the method names below are lower case.
 *
 * HealthGrpcController serves `grpc.health.v1.Health` for the whole process. The empty
 * service name means the process itself; the app's own service names are accepted too, and
 * any other name is NOT_FOUND, as the health protocol asks.
 */
@Controller()
export class HealthGrpcController {
  constructor(
    @Inject(APP_HEALTH) private readonly health: HealthState,
    @Inject(SERVICE_NAMES) private readonly services: readonly string[],
  ) {}

  /** check answers the current status of the process or of one of its services. */
  @GrpcMethod('Health', 'check')
  check(request: HealthCheckRequest): HealthCheckResponse {
    this.known(request.service);
    return { status: toProto(this.health.get()) };
  }

  /** watch streams the status now and on every change, until the client cancels. */
  @GrpcMethod('Health', 'watch')
  watch(request: HealthCheckRequest): Observable<HealthCheckResponse> {
    this.known(request.service);
    return new Observable<HealthCheckResponse>((subscriber) => {
      subscriber.next({ status: toProto(this.health.get()) });
      return this.health.subscribe((status) => subscriber.next({ status: toProto(status) }));
    });
  }

  private known(service: string): void {
    if (service === '' || this.services.includes(service)) return;
    throw new RpcException({ code: GRPC_NOT_FOUND, message: `unknown service "${service}"` });
  }
}
