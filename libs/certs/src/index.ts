// Public API of @lb/certs.
export {
  createCertificateAuthority,
  createServingPair,
  issueCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from './certificates.js';
