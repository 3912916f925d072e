// The parts of Kubernetes objects the election reads. Structural, so that objects from
// @kubernetes/client-node's informers, kube-sim or plain YAML all fit without conversion.
import { type ServiceObject } from '@lb/config-schema';

export interface ServiceResource extends ServiceObject {
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: ReadonlyArray<{ readonly ip?: string; readonly hostname?: string }> };
  };
}

export interface EndpointConditions {
  /** Absent means ready (discovery.k8s.io/v1). */
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

export interface EndpointSliceResource {
  readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly endpoints?: ReadonlyArray<{ readonly nodeName?: string; readonly conditions?: EndpointConditions }>;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface NodeResource {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly taints?: readonly Taint[] };
  readonly status?: { readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string }> };
}
