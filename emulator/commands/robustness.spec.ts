import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createWorld } from '../world';
import { TestShell } from '../shell/testing/run-line';

const CMDS = ['curl', 'wget', 'nslookup', 'dig', 'ping', 'traceroute', 'ip', 'iptables', 'iptables-save', 'conntrack', 'tcpdump', 'ss', 'host', 'aws', 'ssh', 'cat', 'grep', 'head', 'tail', 'awk', 'sed', 'sort', 'uniq', 'wc', 'cut', 'tr', 'echo', 'printf', 'ls', 'cd', 'env', 'export', 'hostname', 'sleep', 'jq', 'base64', 'xargs', 'find', 'kill', 'jobs', 'fg', 'test', '[', 'seq', 'tee', 'mkdir', 'rm', 'cp', 'mv', 'touch', 'date', 'ps', 'which', 'type', 'history', 'alias', 'true', 'false', 'exit', 'minikube', 'svclab'];
const WORDS = ['-s', '-v', '-I', '-H', 'Host: a', '-m', '1', '-k', '-c', '2', '-n', '-t', 'nat', 'filter', '-L', '-S', '-A', '-D', 'INPUT', '-j', 'DROP', '-p', 'tcp', '--dport', '80', 'addr', 'route', 'link', 'neigh', 'show', 'get', '10.96.0.10', '10.96.0.1', '172.18.0.3', 'localhost', 'http://10.96.0.1', 'https://x', 'http://', 'ftp://a', 'http://[::1]:80/', 'http://a:99999/', 'kubernetes', 'kubernetes.default', '+short', '@10.96.0.10', '-x', 'A', 'AAAA', 'SRV', 'PTR', 'any', '-i', 'eth0', 'any', 'port', 'host', 'and', 'or', 'not', '(', ')', '-w', '/tmp/x.pcap', '-r', 'ec2', 'describe-instances', '--query', 'Reservations[', '--output', 'text', 'elbv2', 'worker-1', 'node-1', 'corp-vm', '', '-', '--', '{}', '.a', '.[', '-ltn', '-lun', '$HOME', '*', '"', "'", '\\', '999999999999', '-1', 'a'.repeat(300), '0x4000', '::', '0.0.0.0/0', '10.0.0.0/33', 'tunnel', 'status'];

/**
 * Robustness (property): every terminal command, in both profiles, given random words as arguments, ends with its
 * own message and an exit status, never with an exception text or a hang (the sweep that found `kubectl expose ''`).
 */
it('node and pod tools never fail with an internal error on random arguments', async () => {
  for (const profile of ['local', 'cloud'] as const) {
    const world = createWorld({ seed: 2, profile });
    const sh = new TestShell({ world });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CMDS), fc.array(fc.constantFrom(...WORDS), { maxLength: 5 }), async (cmd, words) => {
        const line = [cmd, ...words].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const hang = new Promise<{ out: string; err: string; status: number }>((res) => (timer = setTimeout(() => res({ out: '', err: 'TIMEOUT', status: -1 }), 5000)));
        const r = await Promise.race([sh.run(`${line} </dev/null`), hang]);
        clearTimeout(timer);
        const text = r.out + r.err;
        expect(text, `${profile}: ${line}`).not.toMatch(/TypeError|ReferenceError|RangeError|undefined|NaN|\[object Object\]|is not a function|Cannot read prop|TIMEOUT|Maximum call stack|internal error/i);
        expect(r.status, `${profile}: ${line}`).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000, seed: 5 },
    );
  }
}, 120_000);
