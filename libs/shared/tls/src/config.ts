// The TLS keys every Shoal process shares: the three PEM files and the ca replicas to renew at.
import { z } from 'zod';

/**
 * tlsConfig are the config keys of a process's mutual TLS, merged into its app config:
 * `--tls-ca-file`, `--tls-cert-file`, `--tls-key-file` (all three or none) and
 * `--ca-endpoints` (host:port of the ca replicas, comma-separated; when set, the process renews
 * its certificate through them). Env: `SHOAL_TLS_CA_FILE`, … , `SHOAL_CA_ENDPOINTS`.
 */
export const tlsConfig = {
  tlsCaFile: z.string().min(1).optional()
    .describe('PEM file of the cluster root CA (mutual TLS; all three TLS files or none)'),
  tlsCertFile: z.string().min(1).optional()
    .describe('PEM file of this process\'s certificate (rewritten on renewal)'),
  tlsKeyFile: z.string().min(1).optional()
    .describe('PEM file of this process\'s private key (rewritten on renewal, mode 0600)'),
  caEndpoints: z.array(z.string()).default([])
    .describe('ca replicas (host:port, comma-separated): renew the certificate through them'),
};

/** TlsConfig is the parsed form of {@link tlsConfig}. */
export interface TlsConfig {
  readonly tlsCaFile?: string | undefined;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly caEndpoints?: readonly string[] | undefined;
}
