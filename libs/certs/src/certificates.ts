// Certificate authorities and the serving certificates they sign: for kube-sim's API server and
// for admission/conversion webhook servers. Keys come from Node's crypto; node-forge builds and
// signs the X.509 certificates (Node can verify certificates but not create them).
import { generateKeyPair, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface CertificateAuthority {
  readonly cert: string;
  readonly key: string;
}

export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

/** A key pair to use instead of generating one (tests pass a fixed one to save the RSA generation). */
export type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

function keyPair(pair: KeyPair = generateKeyPairSync('rsa', { modulusLength: 2048 })): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = pair;
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { publicKey: forge.pki.publicKeyFromPem(pubPem), privateKey: forge.pki.privateKeyFromPem(keyPem), keyPem };
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive DER INTEGER with no leading zero byte: OpenSSL refuses "illegal padding" otherwise
  // (an odd-length hex serial starting with 0 produced that now and then).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
  return cert;
}

export function createCertificateAuthority(commonName = 'lb-ca', pair?: KeyPair): CertificateAuthority {
  const { publicKey, privateKey, keyPem } = keyPair(pair);
  const cert = baseCertificate(publicKey, 3650);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/** A serving certificate for `hosts` (DNS names and IP addresses), signed by `ca`. */
export function issueCertificate(ca: CertificateAuthority, hosts: readonly string[], commonName = hosts[0] ?? 'localhost', pair?: KeyPair): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const { publicKey, keyPem } = keyPair(pair);
  const cert = baseCertificate(publicKey, 365);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

const generateRsa = promisify(generateKeyPair);

/** A CA and a serving certificate, their two RSA keys generated in parallel off the main thread. */
export async function createServingPair(hosts: readonly string[], commonName: string, caName = 'lb-ca'): Promise<{ ca: CertificateAuthority; serving: IssuedCertificate }> {
  const [caPair, leafPair] = await Promise.all([generateRsa('rsa', { modulusLength: 2048 }), generateRsa('rsa', { modulusLength: 2048 })]);
  const ca = createCertificateAuthority(caName, caPair);
  return { ca, serving: issueCertificate(ca, hosts, commonName, leafPair) };
}
