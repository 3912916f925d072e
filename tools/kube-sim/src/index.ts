// Public API of @lb/kube-sim: start an in-memory Kubernetes API server, and the pieces tests reuse.
export { start, type KubeSim, type StartOptions, type StoreAccess } from './server.js';
export { Faults, type DelayOptions, type FailOptions, type RequestMatch } from './faults.js';
export { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '@lb/certs';
export { renderKubeconfig, type KubeconfigInput } from './kubeconfig.js';
export { parseManifests, ManifestError } from './manifests.js';
export { type ServiceResolver } from './admission.js';
export { type Obj } from './objects.js';
export { type Status, type StatusCause } from './status.js';
