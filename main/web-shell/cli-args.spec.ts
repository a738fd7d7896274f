import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseWebShellArgs } from './cli-args';

describe('web shell arguments', () => {
  it('defaults to a random port, opening a window, and the XDG data folder', () => {
    expect(parseWebShellArgs([], { XDG_DATA_HOME: '/x/data' })).toEqual({ port: 0, open: true, dataDir: '/x/data/kube-service-lab', help: false });
    expect(defaultDataDir({}, '/home/ann')).toBe('/home/ann/.local/share/kube-service-lab');
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel' }, '/home/ann')).toBe('/home/ann/.local/share/kube-service-lab');
  });

  it('reads --port N, --port=N, --no-open and --data-dir', () => {
    expect(parseWebShellArgs(['--port', '8123', '--no-open', '--data-dir', 'd'], {})).toEqual({
      port: 8123,
      open: false,
      dataDir: path.resolve('d'),
      help: false,
    });
    expect(parseWebShellArgs(['--port=9000'], {}).port).toBe(9000);
  });

  it('rejects bad values and unknown options with a clear message', () => {
    expect(() => parseWebShellArgs(['--port', 'http'], {})).toThrow('--port: "http" is not a port number (0-65535)');
    expect(() => parseWebShellArgs(['--port', '70000'], {})).toThrow(/not a port number/);
    expect(() => parseWebShellArgs(['--port'], {})).toThrow('--port needs a value');
    expect(() => parseWebShellArgs(['--open-sesame'], {})).toThrow('unknown option --open-sesame');
  });
});
