import type { AppContext, AppSpec, BaseAppConfig, Stoppable } from '@shoal/bootstrap';
import { localEngineFacts, startDockerApi, type DockerApiServer } from '@shoal/docker-api';
import { controlGrpcBinding } from '@shoal/gateway-control';
import { dockerSocketOf, gatewayConfig, type GatewayConfig } from './config';
import { buildGateway, gatewaySecurity, startRenewal, type Gateway } from './wiring';

type Ctx = AppContext<BaseAppConfig & GatewayConfig>;

async function startDocker(ctx: Ctx, gateway: Gateway): Promise<DockerApiServer | undefined> {
  const socketPath = dockerSocketOf(ctx.config);
  const port = ctx.config.dockerTcpPort;
  const material = gateway.material;
  if (socketPath === undefined && port === undefined) {
    ctx.logger.warn('no --docker-socket, --state-dir or --docker-tcp-port: the Docker Engine API is not served');
    return undefined;
  }
  const tcp = port === undefined || material === undefined ? undefined
    : { host: ctx.config.host, port, tls: material.current() };
  const docker = await startDockerApi({
    control: gateway.control, facts: localEngineFacts(ctx.version), logger: ctx.logger.child({ component: 'docker-api' }),
    socketPath, tcp, metrics: ctx.metrics,
    // The Control API never shows unlock keys; `docker swarm unlock-key` reads it from the store.
    unlockKey: async () => (await gateway.store.find('cluster')).objects[0]?.unlockKeys[0]?.key ?? Buffer.alloc(0),
    // `docker swarm join-token` prints this address: where a joining node reaches the ca.
    ...(ctx.config.caEndpoints?.[0] === undefined ? {} : { joinAddr: ctx.config.caEndpoints[0] }),
  });
  if (tcp !== undefined) material?.onReplace((bundle) => docker.updateTls(bundle));
  ctx.logger.info({ dockerHost: socketPath === undefined ? undefined : `unix://${socketPath}`, dockerTcpPort: docker.tcpPort },
    'Docker Engine API ready');
  return docker;
}

/**
 * createAppSpec describes the api-gateway to the shared bootstrap: shoal.v1.Control over gRPC
 * (mTLS with the authorization table when TLS files are given: roles gateway and admin) and
 * the Docker Engine API subset on a unix socket (`--docker-socket`, default
 * `<state-dir>/docker.sock`) and optionally on TLS TCP (`--docker-tcp-port`, admin
 * certificates). Both are served over one Control API, a client of the raft-store writing as
 * `gateway`. With no store reachable it still starts: `_ping` and `version` answer, cluster
 * calls fail 503 with the reason.
 */
export function createAppSpec(): AppSpec<typeof gatewayConfig> {
  let gateway: Gateway | undefined;
  const built = (ctx: Ctx): Gateway => (gateway ??= buildGateway(ctx.config, ctx.logger));
  return {
    app: 'api-gateway',
    summary: 'the user-facing edge: the Control API (gRPC) and the Docker Engine API subset (HTTP)',
    defaultPorts: { grpc: 4241, http: 9241 },
    config: gatewayConfig,
    grpcServices: (ctx) => [controlGrpcBinding(built(ctx).control, { logger: ctx.logger })],
    grpcSecurity: (ctx) => gatewaySecurity(built(ctx), ctx.logger),
    start: async (ctx): Promise<Stoppable> => {
      const g = built(ctx);
      const renewal = startRenewal(g, ctx.config, ctx.logger);
      let docker: DockerApiServer | undefined;
      try {
        docker = await startDocker(ctx, g);
      } catch (err) {
        await renewal?.stop();
        g.store.close();
        throw err;
      }
      return {
        stop: async () => {
          await docker?.close();
          await renewal?.stop();
          g.store.close();
        },
      };
    },
  };
}

/** appSpec is the api-gateway process's spec (one per process). */
export const appSpec = createAppSpec();
