// What the api-gateway runs: a store client writing as `gateway`, the Control API over it,
// and the TLS material its servers and client share (renewed through the ca when configured).
import type { GrpcSecurity } from '@shoal/bootstrap';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError } from '@shoal/config';
import { createControlApi, type ControlApi } from '@shoal/gateway-control';
import type { Logger } from '@shoal/logging';
import { cryptoRandom, systemClock } from '@shoal/runtime';
import { connectStore, type StoreClient } from '@shoal/store-client';
import {
  channelCredentials, loadTlsMaterial, serverSecurity, startCertRenewal, type CertRenewal, type TlsMaterial,
} from '@shoal/tls';
import { checkGatewayConfig, type GatewayConfig } from './config';

/** Gateway is the app's long-lived parts, built once per process. */
export interface Gateway {
  readonly material: TlsMaterial | undefined;
  readonly store: StoreClient;
  readonly control: ControlApi;
}

function connect(config: GatewayConfig, material: TlsMaterial | undefined, logger: Logger): StoreClient {
  const endpoints = [...config.storeEndpoints];
  const log = logger.child({ component: 'store-client' });
  if (config.testIdentity) return connectStore({ endpoints, identityForTests: 'gateway', logger: log });
  if (material === undefined) {
    logger.warn({ endpoints }, 'no TLS files configured: connecting to the store without TLS and serving Control unauthenticated');
    return connectStore({ endpoints, logger: log });
  }
  const role = material.identity().role;
  if (role !== 'gateway') {
    throw new ConfigError([`tls-cert-file: the certificate's role is "${role}"; the api-gateway needs a "gateway" certificate`]);
  }
  return connectStore({ endpoints, credentials: channelCredentials(material, 'store'), logger: log });
}

/** buildGateway checks the config, loads the TLS files and connects the store (lazily, no I/O wait). */
export function buildGateway(config: GatewayConfig, logger: Logger): Gateway {
  checkGatewayConfig(config);
  const material = config.testIdentity ? undefined : loadTlsMaterial(config);
  const store = connect(config, material, logger);
  const control = createControlApi({ store, clock: systemClock, random: cryptoRandom(), logger: logger.child({ component: 'control' }) });
  return { material, store, control };
}

/** gatewaySecurity is the Control gRPC server's security: mTLS + authorization, or plaintext. */
export function gatewaySecurity(gateway: Gateway, logger: Logger): GrpcSecurity {
  if (gateway.material === undefined) return { credentials: ServerCredentials.createInsecure() };
  return serverSecurity(gateway.material, { logger });
}

/** startRenewal renews the certificate through the ca replicas when any are configured. */
export function startRenewal(gateway: Gateway, config: GatewayConfig, logger: Logger): CertRenewal | undefined {
  if (gateway.material === undefined) return undefined;
  return startCertRenewal(gateway.material, { caEndpoints: config.caEndpoints ?? [], logger });
}
