import { describe, expect, it } from 'vitest';
import { OutputRouter } from './output-router';

describe('OutputRouter', () => {
  it('replays output that arrived before the session id was known, in order, and filters other sessions', () => {
    const written: string[] = [];
    const r = new OutputRouter((d) => written.push(d));
    r.push({ sessionId: 't2', data: 'banner ' });
    r.push({ sessionId: 't1', data: 'other' });
    r.push({ sessionId: 't2', data: '$ ' });
    expect(written).toEqual([]);
    r.attach('t2', 'student@workstation:~$ ');
    r.push({ sessionId: 't2', data: 'ls' });
    r.push({ sessionId: 't1', data: 'x' });
    expect(written).toEqual(['student@workstation:~$ ', 'banner ', '$ ', 'ls']);
  });
});
