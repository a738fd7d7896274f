import { describe, expect, it } from 'vitest';
import { InvalidRequestError, validateRequest } from './ipc-validate';

describe('view channels validate their input', () => {
  it('accepts well-formed requests and strips unknown fields', () => {
    expect(validateRequest('traces:hops', { sessionId: 't1', requestId: 3, extra: 1 })).toEqual({ sessionId: 't1', requestId: 3 });
    expect(validateRequest('traces:hops', { sessionId: 't1', requestId: 3, afterSeq: 120 })).toEqual({ sessionId: 't1', requestId: 3, afterSeq: 120 });
    expect(validateRequest('resources:get', { sessionId: 't1', resource: 'services', namespace: 'default', name: 'web' })).toEqual({
      sessionId: 't1',
      resource: 'services',
      namespace: 'default',
      name: 'web',
    });
    expect(validateRequest('resources:chains', { sessionId: 't1', namespace: 'default', name: 'web', node: 'worker-1' }).node).toBe('worker-1');
  });
  it.each([
    ['traces:hops', { sessionId: 't1', requestId: 0 }, /requestId/],
    ['traces:pcap', { sessionId: 't1', requestId: 1.5 }, /requestId/],
    ['traces:hops', { sessionId: 't1', requestId: 1, afterSeq: -1 }, /afterSeq/],
    ['traces:hops', { sessionId: 't1', requestId: 1, afterSeq: '5' }, /afterSeq/],
    ['traces:hops', { sessionId: '../x', requestId: 1 }, /sessionId/],
    ['resources:get', { sessionId: 't1', resource: 'services', name: 'Web Server' }, /name: not a valid Kubernetes name/],
    ['resources:chains', { sessionId: 't1', namespace: 'default', name: 'web', node: 'a'.repeat(300) }, /node/],
    ['topology:graph', null, /expected an object/],
  ] as const)('%s rejects %j', (channel, arg, msg) => {
    expect(() => validateRequest(channel, arg)).toThrow(InvalidRequestError);
    expect(() => validateRequest(channel, arg)).toThrow(msg);
  });
});
