// Named limits of the CA service and of the node-side joiner and renewer. Each says where its
// value comes from; SwarmKit's are in ca/server.go and ca/config.go (swarmkit.md §7).
import { assert } from '@shoal/assert';

/**
 * NODE_ID_ATTEMPTS is how many random node IDs issuance tries before giving up when an ID is
 * taken: 3, as SwarmKit's `IssueNodeCertificate`.
 */
export const NODE_ID_ATTEMPTS = 3;

/**
 * NODE_CERTIFICATE_STATUS_WAIT_MS is how long one NodeCertificateStatus call waits for a
 * PENDING certificate to change before answering with the state it has: 5 s, SwarmKit's
 * `NodeCertificateStatus` timeout.
 */
export const NODE_CERTIFICATE_STATUS_WAIT_MS = 5_000;

/**
 * NODE_CERTIFICATE_STATUS_POLL_MS is how often a waiting NodeCertificateStatus re-reads the
 * node, for certificates signed by another ca replica (this replica's own signatures wake the
 * waiters at once).
 */
export const NODE_CERTIFICATE_STATUS_POLL_MS = 250;

/** STATUS_CALL_SLACK_MS is added to a status poll's deadline beyond the server's wait. */
export const STATUS_CALL_SLACK_MS = 5_000;

/** CA_CALL_DEADLINE_MS is the deadline of the joiner's and renewer's other CA calls. */
export const CA_CALL_DEADLINE_MS = 10_000;

/**
 * JOIN_TIMEOUT_MS is how long joinCluster and renewCertificate wait for a certificate to be
 * issued before giving up (DEADLINE_EXCEEDED); the caller retries.
 */
export const JOIN_TIMEOUT_MS = 60_000;

/**
 * RENEW_RETRY_BASE_MS is the first wait after a failed renewal, doubled per failure up to
 * RENEW_RETRY_MAX_MS: 5 minutes as SwarmKit's renewer (a certificate already expired is
 * retried at once and then with the same backoff).
 */
export const RENEW_RETRY_BASE_MS = 5 * 60_000;

/** RENEW_RETRY_MAX_MS caps the renewal backoff: 1 hour. */
export const RENEW_RETRY_MAX_MS = 60 * 60_000;

/**
 * NODE_CERTIFICATES_DIR is where a node keeps its bundle inside its state directory, as
 * SwarmKit's `<state>/certificates`.
 */
export const NODE_CERTIFICATES_DIR = 'certificates';

/** CA_SERVER_NAME is the DNS SAN every ca replica's certificate carries (its role). */
export const CA_SERVER_NAME = 'ca';

assert(NODE_CERTIFICATE_STATUS_POLL_MS < NODE_CERTIFICATE_STATUS_WAIT_MS, 'polls fit in a wait');
assert(NODE_CERTIFICATE_STATUS_WAIT_MS < JOIN_TIMEOUT_MS, 'a join outlasts one status wait');
assert(RENEW_RETRY_BASE_MS <= RENEW_RETRY_MAX_MS, 'renewal backoff starts below its cap');
