// Public API of @lb/certs.
export {
  createCertificateAuthority,
  createServingPair,
  issueCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
  type KeyPair,
} from './certificates.js';
