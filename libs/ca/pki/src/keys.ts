// RSA keys made by Node's native crypto, and X.509 signing that lets forge build the ASN.1
// while Node computes the signature (forge's pure-JS RSA is 30x slower: security.md).
import { createPublicKey, generateKeyPair, sign as nativeSign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { assert } from '@shoal/assert';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * generateRsaKeyPem returns a new RSA private key of `bits` bits as PKCS#8 PEM
 * (`-----BEGIN PRIVATE KEY-----`), generated off the event loop by Node's native crypto.
 *
 * Contract: `bits` is 2048, 3072 or 4096; the public exponent is 65537. The PEM loads in both
 * forge (`pki.privateKeyFromPem`) and Node (`createPrivateKey`, `tls`).
 */
export async function generateRsaKeyPem(bits: number): Promise<string> {
  assert(bits === 2048 || bits === 3072 || bits === 4096, 'RSA key size is 2048, 3072 or 4096');
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

/** Something forge can sign: a certificate or a certification request. */
interface ForgeSignable {
  sign(key: forge.pki.rsa.PrivateKey, md?: forge.md.MessageDigest): void;
}

/**
 * signNatively signs `target` (a forge certificate or CSR) with SHA-256 and the RSA key in
 * `keyPem`, using Node's native RSA. forge still chooses the algorithm OID, builds the
 * to-be-signed DER and stores the result, so the output is exactly what `target.sign(key,
 * sha256)` would produce (PKCS#1 v1.5 signatures are deterministic).
 *
 * How: forge feeds the DER to the message digest's `update` and then asks the key to sign the
 * digest; we record the DER on the way through and give forge a key whose `sign` returns
 * Node's signature over that DER.
 */
export function signNatively(target: ForgeSignable, keyPem: string): void {
  const md = forge.md.sha256.create();
  const parts: string[] = [];
  const update = md.update.bind(md);
  md.update = (msg: string, encoding?: forge.Encoding) => {
    assert(encoding === undefined || encoding === 'raw', 'forge digests raw DER bytes');
    parts.push(msg);
    return update(msg, encoding);
  };
  // forge only ever calls `sign(md)` on the key it is given, so a full forge key (5 ms to
  // parse from PEM) is not needed: this object stands in for one.
  const signer = {
    sign: (): string => {
      assert(parts.length > 0, 'forge digested the to-be-signed bytes before signing');
      const tbs = Buffer.from(parts.join(''), 'latin1');
      return nativeSign('sha256', tbs, keyPem).toString('latin1');
    },
  };
  const key = signer as unknown as forge.pki.rsa.PrivateKey;
  target.sign(key, md);
}

/**
 * forgePublicKeyOf returns the forge public key of the RSA private key in `keyPem`, derived by
 * Node (parsing the private key in forge would cost ~5 ms of pure JS).
 */
export function forgePublicKeyOf(keyPem: string): forge.pki.rsa.PublicKey {
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' });
  return forge.pki.publicKeyFromPem(spki.toString()) as forge.pki.rsa.PublicKey;
}
