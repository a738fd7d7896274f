import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from './contract';
import { InvalidRequestError, validateRequest } from './ipc-validate';

describe('validateRequest', () => {
  it('accepts well-formed requests and drops fields the contract does not have', () => {
    expect(validateRequest('terminal:open', { profile: 'local', cols: 80, rows: 24, seed: 3, evil: 'x' })).toEqual({
      labId: undefined,
      profile: 'local',
      seed: 3,
      cols: 80,
      rows: 24,
    });
    expect(validateRequest('transcript:list', { labId: null })).toEqual({ labId: null, limit: undefined });
    expect(validateRequest('settings:update', { fontSize: 16 })).toEqual({ fontSize: 16 });
    expect(validateRequest('labs:list', undefined)).toBeUndefined();
  });

  it('rejects wrong types, ranges, ids and extra arguments with a message naming the field', () => {
    const bad: [string, unknown, RegExp][] = [
      ['terminal:input', { sessionId: 't1', data: 5 }, /^data: expected a string$/],
      ['terminal:input', { sessionId: 't1', data: 'x'.repeat(70_000) }, /data: longer than/],
      ['terminal:resize', { sessionId: 't1', cols: 1.5, rows: 2 }, /cols: expected an integer/],
      ['progress:record-step', { labId: '01-a', stepId: 's', kind: 'cheat' }, /kind: expected one of attempt, hint, complete/],
      ['labs:get', { labId: '../x' }, /labId: not a valid id/],
      ['labs:get', [], /expected an object/],
      ['settings:update', { seed: -1 }, /seed/],
      ['app:info', { x: 1 }, /takes no argument/],
      ['__proto__', {}, /unknown channel/],
    ];
    for (const [channel, arg, message] of bad) expect(() => validateRequest(channel, arg), channel).toThrow(message);
  });

  it('property: any input either validates or throws InvalidRequestError — never anything else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INVOKE_CHANNELS), fc.anything(), (channel, arg) => {
        try {
          validateRequest(channel, arg);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidRequestError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
