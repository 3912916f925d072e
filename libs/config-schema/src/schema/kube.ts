// Building blocks shared by every resource schema: the Kubernetes shapes (label selectors, object
// metadata) and the OpenAPI extensions a structural CRD schema may carry. Schemas are TypeBox
// values, so each is at once JSON Schema (for the CRD and the validator) and a TypeScript type.
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A CEL rule as the API server evaluates it (`x-kubernetes-validations`). */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

/** Options a structural schema node may carry beyond JSON Schema. */
export interface KubeOptions extends SchemaOptions {
  'x-kubernetes-validations'?: readonly CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

/**
 * A string restricted to a few values. TypeBox's literal unions become `anyOf`/`const`, which a
 * structural schema may not use, so this emits a plain `enum`.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: KubeOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A map of string to string (labels, node selectors), emitted as `additionalProperties`. */
export function StringMap(options: KubeOptions = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });
}

/** The part of metadata this library reads. The CRD schema says only `type: object`, as it must. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  [field: string]: unknown;
}

export const ObjectMetaSchema = Type.Unsafe<ObjectMeta>({ type: 'object' });

export const LabelSelectorRequirementSchema = Type.Object(
  {
    key: Type.String({ description: 'The label key the requirement applies to.' }),
    operator: Type.String({ description: 'In, NotIn, Exists or DoesNotExist.' }),
    values: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'One label requirement: a key, an operator and, for In/NotIn, values.' },
);

/** A metav1.LabelSelector, with the list and map types the API server gives it. */
export function LabelSelectorSchema(description = 'A label selector; matchLabels and matchExpressions must all hold, and an empty selector matches everything.') {
  return Type.Object(
    {
      matchExpressions: Type.Optional(
        Type.Array(LabelSelectorRequirementSchema, {
          description: 'Requirements that must all hold.',
          'x-kubernetes-list-type': 'atomic',
        }),
      ),
      matchLabels: Type.Optional(StringMap({ description: 'Labels that must all be present with these values.' })),
    },
    { description, 'x-kubernetes-map-type': 'atomic' },
  );
}

export type LabelSelector = Static<ReturnType<typeof LabelSelectorSchema>>;

export function SelectorList(description: string) {
  return Type.Optional(Type.Array(LabelSelectorSchema(), { description }));
}

export function StringList(description: string, options: KubeOptions = {}) {
  return Type.Optional(Type.Array(Type.String(), { ...options, description }));
}

/** An empty object schema, for `spec`/`status` of kinds that have nothing there. */
export function EmptyObject(description: string) {
  return Type.Object({}, { description });
}

/**
 * The envelope every custom resource shares. `apiVersion` and `kind` are typed as strings as the
 * API server's schema has them; the registry in kinds.ts pins their values.
 */
export function ResourceSchema<P extends Record<string, TSchema>>(description: string, parts: P, options: KubeOptions = {}) {
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String({ description: 'The group and version, e.g. metallb.io/v1beta1.' })),
      kind: Type.Optional(Type.String({ description: 'The kind of resource.' })),
      metadata: Type.Optional(ObjectMetaSchema),
      ...parts,
    },
    { ...options, description },
  );
}
