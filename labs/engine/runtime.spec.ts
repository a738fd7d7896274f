import { describe, expect, it } from 'vitest';
import { probe } from '../capabilities';
import { defaultRuntime } from './runtime';

const ready = (await probe('local')).present.has('kubectl');
if (!ready) console.warn('[runtime.spec] skipped: emulator capability missing: kubectl');

describe('replay shell', () => {
  it.skipIf(!ready)('runs a line on the host it was recorded on (interactive kubectl exec -it), and backs out on exit', async () => {
    const world = defaultRuntime.createWorld('local', 3);
    const sh = defaultRuntime.createShell(world);
    await sh.submit('kubectl run client --image=curlimages/curl --restart=Never --command -- sleep 86400');
    world.settle();
    const enter = await sh.submit('kubectl exec -it client -- sh', { onHost: 'workstation' });
    expect(enter.host).toBe('workstation');
    const inPod = await sh.submit('hostname', { onHost: 'pod/default/client' });
    expect(inPod).toMatchObject({ host: 'pod/default/client', output: 'client\n', exitCode: 0 });
    const back = await sh.submit('hostname', { onHost: 'workstation' });
    expect(back).toMatchObject({ host: 'workstation', output: 'workstation\n' });
    // A host that does not exist in this world is not invented: the line runs where the shell is.
    const ghost = await sh.submit('hostname', { onHost: 'pod/default/ghost' });
    expect(ghost.host).toBe('workstation');
  });
});
