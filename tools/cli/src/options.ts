// The flags of each `shoal` subcommand, as zod schemas read by @shoal/config's loadConfig.
import { z } from 'zod';
import { isIdentityName, MIN_USER_CERT_VALIDITY_MS, NODE_CERT_VALIDITY_MS } from '@shoal/pki';
import { parseDurationText } from './duration-text';

/** MAX_STORE_MEMBERS is the largest raft group `shoal init` sets up (SwarmKit advises ≤ 7). */
export const MAX_STORE_MEMBERS = 7;

/** DEFAULT_STORE_MEMBERS is the raft group size `shoal init` sets up by default. */
export const DEFAULT_STORE_MEMBERS = 3;

const certValidity = z
  .string()
  .default(`${NODE_CERT_VALIDITY_MS / 86_400_000}d`)
  .refine((text) => {
    const ms = parseDurationText(text);
    return ms !== null && ms >= MIN_USER_CERT_VALIDITY_MS;
  }, 'expected a duration of at least 1h such as 90d, 2160h or 30m')
  .describe('Validity of the certificates issued (e.g. 90d, 2160h); at least 1h');

const name = z.string().refine(isIdentityName, 'expected one lower-case DNS label ([a-z0-9-])');

/** initOptions are the flags of `shoal init`. */
export const initOptions = z.object({
  stateDir: z.string().min(1).describe('Directory to write the cluster identity to'),
  clusterId: name.optional().describe('Cluster ID (default: a new random 25-character ID)'),
  storeMembers: z
    .number()
    .int()
    .min(1)
    .max(MAX_STORE_MEMBERS)
    .default(DEFAULT_STORE_MEMBERS)
    .describe('Number of raft-store members to issue certificates for (store-1 … store-N)'),
  certValidity,
  force: z.boolean().default(false).describe('Overwrite an existing cluster in --state-dir'),
});

/** InitOptions is the parsed type of {@link initOptions}. */
export type InitOptions = z.infer<typeof initOptions>;

/** certAdminOptions are the flags of `shoal cert admin`. */
export const certAdminOptions = z.object({
  stateDir: z.string().min(1).describe('Directory `shoal init` wrote the cluster identity to'),
  out: z.string().min(1).describe('Directory to write ca.pem, cert.pem and key.pem to'),
  name: name.optional().describe('Certificate CN (default: admin-<random>)'),
  certValidity,
  force: z.boolean().default(false).describe('Overwrite an existing bundle in --out'),
});

/** CertAdminOptions is the parsed type of {@link certAdminOptions}. */
export type CertAdminOptions = z.infer<typeof certAdminOptions>;
