// Checking a certificate the CA just issued before a process trusts it.
import { ShoalError } from '@shoal/errors';
import { verifyChain, type Identity } from '@shoal/pki';

/**
 * checkIssued verifies a freshly issued certificate against the pinned root and the ID the CA
 * answered, and returns its identity.
 *
 * Contract: throws ShoalError FAILED_PRECONDITION when the certificate does not chain to
 * `rootPem` at `now` or names another ID.
 */
export function checkIssued(certPem: string, rootPem: string, id: string, now: number): Identity {
  const verdict = verifyChain(certPem, rootPem, now);
  if (!verdict.ok) {
    throw ShoalError.failedPrecondition(`the issued certificate is not valid: ${verdict.message}`);
  }
  if (verdict.identity.id !== id) {
    throw ShoalError.failedPrecondition(
      `the issued certificate names ${verdict.identity.id}, not ${id}`,
    );
  }
  return verdict.identity;
}
