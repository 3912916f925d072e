// What the service loop reads of a Service and what it makes of one: shared by the loop and by
// service-status.ts, which turns an outcome into the Service's writes.
import { type AnnotationIssue, type ServiceObject } from '@lb/config-schema';

/** A Service as the controller reads it: what config-schema needs, plus the status it holds. */
export interface ServiceState extends ServiceObject {
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: ReadonlyArray<{ readonly ip?: string; readonly hostname?: string }> };
    readonly conditions?: readonly unknown[];
  };
}

/** What the loop made of one Service. */
export type ServiceOutcome =
  | {
      readonly kind: 'not-ours';
      readonly reason: string;
      /** True when the Service is no LoadBalancer any more: addresses we gave it must be cleared. */
      readonly clear: boolean;
    }
  | {
      readonly kind: 'assigned';
      readonly pool: string;
      readonly addresses: readonly string[];
      /** False when the Service already held exactly these addresses. */
      readonly changed: boolean;
      /** Addresses the Service should have (count × families); more than `addresses` when short. */
      readonly wanted: number;
      readonly className: string | undefined;
      readonly issues: readonly AnnotationIssue[];
    }
  | {
      readonly kind: 'failed';
      readonly message: string;
      readonly wanted: number;
      readonly className: string | undefined;
      readonly issues: readonly AnnotationIssue[];
      /** Services in the way, by key and whatever their namespace: for the log, never for Events. */
      readonly holders?: readonly string[];
    }
  | { readonly kind: 'waiting'; readonly reason: string }
  | { readonly kind: 'deleted' };
