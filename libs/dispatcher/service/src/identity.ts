// Who is calling the dispatcher: the node in the mTLS client certificate (CN = node ID, OU =
// worker or manager), or in tests only an explicit header naming the node.
import type { Metadata } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { peerIdentity, type AuthContextSource } from '@shoal/pki';

/**
 * TEST_NODE_HEADER names the calling node in tests, instead of a client certificate. Only a
 * dispatcher built with `allowTestIdentity` accepts it (refused UNAUTHENTICATED otherwise).
 */
export const TEST_NODE_HEADER = 'x-shoal-test-node';

/** NodeCaller is an authenticated agent: its node ID. */
export interface NodeCaller {
  readonly nodeId: string;
}

/**
 * nodeIdentity authenticates a Dispatcher call. Contract: with the test header present it is
 * the identity only when `allowTestIdentity` is on (else UNAUTHENTICATED); otherwise the peer
 * certificate must carry role worker or manager (else PERMISSION_DENIED) and its CN is the node.
 */
export function nodeIdentity(call: AuthContextSource & { metadata: Metadata }, allowTestIdentity: boolean): NodeCaller {
  const claimed = call.metadata.get(TEST_NODE_HEADER);
  if (claimed.length > 0) {
    if (!allowTestIdentity) {
      throw ShoalError.unauthenticated(`metadata ${TEST_NODE_HEADER} is refused: this server authenticates by certificate`);
    }
    const nodeId = claimed[0];
    if (claimed.length > 1 || typeof nodeId !== 'string' || nodeId === '') {
      throw ShoalError.unauthenticated(`metadata ${TEST_NODE_HEADER} must be one node ID`);
    }
    return { nodeId };
  }
  const identity = peerIdentity(call);
  if (identity.role !== 'worker' && identity.role !== 'manager') {
    throw ShoalError.permissionDenied(`role ${identity.role} is no node and may not call the dispatcher`);
  }
  return { nodeId: identity.id };
}
