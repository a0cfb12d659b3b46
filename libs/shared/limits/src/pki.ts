// Named limits and defaults of the cluster PKI. Each constant says where its value comes from;
// SwarmKit's values are in ca/config.go and ca/certificates.go (swarmkit.md §7).
import { assert } from '@shoal/assert';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * ROOT_CA_VALIDITY_MS is the default lifetime of a cluster root: 20 years, as SwarmKit's
 * `RootCAExpiration` ("630720000s" = 7300 days, so leap days are not counted).
 */
export const ROOT_CA_VALIDITY_MS = 7300 * DAY_MS;

/** ROOT_CA_COMMON_NAME is the root's subject CN; SwarmKit's is `swarm-ca`. */
export const ROOT_CA_COMMON_NAME = 'shoal-ca';

/** NODE_CERT_VALIDITY_MS is the default lifetime of a node or component certificate: 90 days,
 * SwarmKit's `DefaultNodeCertExpiration` (2160 h). */
export const NODE_CERT_VALIDITY_MS = 90 * DAY_MS;

/**
 * MIN_NODE_CERT_VALIDITY_MS is the shortest lifetime {@link signCsr} accepts: 1 minute.
 * NB: SwarmKit's `MinNodeCertExpiration` is 1 hour; ours is lower so that tests can issue
 * 2-minute certificates and watch them renew. Cluster configuration (the api-gateway) should
 * still refuse anything under 1 hour from users.
 */
export const MIN_NODE_CERT_VALIDITY_MS = MINUTE_MS;

/** MIN_USER_CERT_VALIDITY_MS is SwarmKit's `MinNodeCertExpiration` (1 h), for user input. */
export const MIN_USER_CERT_VALIDITY_MS = HOUR_MS;

/**
 * CERT_BACKDATE_MS is how far before `now` every certificate's notBefore is set, to absorb
 * clock skew between the CA and the peers that verify it: 1 hour, SwarmKit's `CertBackdate`.
 */
export const CERT_BACKDATE_MS = HOUR_MS;

/** RENEWAL_WINDOW_LOWER is the earliest renewal point as a fraction of validity: 50 %,
 * SwarmKit's `CertLowerRotationRange`. */
export const RENEWAL_WINDOW_LOWER = 0.5;

/** RENEWAL_WINDOW_UPPER is the latest renewal point as a fraction of validity: 80 %,
 * SwarmKit's `CertUpperRotationRange`. */
export const RENEWAL_WINDOW_UPPER = 0.8;

/**
 * ROOT_KEY_BITS is the RSA modulus of a root key: 3072 bits, NIST SP 800-57's match for the
 * 128-bit security of SwarmKit's ECDSA P-256, for a key that lives 20 years. forge cannot put
 * EC keys in X.509 (ecosystem.md §6); see docs/design/security.md.
 */
export const ROOT_KEY_BITS = 3072;

/**
 * NODE_KEY_BITS is the RSA modulus of node and component keys: 2048 bits (112-bit security,
 * NIST-approved through 2030), enough for a 90-day key and 2.4x faster to generate than 3072.
 */
export const NODE_KEY_BITS = 2048;

/** MIN_CSR_KEY_BITS is the smallest RSA key {@link signCsr} will certify. */
export const MIN_CSR_KEY_BITS = 2048;

/** SERIAL_NUMBER_BYTES is the length of random certificate serial numbers: 16 bytes (128 bits,
 * CA/Browser Forum asks for ≥ 64 bits of entropy; the top bit is cleared to stay positive). */
export const SERIAL_NUMBER_BYTES = 16;

/** JOIN_TOKEN_PREFIX starts every join token; SwarmKit's is `SWMTKN`. */
export const JOIN_TOKEN_PREFIX = 'SHLTKN';

/** JOIN_TOKEN_VERSION is the only token format we issue: SwarmKit's v1 (v2 is its FIPS form). */
export const JOIN_TOKEN_VERSION = 1;

/** JOIN_TOKEN_DIGEST_CHARS is the length of the root digest in a token: a SHA-256 in base 36
 * needs at most 50 digits (36^50 > 2^256), zero-padded as SwarmKit does. */
export const JOIN_TOKEN_DIGEST_CHARS = 50;

/** JOIN_TOKEN_SECRET_BYTES is the random secret's size: 16 bytes, as SwarmKit. */
export const JOIN_TOKEN_SECRET_BYTES = 16;

/** JOIN_TOKEN_SECRET_CHARS is the secret's length in base 36: 25 digits (36^25 > 2^128). */
export const JOIN_TOKEN_SECRET_CHARS = 25;

assert(36 ** JOIN_TOKEN_DIGEST_CHARS > 2 ** 256, 'a SHA-256 fits in the token digest field');
assert(36 ** JOIN_TOKEN_SECRET_CHARS > 2 ** 128, 'a 128-bit secret fits in the secret field');
assert(JOIN_TOKEN_SECRET_BYTES * 8 === 128, 'join token secrets are 128 bits');
assert(RENEWAL_WINDOW_LOWER < RENEWAL_WINDOW_UPPER, 'renewal window is not empty');
assert(RENEWAL_WINDOW_UPPER < 1, 'renewal happens before expiry');
assert(MIN_NODE_CERT_VALIDITY_MS <= NODE_CERT_VALIDITY_MS, 'default validity ≥ minimum');
assert(NODE_CERT_VALIDITY_MS < ROOT_CA_VALIDITY_MS, 'leaves expire before the root');
assert(NODE_KEY_BITS >= MIN_CSR_KEY_BITS, 'our own keys pass our CSR check');

/**
 * PEER_IDENTITY_CACHE_MAX bounds the verified identities a server keeps by client certificate
 * (Shoal): parsing a certificate per call cost the raft-store leader over a CPU second per
 * hundred tasks started; a cluster has one certificate per node and component.
 */
export const PEER_IDENTITY_CACHE_MAX = 16_384;
assert(PEER_IDENTITY_CACHE_MAX > 0, 'the identity cache holds some certificates');
