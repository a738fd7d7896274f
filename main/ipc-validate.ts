/**
 * Every request that crosses into the main process (Electron IPC or the web shell's WebSocket) is checked here
 * before a service sees it: the renderer is treated as untrusted input. A validator returns the request, narrowed
 * to its contract type and stripped of unknown fields, or throws `InvalidRequestError`.
 */
import { INVOKE_CHANNELS, type InvokeChannel, type RequestOf } from './contract';

export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

type Validator<C extends InvokeChannel> = (arg: unknown) => RequestOf<C>;

const MAX_INPUT = 64 * 1024;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function fail(msg: string): never {
  throw new InvalidRequestError(msg);
}

function obj(arg: unknown, what: string): Record<string, unknown> {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) fail(`${what}: expected an object`);
  return arg as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, max = 256): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${key}: expected a string`);
  if (v.length > max) fail(`${key}: longer than ${max} characters`);
  return v;
}

function id(o: Record<string, unknown>, key: string): string {
  const v = str(o, key, 64);
  if (!ID_RE.test(v)) fail(`${key}: not a valid id`);
  return v;
}

function int(o: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${key}: expected an integer in [${min}, ${max}]`);
  return v;
}

function optional<T>(o: Record<string, unknown>, key: string, read: () => T): T | undefined {
  return o[key] === undefined ? undefined : read();
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(`${key}: expected one of ${values.join(', ')}`);
  return v as T;
}

function none(arg: unknown): undefined {
  if (arg !== undefined && arg !== null) fail('this request takes no argument');
  return undefined;
}

const PROFILES = ['local', 'cloud'] as const;
const SEED_MAX = 0xffffffff;

function labId(arg: unknown): { labId: string } {
  return { labId: id(obj(arg, 'request'), 'labId') };
}

function session(arg: unknown): { sessionId: string } {
  return { sessionId: id(obj(arg, 'request'), 'sessionId') };
}

/** A Kubernetes object name (DNS subdomain, ≤ 253 characters). */
const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function name(o: Record<string, unknown>, key: string): string {
  const v = str(o, key, 253);
  if (!K8S_NAME_RE.test(v)) fail(`${key}: not a valid Kubernetes name`);
  return v;
}

const MAX_FILE = 1024 * 1024;

/** A path on the virtual workstation: printable, no NUL, at most 1024 characters. */
function filePath(o: Record<string, unknown>, key: string): string {
  const v = str(o, key, 1024);
  if (v === '' || /[\u0000-\u001f]/.test(v)) fail(`${key}: not a valid path`);
  return v;
}

function traceRequest(arg: unknown): { sessionId: string; requestId: number } {
  const o = obj(arg, 'request');
  return { sessionId: id(o, 'sessionId'), requestId: int(o, 'requestId', 1, Number.MAX_SAFE_INTEGER) };
}

function traceHopsRequest(arg: unknown): { sessionId: string; requestId: number; afterSeq?: number } {
  const o = obj(arg, 'request');
  const req = traceRequest(arg);
  return o['afterSeq'] === undefined ? req : { ...req, afterSeq: int(o, 'afterSeq', 0, Number.MAX_SAFE_INTEGER) };
}

function labStep(arg: unknown): { sessionId: string; stepId: string } {
  const o = obj(arg, 'request');
  return { sessionId: id(o, 'sessionId'), stepId: id(o, 'stepId') };
}

const validators: { [C in InvokeChannel]: Validator<C> } = {
  'lab:start': session,
  'lab:view': session,
  'lab:check': labStep,
  'lab:hint': labStep,
  'lab:answer': (arg) => {
    const o = obj(arg, 'request');
    const choices = o['choices'];
    if (!Array.isArray(choices) || choices.length > 32) fail('choices: expected an array of at most 32 choice ids');
    return { ...labStep(arg), choices: choices.map((_, i) => id(choices as unknown as Record<string, unknown>, String(i))) };
  },
  'lab:reset': labId,
  'lab:export': (arg) => {
    const o = arg === undefined || arg === null ? {} : obj(arg, 'request');
    return { labId: optional(o, 'labId', () => id(o, 'labId')) };
  },
  'app:info': none,
  'notices:list': none,
  'notices:dismiss': (arg) => ({ id: id(obj(arg, 'request'), 'id') }),
  'terminal:open': (arg) => {
    const o = obj(arg, 'request');
    return {
      labId: optional(o, 'labId', () => id(o, 'labId')),
      profile: oneOf(o, 'profile', PROFILES),
      seed: optional(o, 'seed', () => int(o, 'seed', 0, SEED_MAX)),
      cols: int(o, 'cols', 2, 1000),
      rows: int(o, 'rows', 1, 1000),
    };
  },
  'terminal:input': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), data: str(o, 'data', MAX_INPUT) };
  },
  'terminal:resize': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), cols: int(o, 'cols', 2, 1000), rows: int(o, 'rows', 1, 1000) };
  },
  'terminal:submit': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), line: str(o, 'line', MAX_INPUT) };
  },
  'terminal:close': session,
  'labs:list': none,
  'labs:get': labId,
  'progress:get': labId,
  'progress:list': none,
  'progress:record-step': (arg) => {
    const o = obj(arg, 'request');
    return {
      labId: id(o, 'labId'),
      stepId: id(o, 'stepId'),
      kind: oneOf(o, 'kind', ['attempt', 'hint', 'complete'] as const),
      seed: optional(o, 'seed', () => int(o, 'seed', 0, SEED_MAX)),
      profile: optional(o, 'profile', () => oneOf(o, 'profile', PROFILES)),
    };
  },
  'progress:reset': labId,
  'transcript:list': (arg) => {
    const o = obj(arg, 'request');
    return {
      labId: o['labId'] === null ? null : id(o, 'labId'),
      limit: optional(o, 'limit', () => int(o, 'limit', 1, 10_000)),
    };
  },
  'settings:get': none,
  'settings:update': (arg) => {
    const o = obj(arg, 'request');
    const known = new Set(['theme', 'profile', 'seed', 'fontSize']);
    for (const k of Object.keys(o)) if (!known.has(k)) fail(`${k}: unknown setting`);
    const patch: { -readonly [K in keyof import('./contract').Settings]?: import('./contract').Settings[K] } = {};
    if (o['theme'] !== undefined) patch.theme = oneOf(o, 'theme', ['light', 'dark', 'system'] as const);
    if (o['profile'] !== undefined) patch.profile = oneOf(o, 'profile', PROFILES);
    if (o['seed'] !== undefined) patch.seed = int(o, 'seed', 0, SEED_MAX);
    if (o['fontSize'] !== undefined) patch.fontSize = int(o, 'fontSize', 8, 40);
    return patch;
  },
  'topology:snapshot': session,
  'traces:list': session,
  'traces:requests': session,
  'traces:hops': traceHopsRequest,
  'traces:pcap': traceRequest,
  'topology:graph': session,
  'resources:tree': session,
  'resources:get': (arg) => {
    const o = obj(arg, 'request');
    return {
      sessionId: id(o, 'sessionId'),
      resource: name(o, 'resource'),
      namespace: optional(o, 'namespace', () => name(o, 'namespace')),
      name: name(o, 'name'),
    };
  },
  'resources:chains': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), namespace: name(o, 'namespace'), name: name(o, 'name'), node: name(o, 'node') };
  },
  'editor:save': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), editorId: int(o, 'editorId', 1, Number.MAX_SAFE_INTEGER), text: str(o, 'text', MAX_FILE) };
  },
  'editor:read-file': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), path: filePath(o, 'path') };
  },
  'editor:write-file': (arg) => {
    const o = obj(arg, 'request');
    return { sessionId: id(o, 'sessionId'), path: filePath(o, 'path'), content: str(o, 'content', MAX_FILE) };
  },
};

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(channel);
}

/** Check a request for `channel`; throws `InvalidRequestError` for an unknown channel or a malformed argument. */
export function validateRequest<C extends InvokeChannel>(channel: C, arg: unknown): RequestOf<C>;
export function validateRequest(channel: unknown, arg: unknown): unknown;
export function validateRequest(channel: unknown, arg: unknown): unknown {
  if (!isInvokeChannel(channel)) fail(`unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
  return (validators[channel] as Validator<InvokeChannel>)(arg);
}
