// Checking a leaf against the one root we trust, at a given time.
import forge from 'node-forge';
import { isShoalError } from '@shoal/errors';
import { parseCertificate, parseIdentity, type Identity } from './identity';

/** ChainFailure says why verifyChain refused a certificate. */
export type ChainFailure =
  | 'malformed' // a certificate cannot be parsed, or the leaf's identity fields are invalid
  | 'expired' // `now` is after the leaf's or the root's notAfter
  | 'not-yet-valid' // `now` is before the leaf's or the root's notBefore
  | 'untrusted'; // not signed by this root, or the root/leaf constraints are wrong

/**
 * ChainVerdict is verifyChain's result: the leaf's identity, or why it was refused and a
 * human-readable detail.
 */
export type ChainVerdict =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly reason: ChainFailure; readonly message: string };

/**
 * verifyChain checks that `leafPem` was issued by the root `rootPem`, that both are valid at
 * `now` (ms since the epoch, inclusive bounds), that the root is a CA and the leaf is not, and
 * that the leaf carries a well-formed identity.
 *
 * Contract: never throws for bad input; every refusal is a `{ ok: false }` verdict. Only the
 * given root is trusted (no system store). Revocation is not checked (Shoal has no CRLs yet).
 */
export function verifyChain(leafPem: string, rootPem: string, now: number): ChainVerdict {
  let leaf: forge.pki.Certificate;
  let root: forge.pki.Certificate;
  let identity: Identity;
  try {
    leaf = parseCertificate(leafPem);
    root = parseCertificate(rootPem);
    identity = parseIdentity(leafPem);
  } catch (err) {
    if (!isShoalError(err)) throw err;
    return { ok: false, reason: 'malformed', message: err.message };
  }
  const leafTime = checkTime(leaf, now, 'certificate');
  if (leafTime !== null) return leafTime;
  const rootTime = checkTime(root, now, 'root CA certificate');
  if (rootTime !== null) return rootTime;
  try {
    const store = forge.pki.createCaStore([root]);
    forge.pki.verifyCertificateChain(store, [leaf], { validityCheckDate: null });
  } catch (err) {
    const message = (err as { message?: unknown }).message;
    return { ok: false, reason: 'untrusted', message: String(message ?? err) };
  }
  return { ok: true, identity };
}

/** checkTime refuses `cert` outside its validity period, or returns null. */
function checkTime(cert: forge.pki.Certificate, now: number, what: string): ChainVerdict | null {
  if (now < cert.validity.notBefore.getTime()) {
    const message = `${what} is not valid before ${cert.validity.notBefore.toISOString()}`;
    return { ok: false, reason: 'not-yet-valid', message };
  }
  if (now > cert.validity.notAfter.getTime()) {
    const message = `${what} expired at ${cert.validity.notAfter.toISOString()}`;
    return { ok: false, reason: 'expired', message };
  }
  return null;
}
