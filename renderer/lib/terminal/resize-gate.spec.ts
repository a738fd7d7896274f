import { describe, expect, it } from 'vitest';
import { ResizeGate } from './resize-gate';

describe('ResizeGate', () => {
  it('fits at once when no key is in flight', () => {
    let fits = 0;
    const gate = new ResizeGate(() => fits++);
    gate.requestFit();
    expect(fits).toBe(1);
  });

  it('holds a fit until every key in flight has its echo drawn, then fits once', () => {
    let fits = 0;
    const gate = new ResizeGate(() => fits++);
    const first = gate.keySent();
    const second = gate.keySent();
    gate.requestFit();
    gate.requestFit();
    expect(fits).toBe(0);
    first();
    first();
    expect(fits).toBe(0);
    second();
    expect(fits).toBe(1);
    gate.keySent()();
    expect(fits).toBe(1);
  });
});
