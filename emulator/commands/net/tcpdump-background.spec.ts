import { describe, expect, it } from 'vitest';
import { runScript } from '../../shell/script-runner';
import { createWorld } from '../../world';

describe('tcpdump as a background job', () => {
  it('keeps capturing while the next command runs (`tcpdump -w … &`, then curl, then `tcpdump -r`)', async () => {
    const world = createWorld({ profile: 'local', seed: 2 });
    const steps = await runScript(
      world,
      [
        'kubectl create deployment web --image=nginx',
        'kubectl expose deployment web --port=80',
        'ssh worker-1',
        'tcpdump -i any -n -c 6 -w /tmp/cap.pcap tcp port 80 &',
        "curl -s -o /dev/null http://$(kubectl get svc web -o jsonpath='{.spec.clusterIP}')/",
        'sleep 1',
        'jobs',
        'tcpdump -n -r /tmp/cap.pcap',
      ].join('\n'),
    );
    // The job's own lines show on the terminal as they happen: its banner now, its footer when -c is reached.
    expect(steps[3]!.output).toMatch(/^\[1\] \d+\ntcpdump: data link type LINUX_SLL2\ntcpdump: listening on any, link-type LINUX_SLL2 \(Linux cooked v2\), snapshot length 262144 bytes\n$/);
    expect(steps[4]!.output + steps[5]!.output).toContain('6 packets captured\n6 packets received by filter\n0 packets dropped by kernel\n');
    expect(steps[6]!.output).toMatch(/^\[1\]\+\s+Done\s+tcpdump -i any -n -c 6 -w \/tmp\/cap\.pcap tcp port 80\n$/);
    const read = steps[7]!.output.split('\n');
    expect(read[0]).toBe('reading from file /tmp/cap.pcap, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144');
    expect(read[1]).toMatch(/ Out IP 172\.18\.0\.3\.\d+ > 10\.244\.\d+\.\d+\.80: Flags \[S\], seq \d+/);
    expect(read.filter((l) => / IP /.test(l))).toHaveLength(6);
  });
});
