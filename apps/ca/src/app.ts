import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the ca process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'ca',
  summary: "the cluster certificate authority: join tokens and certificates (process shell)",
  defaultPorts: { grpc: 4246, http: 9246 },
};
