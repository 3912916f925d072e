// Defaulting and pruning, as kube-apiserver applies them when it decodes a custom resource: a
// field the schema does not declare is dropped (and reported), an absent field with a default gets
// it, and a null where the schema does not allow one is dropped, or defaulted when it can be.
import { copyJson, ENVELOPE, hasType, isObject, ownField, setField, type JsonObject, type PathSegment, type StructuralSchema } from './schema.js';

export interface PruneOptions {
  /**
   * The value is a whole resource (the default): its apiVersion, kind and metadata are the API
   * server's and pass through untouched.
   */
  readonly isResourceRoot?: boolean;
}

export interface PruneResult {
  /** A copy of the input, declared fields first in schema order; the input is left alone. */
  readonly value: unknown;
  /** Where undeclared fields were removed. */
  readonly pruned: readonly (readonly PathSegment[])[];
}

export function defaultAndPrune(value: unknown, schema: StructuralSchema, options: PruneOptions = {}): PruneResult {
  const pass = new PrunePass();
  const result = pass.visit(value, schema, options.isResourceRoot ?? true);
  return { value: result, pruned: pass.pruned };
}

class PrunePass {
  readonly pruned: PathSegment[][] = [];
  private readonly path: PathSegment[] = [];

  visit(value: unknown, schema: StructuralSchema, root: boolean): unknown {
    // A value of the wrong type is validation's to report; pruning it would only add noise.
    if (!hasType(value, schema)) return copyJson(value);
    if (Array.isArray(value)) return this.visitList(value, schema);
    if (isObject(value)) return this.visitObject(value, schema, root);
    return value;
  }

  private child(key: PathSegment, value: unknown, schema: StructuralSchema): unknown {
    this.path.push(key);
    const result = this.visit(value, schema, false);
    this.path.pop();
    return result;
  }

  private visitList(value: readonly unknown[], schema: StructuralSchema): unknown[] {
    const items = schema.items;
    if (!items) return copyJson(value) as unknown[];
    return value.map((item, i) => {
      if (item === null && !items.nullable) return items.default !== undefined ? copyJson(items.default) : null;
      return this.child(i, item, items);
    });
  }

  private visitObject(value: JsonObject, schema: StructuralSchema, root: boolean): JsonObject {
    const out: JsonObject = {};
    const properties = schema.properties ?? {};
    const additional = schema.additionalProperties;
    // Objects built in code may carry undefined fields: absent, as in JSON sent to the API server.
    // (Schemas and values are plain JSON objects, so for-in sees only their own fields.)
    for (const key in properties) {
      const present = ownField(value, key);
      if (root && ENVELOPE.has(key)) {
        if (present !== undefined) setField(out, key, copyJson(present));
        continue;
      }
      const property = properties[key] as StructuralSchema;
      if (present !== undefined && (present !== null || property.nullable)) setField(out, key, this.child(key, present, property));
      else if (property.default !== undefined) setField(out, key, copyJson(property.default));
    }
    for (const key in value) {
      const present = value[key];
      if (present === undefined || Object.hasOwn(properties, key)) continue;
      if (root && ENVELOPE.has(key)) setField(out, key, copyJson(present));
      else if (typeof additional === 'object') {
        if (present !== null || additional.nullable) setField(out, key, this.child(key, present, additional));
        else if (additional.default !== undefined) setField(out, key, copyJson(additional.default));
      } else if (additional === true || schema['x-kubernetes-preserve-unknown-fields']) setField(out, key, copyJson(present));
      else this.pruned.push([...this.path, key]);
    }
    return out;
  }
}
