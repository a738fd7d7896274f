import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import NoticeBanner from './NoticeBanner.svelte';

describe('NoticeBanner', () => {
  it('renders each notice as an alert with a labelled dismiss button', () => {
    const { body } = render(NoticeBanner, {
      props: {
        notices: [
          { id: 'a', level: 'warning', message: 'Your saved progress could not be read.' },
          { id: 'b', level: 'error', message: 'Connection lost.' },
        ],
        ondismiss: () => {},
      },
    });
    expect(body.match(/role="alert"/g)).toHaveLength(2);
    expect(body).toContain('class="notice warning');
    expect(body).toContain('aria-label="Dismiss: Connection lost."');
  });

  it('renders nothing without notices', () => {
    const { body } = render(NoticeBanner, { props: { notices: [], ondismiss: () => {} } });
    expect(body.replace(/<!--[\s\S]*?-->/g, '').trim()).toBe('');
  });
});
