// CustomResourceDefinitions generated from the schemas in kinds.ts: the TypeBox schema of each
// version becomes its openAPIV3Schema, and the registry supplies names, scope, printer columns,
// status subresources and deprecation. The chart's crds/ folder holds the output (see
// scripts/generate-crds.ts), and a test keeps the two equal.
import { stringify } from 'yaml';
import { KINDS, type KindDefinition, type PrinterColumn, type VersionDefinition } from './kinds.js';

export interface ConversionWebhook {
  readonly service: { readonly name: string; readonly namespace: string; readonly path?: string; readonly port?: number };
  /** Base64 PEM of the CA that signed the webhook's certificate. */
  readonly caBundle?: string;
}

export interface CrdOptions {
  /** Serve BGPPeer's versions through a conversion webhook instead of the API server's field copy. */
  readonly conversionWebhook?: ConversionWebhook;
}

/** A plain JSON copy of a TypeBox schema: symbols dropped, object properties in name order. */
export function plainSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(plainSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    const value = source[key];
    if (value === undefined) continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      const properties: Record<string, unknown> = {};
      for (const name of Object.keys(value).sort()) properties[name] = plainSchema((value as Record<string, unknown>)[name]);
      out[key] = properties;
    } else if (key === 'default' || key === 'enum') {
      out[key] = structuredClone(value);
    } else out[key] = plainSchema(value);
  }
  return out;
}

function printerColumn(column: PrinterColumn): Record<string, unknown> {
  return {
    ...(column.description ? { description: column.description } : {}),
    jsonPath: column.jsonPath,
    name: column.name,
    ...(column.priority !== undefined ? { priority: column.priority } : {}),
    type: column.type,
  };
}

function version(definition: VersionDefinition): Record<string, unknown> {
  return {
    ...(definition.printerColumns.length > 0 ? { additionalPrinterColumns: definition.printerColumns.map(printerColumn) } : {}),
    ...(definition.deprecationWarning ? { deprecated: true, deprecationWarning: definition.deprecationWarning } : {}),
    name: definition.name,
    schema: { openAPIV3Schema: plainSchema(definition.schema) },
    served: definition.served,
    storage: definition.storage,
    subresources: { status: {} },
  };
}

export function crdName(kind: KindDefinition): string {
  return `${kind.plural}.${kind.group}`;
}

/** The CRD of one kind, as an apiextensions.k8s.io/v1 object. */
export function customResourceDefinition(kind: KindDefinition, options: CrdOptions = {}): Record<string, unknown> {
  const webhook = options.conversionWebhook;
  const conversion =
    webhook && kind.versions.length > 1
      ? {
          conversion: {
            strategy: 'Webhook',
            webhook: {
              clientConfig: {
                service: { name: webhook.service.name, namespace: webhook.service.namespace, path: webhook.service.path ?? '/convert', port: webhook.service.port ?? 443 },
                ...(webhook.caBundle ? { caBundle: webhook.caBundle } : {}),
              },
              conversionReviewVersions: ['v1'],
            },
          },
        }
      : {};
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(kind) },
    spec: {
      ...conversion,
      group: kind.group,
      names: { kind: kind.kind, listKind: kind.listKind, plural: kind.plural, singular: kind.singular },
      scope: kind.scope,
      versions: kind.versions.map(version),
    },
  };
}

export function customResourceDefinitions(options: CrdOptions = {}): Array<Record<string, unknown>> {
  return KINDS.map((kind) => customResourceDefinition(kind, options));
}

/** `metallb.io_ipaddresspools.yaml`, as MetalLB names its CRD files. */
export function crdFileName(kind: KindDefinition): string {
  return `${kind.group}_${kind.plural}.yaml`;
}

const GENERATED_HEADER = '# Generated from the schemas of @lb/config-schema; do not edit.\n# Regenerate with: npm run generate-crds -w @lb/config-schema\n';

/** File name → YAML text, for every kind: what the chart's crds/ folder holds. */
export function crdFiles(options: CrdOptions = {}): Map<string, string> {
  return new Map(KINDS.map((kind) => [crdFileName(kind), `${GENERATED_HEADER}---\n${stringify(customResourceDefinition(kind, options), { lineWidth: 0 })}`]));
}
