// Named limits of the ca app: its signer loop and the seeding of the Cluster object.

/**
 * CA_SIGNER_INTERVAL_MS is how often a ca replica looks for certificates left PENDING by
 * another replica (it signs those pending at two looks in a row): 2 s, so a node whose CA
 * died mid-issuance is signed well inside its 60 s join timeout.
 */
export const CA_SIGNER_INTERVAL_MS = 2_000;

/**
 * CA_SEED_RETRY_MS is the wait between attempts to create the Cluster object from
 * `--init-dir` while the store is not reachable yet (no leader): 1 s.
 */
export const CA_SEED_RETRY_MS = 1_000;
