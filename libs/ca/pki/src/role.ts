// Roles and name rules of certificate identities.

/**
 * Role is what a certificate's holder is allowed to be, written in the subject OU. Components
 * (`store` … `gateway`) are Shoal's manager-side processes; `worker` and `manager` are nodes as
 * in SwarmKit (`swarm-worker`, `swarm-manager`); `admin` is a user client such as the docker
 * CLI. Authorization by role is enforced elsewhere (see docs/design/security.md).
 */
export type Role =
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

/** ROLES lists every {@link Role}, for validation and exhaustive tests. */
export const ROLES: readonly Role[] = Object.freeze([
  'store',
  'orchestrator',
  'scheduler',
  'allocator',
  'dispatcher',
  'ca',
  'gateway',
  'worker',
  'manager',
  'admin',
]);

/** isRole reports whether `s` is one of the {@link ROLES}. */
export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** The DNS label grammar (RFC 1123), lower case only, so a name can be a DNS SAN. */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * isIdentityName reports whether `s` may be a node, component or cluster ID in a certificate:
 * one lower-case DNS label (1–63 characters of [a-z0-9-], not starting or ending with '-').
 * Shoal's 25-character base-36 IDs qualify, and so do component names such as `store-1`.
 */
export function isIdentityName(s: unknown): s is string {
  return typeof s === 'string' && NAME_PATTERN.test(s);
}
