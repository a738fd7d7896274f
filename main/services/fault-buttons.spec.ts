import { describe, expect, it } from 'vitest';
import { createTerminalSession } from '../../emulator/shell/terminal';
import { createWorld } from '../../emulator/world';
import { faultCommands } from '../../renderer/lib/resources/faults';

describe('the security-group fault buttons run in the cloud profile', () => {
  it('open then close a node port, as the terminal shows', async () => {
    const world = createWorld({ profile: 'cloud', seed: 1 });
    const term = createTerminalSession(world, { cols: 200, rows: 40 });
    const [open, close] = faultCommands({ resource: 'services', namespace: 'default', name: 'web' }, 'nodePort: 30080\n');
    const opened = await term.submit(open!.command);
    expect(opened.exitCode).toBe(0);
    expect((await term.submit('aws ec2 describe-security-groups')).output).toMatch(/30080/);
    const closed = await term.submit(close!.command);
    expect(closed.exitCode).toBe(0);
    expect((await term.submit('aws ec2 describe-security-groups')).output).not.toMatch(/30080/);
  });
});
