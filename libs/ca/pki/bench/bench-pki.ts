// Measures the PKI's costs on this machine: key generation per size, CSR creation, signing
// (native vs forge's pure-JS RSA), verification and parsing. Run from the workspace root:
//   npx tsx --tsconfig tsconfig.base.json libs/ca/pki/bench/bench-pki.ts
// Numbers for docs/design/security.md come from here (plain Node; jest runs forge 3-5x slower).
import forge from 'node-forge';
import {
  createKeyAndCsr,
  createRootCa,
  generateRsaKeyPem,
  issueCertificate,
  parseIdentity,
  signCsr,
  verifyChain,
} from '../src/index';

/** Runs `f` `n` times and returns the mean duration in ms. */
async function meanMs(n: number, f: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f();
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

function report(label: string, ms: number, n: number): void {
  console.log(`${label.padEnd(48)} ${ms.toFixed(2).padStart(9)} ms  (mean of ${n})`);
}

async function main(): Promise<void> {
  const now = Date.now();
  for (const [bits, n] of [[2048, 20], [3072, 10], [4096, 5]] as const) {
    report(`generateRsaKeyPem(${bits})`, await meanMs(n, () => generateRsaKeyPem(bits)), n);
  }
  const rootMs = await meanMs(5, () => createRootCa({ clusterId: 'c', now }));
  report('createRootCa (RSA 3072)', rootMs, 5);
  const root = await createRootCa({ clusterId: 'c', now });
  const csr = await createKeyAndCsr({ id: 'n1', role: 'worker', clusterId: 'c' });
  report('createKeyAndCsr (RSA 2048)', await meanMs(20, () =>
    createKeyAndCsr({ id: 'n1', role: 'worker', clusterId: 'c' })), 20);
  const decision = { ca: root, id: 'n1', role: 'worker' as const, clusterId: 'c', now };
  report('signCsr (native RSA-3072 signature)', await meanMs(100, () =>
    signCsr({ ...decision, csrPem: csr.csrPem })), 100);
  report('issueCertificate (key + CSR + sign)', await meanMs(20, () =>
    issueCertificate(decision)), 20);
  const key = forge.pki.privateKeyFromPem(root.keyPem) as forge.pki.rsa.PrivateKey;
  report('forge pure-JS cert.sign, RSA-3072 (not used)', await meanMs(10, () => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = '01';
    cert.setSubject([{ name: 'commonName', value: 'x' }]);
    cert.setIssuer([{ name: 'commonName', value: 'x' }]);
    cert.sign(key, forge.md.sha256.create());
  }), 10);
  const leaf = signCsr({ ...decision, csrPem: csr.csrPem }).certPem;
  report('verifyChain', await meanMs(100, () => verifyChain(leaf, root.certPem, now)), 100);
  report('parseIdentity', await meanMs(200, () => parseIdentity(leaf)), 200);
}

void main();
