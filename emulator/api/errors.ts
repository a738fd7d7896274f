/**
 * API errors as the API server returns them (a `Status` with reason, code, details and causes). `message` is the
 * API server's exact text; kubectl prefixes `Error from server (<reason>): ` or, for Invalid, rebuilds
 * `The <kind> "<name>" is invalid: ...` from `details` (so both are kept).
 */
import type { ResourceInfo } from './resources';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Invalid'
  | 'Conflict'
  | 'BadRequest'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'Expired'
  | 'InternalError';

const CODES: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  Forbidden: 403,
  MethodNotAllowed: 405,
  Expired: 410,
  InternalError: 500,
};

export interface StatusCause {
  /** `FieldValueInvalid`, `FieldValueRequired`, … */
  readonly reason: string;
  /** The error body without the field, e.g. `Invalid value: 30080: provided port is already allocated`. */
  readonly message: string;
  /** `spec.ports[0].nodePort` */
  readonly field: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly causes?: readonly { field: string; message: string }[];

  constructor(reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.status = CODES[reason];
    if (details) this.details = details;
    if (details?.causes) this.causes = details.causes.map((c) => ({ field: c.field, message: c.message }));
  }

  /** The `Status` object the API server would send (for a future HTTP facade). */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.status,
    };
  }
}

export function isApiError(e: unknown, reason?: StatusReason): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.reason === reason);
}

export function notFound(r: ResourceInfo, name: string): ApiError {
  return new ApiError('NotFound', `${r.qualifiedResource} "${name}" not found`, { name, group: r.group || undefined, kind: r.resource });
}

export function alreadyExists(r: ResourceInfo, name: string): ApiError {
  return new ApiError('AlreadyExists', `${r.qualifiedResource} "${name}" already exists`, { name, group: r.group || undefined, kind: r.resource });
}

export function conflict(r: ResourceInfo, name: string, detail = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${r.qualifiedResource} "${name}": ${detail}`, {
    name,
    group: r.group || undefined,
    kind: r.resource,
  });
}

export function forbidden(r: ResourceInfo, name: string, detail: string): ApiError {
  return new ApiError('Forbidden', `${r.qualifiedResource} "${name}" is forbidden: ${detail}`, { name, group: r.group || undefined, kind: r.resource });
}

export function badRequest(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType = 'Invalid value' | 'Required value' | 'Unsupported value' | 'Duplicate value' | 'Forbidden' | 'Too long' | 'Not found' | 'Internal error';

const CAUSE_REASON: Record<FieldErrorType, string> = {
  'Invalid value': 'FieldValueInvalid',
  'Required value': 'FieldValueRequired',
  'Unsupported value': 'FieldValueNotSupported',
  'Duplicate value': 'FieldValueDuplicate',
  Forbidden: 'FieldValueForbidden',
  'Too long': 'FieldValueTooLong',
  'Not found': 'FieldValueNotFound',
  'Internal error': 'InternalError',
};

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
  /** Go type name used by `%#v` for composite values, e.g. `[]string`, `map[string]string`. */
  readonly goType?: string;
}

/** Go's `%q` for strings (close enough for the ASCII the emulator sees). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** How `field.Error` prints the bad value (`%v` for numbers and bools, `%q` for strings, `%#v` otherwise). */
export function goValue(v: unknown, goType?: string): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object' && 'text' in (v as object) && (v as object).constructor?.name === 'GoLiteral') return (v as { text: string }).text;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) {
    const t = goType ?? '[]string';
    return `${t}{${v.map((x) => (typeof x === 'string' ? goQuote(x) : String(x))).join(', ')}}`;
  }
  if (typeof v === 'object') {
    const t = goType ?? 'map[string]string';
    const keys = Object.keys(v as object).sort();
    return `${t}{${keys.map((k) => `${goQuote(k)}:${goQuote(String((v as Record<string, unknown>)[k]))}`).join(', ')}}`;
  }
  return String(v);
}

export function fieldErrorBody(e: FieldError): string {
  let s: string;
  if (e.type === 'Required value' || e.type === 'Forbidden' || e.type === 'Too long' || e.type === 'Internal error') s = e.type;
  else s = `${e.type}: ${goValue(e.value, e.goType)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const invalid = (field: string, value: unknown, detail?: string, goType?: string): FieldError => ({ type: 'Invalid value', field, value, detail, goType });
export const required = (field: string, detail?: string): FieldError => ({ type: 'Required value', field, detail });
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldError => ({
  type: 'Unsupported value',
  field,
  value,
  detail: `supported values: ${supported.map(goQuote).join(', ')}`,
});
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate value', field, value });
export const forbiddenField = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });

/** `Service "web" is invalid: <one>` or `... is invalid: [<a>, <b>]` (an apimachinery aggregate). */
export function invalidObject(r: ResourceInfo, name: string, errs: readonly FieldError[]): ApiError {
  const strings: string[] = [];
  for (const e of errs) {
    const s = fieldErrorString(e);
    if (!strings.includes(s)) strings.push(s);
  }
  const agg = strings.length === 1 ? strings[0]! : `[${strings.join(', ')}]`;
  return new ApiError('Invalid', `${r.qualifiedKind} "${name}" is invalid: ${agg}`, {
    name,
    group: r.group || undefined,
    kind: r.kind,
    causes: errs.map((e) => ({ reason: CAUSE_REASON[e.type], message: fieldErrorBody(e), field: e.field })),
  });
}
