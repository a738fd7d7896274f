import { describe, expect, it } from 'vitest';
import { faultCommands } from './faults';

describe('fault buttons are terminal commands', () => {
  it('per object kind', () => {
    expect(faultCommands({ resource: 'pods', namespace: 'default', name: 'web-1' })).toEqual([{ label: 'Kill pod', command: 'kubectl delete pod web-1 -n default --wait=false' }]);
    expect(faultCommands({ resource: 'nodes', namespace: '', name: 'worker-2' }).map((f) => f.command)).toContain('kubectl cordon worker-2');
    expect(faultCommands({ resource: 'deployments', namespace: 'kube-system', name: 'coredns' })[0]!.command).toBe('kubectl scale deployment coredns -n kube-system --replicas=0');
    expect(faultCommands({ resource: 'deployments', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' })[0]!.label).toBe('Remove Ingress controller');
    expect(faultCommands({ resource: 'configmaps', namespace: 'default', name: 'x' })).toEqual([]);
    const sg = faultCommands({ resource: 'services', namespace: 'default', name: 'web' }, 'spec:\n  ports:\n    - port: 80\n      nodePort: 30080\n');
    expect(sg.map((f) => f.label)).toEqual(['Open SG port 30080 (cloud)', 'Close SG port 30080 (cloud)']);
    expect(sg[1]!.command).toMatch(/aws ec2 revoke-security-group-ingress --group-id \$SG --protocol tcp --port 30080 --cidr 0\.0\.0\.0\/0$/);
    expect(faultCommands({ resource: 'services', namespace: 'default', name: 'c' }, 'spec:\n  type: ClusterIP\n')).toEqual([]);
  });
});
