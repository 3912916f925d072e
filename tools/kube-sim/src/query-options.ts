// Query parameters checked as kube-apiserver checks them before serving: ListOptions
// (resourceVersionMatch, sendInitialEvents, timeoutSeconds) and the write options' fieldValidation.
// A value that does not parse is 400 (the parameter codec's error); a combination the API does not
// allow is 422 Invalid on `ListOptions.meta.k8s.io` / `CreateOptions.meta.k8s.io`, with the field.
import { type ApiError, badRequest, invalid, type StatusCause } from './status.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const forbidden = (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
const notSupported = (field: string, value: string, supported: readonly string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

function optionsInvalid(kind: string, causes: readonly StatusCause[]): ApiError {
  return invalid(kind, 'meta.k8s.io', '', causes);
}

/** The checks of ListOptions for a list (`watch` false) or a watch; throws 422 naming every problem. */
export function checkListOptions(q: URLSearchParams, watch: boolean): void {
  const match = q.get('resourceVersionMatch') ?? '';
  const resourceVersion = q.get('resourceVersion') ?? '';
  const cont = q.get('continue') ?? '';
  const sendInitialEvents = q.get('sendInitialEvents');
  const causes: StatusCause[] = [];
  if (watch) {
    if (sendInitialEvents !== null && match !== 'NotOlderThan') {
      causes.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match) {
      if (sendInitialEvents === null) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (cont) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (match) {
      if (!resourceVersion) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (cont) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (match !== 'Exact' && match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && resourceVersion === '0') causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
    if (sendInitialEvents !== null) causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (causes.length > 0) throw optionsInvalid('ListOptions', causes);
}

/** An int64 query parameter as the parameter codec reads it (strconv.ParseInt); undefined when absent. */
export function int64Param(q: URLSearchParams, name: string): number | undefined {
  const text = q.get(name);
  if (text === null) return undefined;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: ${/^[+-]?\d+$/.test(text) ? 'value out of range' : 'invalid syntax'}`);
  }
  return Number(text);
}

/** `fieldValidation` of a POST, PUT or PATCH; Warn when absent, 422 when not one of the three. */
export function fieldValidationParam(q: URLSearchParams, method: string): FieldValidation {
  const value = q.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (value === 'Ignore' || value === 'Warn' || value === 'Strict') return value;
  const kind = method === 'POST' ? 'CreateOptions' : method === 'PATCH' ? 'PatchOptions' : 'UpdateOptions';
  throw optionsInvalid(kind, [notSupported('fieldValidation', value, ['', 'Ignore', 'Strict', 'Warn'])]);
}
