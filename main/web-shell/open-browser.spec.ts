import { describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium, hasDisplay } from './open-browser';

describe('opening the app window', () => {
  it('uses Chromium app mode with a throwaway profile and no background traffic', () => {
    const args = chromiumArgs('http://127.0.0.1:1/?token=t', '/tmp/p');
    expect(args.at(-1)).toBe('--app=http://127.0.0.1:1/?token=t');
    expect(args).toContain('--user-data-dir=/tmp/p');
    for (const flag of ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']) {
      expect(args).toContain(flag);
    }
  });

  it('finds /usr/bin/chromium first and needs a display on Linux', () => {
    expect(findChromium((p) => p === '/usr/bin/chromium' || p === '/usr/bin/chromium-browser')).toBe('/usr/bin/chromium');
    expect(findChromium(() => false)).toBeUndefined();
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });
});
