// Public API of @lb/config-schema: MetalLB's API (and Deckhouse's MetalLoadBalancerClass) as
// TypeBox schemas, validation, CRDs, BGPPeer conversion, Service annotations and compile(). Pure:
// no I/O.
export { validateAdmission, type AdmissionInput, type AdmissionOperation, type AdmissionResult } from './admission.js';
export {
  ADDRESS_COUNT_ANNOTATION,
  ANNOTATION_PREFIX,
  DEPRECATED_ANNOTATION_PREFIX,
  MAX_ADDRESS_COUNT,
  SERVICE_ANNOTATIONS,
  parseRequestedIPs,
  parseServiceAnnotations,
  serviceAllocationRequest,
  serviceKey,
  type AnnotationIssue,
  type ClassLookup,
  type RequestedIPsError,
  type RequestedIPsResult,
  type ServiceAnnotations,
  type ServiceObject,
  type ServiceRequest,
  type ServiceRequestError,
  type ServiceRequestOptions,
  type ServiceRequestResult,
} from './annotations.js';
export { communityKey, parseCommunity, type BgpCommunity, type CommunityError, type CommunityResult } from './community.js';
export { compile, type CompileInput, type CompileOptions, type CompileResult, type ConfigError, type IgnoredObject } from './compile/compile.js';
export { BFD_DEFAULTS, DEFAULT_BGP_PORT, DEFAULT_HOLD_TIME_SECONDS } from './compile/peers.js';
export { classPoolName, classReservation, widestPrefixLength } from './compile/pools.js';
export {
  type BgpAnnouncement,
  type CompiledBfdProfile,
  type CompiledClass,
  type CompiledConfig,
  type CompiledPeer,
  type CompiledPool,
  type L2Announcement,
  type PreferredNodes,
} from './compile/types.js';
export {
  V1BETA2_SPEC_ANNOTATION,
  bgpPeerToV1beta1,
  bgpPeerToV1beta2,
  convertResource,
  convertReview,
  type ConversionError,
  type ConversionRequest,
  type ConversionResponse,
  type ConversionResult,
} from './conversion.js';
export {
  crdFileName,
  crdFiles,
  crdName,
  customResourceDefinition,
  customResourceDefinitions,
  plainSchema,
  type ConversionWebhook,
  type CrdOptions,
} from './crd.js';
export { formatDuration, parseGoDuration, type DurationError, type DurationResult } from './duration.js';
export {
  formatIssue,
  formatPath,
  formatResource,
  isError,
  parsePath,
  type ConfigIssue,
  type PathSegment,
  type ResourceRef,
  type SourcePosition,
} from './issues.js';
export {
  DECKHOUSE_NETWORK_GROUP,
  KINDS,
  METALLB_GROUP,
  kindFor,
  kindNamed,
  storageVersion,
  type KindDefinition,
  type KindName,
  type PrinterColumn,
  type VersionDefinition,
} from './kinds.js';
export {
  type BFDProfileResource,
  type BGPAdvertisementResource,
  type BGPPeerResource,
  type BGPPeerV1beta1Resource,
  type CommunityResource,
  type ConfigurationStateResource,
  type IPAddressPoolResource,
  type KnownResource,
  type L2AdvertisementResource,
  type MetalLoadBalancerClassResource,
  type NamedMeta,
  type NodeObject,
  type Resource,
  type SecretObject,
  type ServiceBGPStatusResource,
  type ServiceL2StatusResource,
} from './resources.js';
export { BFDProfileSchema, BFDProfileSpecSchema, BFD_LIMITS, type BFDProfile, type BFDProfileSpec } from './schema/bfdprofile.js';
export {
  BGPAdvertisementSchema,
  BGPAdvertisementSpecSchema,
  HOST_ROUTE_LENGTH,
  type BGPAdvertisement,
  type BGPAdvertisementSpec,
} from './schema/bgpadvertisement.js';
export {
  BGPPeerSchema,
  BGPPeerV1beta1Schema,
  BGPPeerV1beta1SpecSchema,
  BGPPeerV1beta2SpecSchema,
  type BGPPeer,
  type BGPPeerSpec,
  type BGPPeerV1beta1,
  type BGPPeerV1beta1Spec,
} from './schema/bgppeer.js';
export { CommunitySchema, CommunitySpecSchema, type Community, type CommunitySpec } from './schema/community.js';
export { IPAddressPoolSchema, IPAddressPoolSpecSchema, type IPAddressPool, type IPAddressPoolSpec } from './schema/ipaddresspool.js';
export { LabelSelectorSchema, type CelRule, type LabelSelector, type ObjectMeta } from './schema/kube.js';
export { L2AdvertisementSchema, L2AdvertisementSpecSchema, type L2Advertisement, type L2AdvertisementSpec } from './schema/l2advertisement.js';
export {
  MetalLoadBalancerClassSchema,
  MetalLoadBalancerClassSpecSchema,
  TolerationSchema,
  type MetalLoadBalancerClass,
  type MetalLoadBalancerClassSpec,
  type Toleration,
} from './schema/metalloadbalancerclass.js';
export {
  ConditionSchema,
  ConfigurationStateSchema,
  ServiceBGPStatusSchema,
  ServiceL2StatusSchema,
  type Condition,
  type ConfigurationState,
  type ServiceBGPStatus,
  type ServiceL2Status,
} from './schema/status-kinds.js';
export { refOf, validateResource, type ValidateOptions, type ValidationResult } from './validate.js';
export { parseYaml, type ParseYamlOptions, type ParsedYaml, type SourcedObject } from './yaml.js';
