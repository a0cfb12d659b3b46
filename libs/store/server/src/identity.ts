// Who is calling: the mTLS peer certificate in production, a test-only header when the server
// is built for tests, and the original caller of a write forwarded by another store member.
import type { Metadata } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { isRole, peerIdentity, type AuthContextSource, type Role } from '@shoal/pki';
import type { OwnerName } from '@shoal/proto';
import {
  FORWARDED_ID_HEADER,
  FORWARDED_ROLE_HEADER,
  TEST_IDENTITY_HEADER,
  type IdentityRole,
} from '@shoal/store-client';

/** The client library's role type must stay the certificate role type, both ways. */
type SameRoles = [Role] extends [IdentityRole] ? ([IdentityRole] extends [Role] ? true : never)
  : never;
const _rolesAgree: SameRoles = true;
void _rolesAgree;

/**
 * CallerIdentity is the caller a request is checked against. `forwardedBy` is set when a
 * store member forwarded the request and vouched for the caller.
 */
export interface CallerIdentity {
  readonly id: string;
  readonly role: Role;
  readonly forwardedBy?: string;
}

/** IdentityOptions say how a server authenticates callers. */
export interface IdentityOptions {
  /**
   * Accept the `x-shoal-test-identity: <role>` header as the caller's identity, instead of a
   * client certificate. Tests only: the server refuses to start with it unless
   * {@link testIdentityPermitted} holds.
   */
  readonly allowTestIdentity: boolean;
}

/** TEST_IDENTITY_ENV is the environment flag that permits `allowTestIdentity` outside jest. */
export const TEST_IDENTITY_ENV = 'SHOAL_ALLOW_TEST_IDENTITY';

/**
 * testIdentityPermitted reports whether this process may run a server that trusts the test
 * identity header: under jest (JEST_WORKER_ID is set), or with SHOAL_ALLOW_TEST_IDENTITY=1.
 */
export function testIdentityPermitted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['JEST_WORKER_ID'] !== undefined || env[TEST_IDENTITY_ENV] === '1';
}

/**
 * OWNER_OF_ROLE maps a certificate role to the Owner it writes as (TransactionRequest.writer).
 * The gateway writes user intent; roles without an owner (nodes, admin) cannot write.
 */
export const OWNER_OF_ROLE: Readonly<Partial<Record<Role, OwnerName>>> = Object.freeze({
  store: 'store',
  orchestrator: 'orchestrator',
  scheduler: 'scheduler',
  allocator: 'allocator',
  dispatcher: 'dispatcher',
  ca: 'ca',
  gateway: 'user',
});

function header(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length > 1) throw ShoalError.invalidArgument(`metadata ${key} is repeated`);
  const value = values[0];
  return typeof value === 'string' ? value : undefined;
}

function directIdentity(
  call: AuthContextSource & { metadata: Metadata },
  options: IdentityOptions,
): CallerIdentity {
  const claimed = header(call.metadata, TEST_IDENTITY_HEADER);
  if (claimed === undefined) return peerIdentity(call);
  if (!options.allowTestIdentity) {
    throw ShoalError.unauthenticated(
      `metadata ${TEST_IDENTITY_HEADER} is refused: this server authenticates by certificate`,
    );
  }
  if (!isRole(claimed)) throw ShoalError.unauthenticated(`test identity ${claimed} is no role`);
  return { id: `test-${claimed}`, role: claimed };
}

/**
 * callerIdentity authenticates a call. The direct caller is the mTLS peer certificate's
 * identity, or, only when `allowTestIdentity` is on, the test header's role (the header is
 * refused UNAUTHENTICATED otherwise). If the call carries forwarded-identity headers, the
 * direct caller must be a store member (role `store`), else PERMISSION_DENIED; then the
 * forwarded role is the caller. Throws UNAUTHENTICATED when no identity can be read.
 */
export function callerIdentity(
  call: AuthContextSource & { metadata: Metadata },
  options: IdentityOptions,
): CallerIdentity {
  const direct = directIdentity(call, options);
  const forwardedRole = header(call.metadata, FORWARDED_ROLE_HEADER);
  if (forwardedRole === undefined) return direct;
  if (direct.role !== 'store') {
    throw ShoalError.permissionDenied(
      `only store members may forward requests; ${direct.role} ${direct.id} may not`,
    );
  }
  if (!isRole(forwardedRole)) {
    throw ShoalError.invalidArgument(`forwarded role ${forwardedRole} is no role`);
  }
  const id = header(call.metadata, FORWARDED_ID_HEADER) ?? `forwarded-${forwardedRole}`;
  return { id, role: forwardedRole, forwardedBy: direct.id };
}

/**
 * requireRole throws PERMISSION_DENIED unless the caller's role is one of `roles`; `what`
 * names the operation in the message.
 */
export function requireRole(caller: CallerIdentity, roles: readonly Role[], what: string): void {
  if (roles.includes(caller.role)) return;
  throw ShoalError.permissionDenied(`role ${caller.role} may not ${what}`);
}

/** READ_ROLES may read and watch the store: the manager-side components. */
export const READ_ROLES: readonly Role[] = Object.freeze([
  'store', 'orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca', 'gateway',
]);

/** LEASE_ROLES may campaign for leases: the control loops. */
export const LEASE_ROLES: readonly Role[] = Object.freeze([
  'orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca',
]);

/** MEMBER_ADMIN_ROLES may list, add and remove raft members. */
export const MEMBER_ADMIN_ROLES: readonly Role[] = Object.freeze(['store', 'gateway']);
