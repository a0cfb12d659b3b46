// The Docker Engine API listeners: a unix socket and, optionally, TCP with TLS client
// certificates of role `admin`.
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ShoalError } from '@shoal/errors';
import type { ControlApi } from '@shoal/gateway-control';
import { DOCKER_API_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { parseIdentity } from '@shoal/pki';
import type { EngineFacts } from './engine-facts';
import { dockerRoutes } from './routes';
import type { UnlockKeySource } from './handlers/swarm';
import { createDispatcher, type DispatchOptions } from './http/dispatch';

/** DockerApiTls are the PEM contents of the TCP listener: the cluster root and the gateway's pair. */
export interface DockerApiTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** DockerApiOptions configure {@link startDockerApi}. */
export interface DockerApiOptions {
  readonly control: ControlApi;
  readonly facts: EngineFacts;
  readonly logger: Logger;
  /** Unix socket path; a stale socket file there is removed first. */
  readonly socketPath?: string;
  /** TCP listener with TLS client certificates (role `admin` only). */
  readonly tcp?: { readonly host: string; readonly port: number; readonly tls: DockerApiTls };
  readonly requestDeadlineMs?: number;
  /**
   * host:port a new node joins through (the ca's gRPC endpoint the gateway was told), shown as
   * the self node's manager address, which `docker swarm join-token` prints. Default
   * `127.0.0.1:4246`, the ca's default port on this host.
   */
  readonly joinAddr?: string;
  /** Registry for `shoal_docker_api_request_seconds{method,route,status}`. */
  readonly metrics?: Metrics;
  /**
   * Reads the cluster's current manager unlock key (empty when autolock is off) for
   * `GET /swarm/unlockkey`; the Control API never shows it. Without it the route answers 501.
   */
  readonly unlockKey?: UnlockKeySource;
}

/** DockerApiServer is the running Docker API. */
export interface DockerApiServer {
  /** The socket path, when listening on one. */
  readonly socketPath: string | undefined;
  /** The bound TCP port, when listening on TCP. */
  readonly tcpPort: number | undefined;
  /** updateTls swaps the TCP listener's certificate (after a renewal); new connections use it. */
  updateTls(tls: DockerApiTls): void;
  /** close stops accepting, ends idle connections and removes the socket file. */
  close(): Promise<void>;
}

/** removeStaleSocket deletes a leftover socket file; any other kind of file is an error. */
export function removeStaleSocket(path: string): void {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) {
    throw ShoalError.failedPrecondition(`${path} exists and is not a socket: refusing to replace it`);
  }
  unlinkSync(path);
}

/** requireAdmin refuses a TLS caller whose certificate role is not `admin`. */
export function requireAdmin(req: IncomingMessage): void {
  const cert = (req.socket as TLSSocket).getPeerCertificate();
  if (cert === null || Object.keys(cert).length === 0) throw ShoalError.unauthenticated('a client certificate is required');
  const identity = parseIdentity(cert);
  if (identity.role !== 'admin') {
    throw ShoalError.permissionDenied(`role ${identity.role} may not use the Docker API: it needs an admin certificate`);
  }
}

function listen(server: Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function observer(metrics: Metrics | undefined): DispatchOptions['observe'] {
  if (metrics === undefined) return undefined;
  const seconds = metrics.histogram('docker_api_request_seconds', 'Docker Engine API requests by route and status',
    ['method', 'route', 'status']);
  return (method, route, status, s) => seconds.observe({ method, route, status: String(status) }, s);
}

function tune(server: Server): Server {
  server.keepAliveTimeout = DOCKER_API_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = DOCKER_API_LIMITS.maxConnections;
  return server;
}

/**
 * startDockerApi serves the Docker Engine API subset over `control` on the unix socket and/or
 * TLS TCP listener configured, and resolves once every listener is bound.
 */
export async function startDockerApi(opts: DockerApiOptions): Promise<DockerApiServer> {
  const routes = dockerRoutes(opts.control, opts.facts, opts.joinAddr, opts.unlockKey);
  const server = `Shoal/${opts.facts.version} (${opts.facts.os})`;
  const base = { routes, logger: opts.logger, server, requestDeadlineMs: opts.requestDeadlineMs, observe: observer(opts.metrics) };
  const servers: Server[] = [];
  const { socketPath, tcp } = opts;
  try {
    if (socketPath !== undefined) {
      mkdirSync(dirname(socketPath), { recursive: true });
      removeStaleSocket(socketPath);
      const unix = tune(createHttpServer(createDispatcher(base)));
      servers.push(unix);
      await listen(unix, socketPath);
    }
    let tcpPort: number | undefined;
    let updateTls: (tls: DockerApiTls) => void = () => undefined;
    if (tcp !== undefined) {
      const https = createHttpsServer({
        ca: tcp.tls.caPem, cert: tcp.tls.certPem, key: tcp.tls.keyPem, requestCert: true, rejectUnauthorized: true,
      }, createDispatcher({ ...base, authorize: requireAdmin }));
      tune(https);
      servers.push(https);
      await listen(https, { host: tcp.host, port: tcp.port });
      tcpPort = (https.address() as AddressInfo).port;
      updateTls = (tls) => https.setSecureContext({ ca: tls.caPem, cert: tls.certPem, key: tls.keyPem });
    }
    opts.logger.info({ socketPath, tcpPort }, 'Docker Engine API listening');
    return { socketPath, tcpPort, updateTls, close: async () => {
      await Promise.all(servers.map(closeServer));
      if (socketPath !== undefined && existsSync(socketPath)) unlinkSync(socketPath);
    } };
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
}
