import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import StatusBar from './StatusBar.svelte';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();

describe('StatusBar', () => {
  it('shows the lab, profile, seed and readiness', () => {
    const { body } = render(StatusBar, { props: { lab: 'Sandbox', profile: 'cloud', seed: 42, ready: true, dataDir: '/d' } });
    expect(body).toMatch(/<footer[^>]*aria-label="Status bar"/);
    expect(text(body)).toContain('Lab: Sandbox Profile: cloud Seed: 42 Terminal ready Progress: /d');
  });

  it('shows that the terminal is starting and that the seed is not known yet', () => {
    const { body } = render(StatusBar, { props: { lab: 'X', profile: 'local', seed: null, ready: false, dataDir: '' } });
    expect(text(body)).toContain('Seed: … Starting terminal…');
    expect(body).not.toContain('Progress:');
  });
});
