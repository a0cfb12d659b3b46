// Identity vocabulary shared by the store client and server: roles, metadata headers and the
// error detail that marks a request as never sent.

/**
 * IdentityRole is a certificate role (the same union as `Role` in @shoal/pki, which the
 * store-api scope may not import; @shoal/store-server checks at compile time that they agree).
 */
export type IdentityRole =
  | 'store'
  | 'orchestrator'
  | 'scheduler'
  | 'allocator'
  | 'dispatcher'
  | 'ca'
  | 'gateway'
  | 'worker'
  | 'manager'
  | 'admin';

/**
 * TEST_IDENTITY_HEADER carries the caller's role in tests, in place of a client certificate.
 * Only servers built with `allowTestIdentity: true` accept it; others refuse it UNAUTHENTICATED.
 */
export const TEST_IDENTITY_HEADER = 'x-shoal-test-identity';

/**
 * FORWARDED_ROLE_HEADER carries the original caller's role on a write a follower forwards to
 * the leader; the leader trusts it only from a peer authenticated as role `store`.
 */
export const FORWARDED_ROLE_HEADER = 'x-shoal-forwarded-role';

/** FORWARDED_ID_HEADER carries the original caller's identity name beside its role. */
export const FORWARDED_ID_HEADER = 'x-shoal-forwarded-id';

/**
 * LEADER_HINT_HEADER is response metadata a follower sends with a write it forwarded: the
 * leader's Store API address. The client sends its next calls there, saving the forwarding
 * hop (a NOT_LEADER hint does the same for refused calls).
 */
export const LEADER_HINT_HEADER = 'x-shoal-leader';

/**
 * NOT_SENT_DETAIL is the ShoalError detail key (value "true") marking a failure that happened
 * before the request reached anything that could act on it: retrying a write is then safe.
 */
export const NOT_SENT_DETAIL = 'notSent';
