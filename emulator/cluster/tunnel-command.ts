/**
 * `cloud-provider-kind`: kind's answer to "my LoadBalancer stays <pending>" (like `minikube tunnel`). While it
 * runs, LoadBalancer Services get an address on the kind network (172.18.255.200+), reachable from the
 * workstation; Ctrl-C stops it and the addresses go back to `<pending>`. Without a terminal (`svclab run`) it
 * keeps running in the background, as `cloud-provider-kind &` would.
 */
import type { CommandSpec } from '../shell/types';
import type { ControlPlane } from './control-plane';
import { TUNNEL_COMMAND } from './control-plane';

function klogTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}

export function tunnelCommand(cp: ControlPlane): CommandSpec {
  return {
    name: TUNNEL_COMMAND,
    summary: 'assign addresses to LoadBalancer Services in the local (kind) cluster while it runs',
    async run(ctx) {
      const args = ctx.argv.slice(1);
      if (args.includes('-h') || args.includes('--help')) {
        ctx.stdout.write(`Usage of ${TUNNEL_COMMAND}:\n  Runs a cloud provider for kind: LoadBalancer Services get an external IP on the kind network.\n  Stop it with Ctrl-C.\n`);
        return 0;
      }
      if (cp.profile.cloudProvider) {
        ctx.stderr.write(`${TUNNEL_COMMAND}: no kind cluster found (this is a managed cloud cluster; its cloud controller manager provisions load balancers)\n`);
        return 1;
      }
      const t = () => klogTime(ctx.world.scheduler.now());
      if (!cp.startTunnel()) {
        ctx.stderr.write(`${t()}       1 app.go:64] "cloud-provider-kind is already running"\n`);
        return 1;
      }
      ctx.stdout.write(`${t()}       1 app.go:46] "FLAG: --enable-lb-port-mapping=\\"false\\""\n`);
      ctx.stdout.write(`${t()}       1 controller.go:174] "probe HTTP address" address="https://172.18.0.2:6443"\n`);
      ctx.stdout.write(`${t()}       1 controller.go:84] "Creating new cloud provider for cluster" cluster="kind"\n`);
      ctx.stdout.write(`${t()}       1 controller.go:91] "Starting cloud controller for cluster" cluster="kind"\n`);
      const sub = cp.loadBalancers.onChange((ch) => {
        if (ch.lb.provider !== 'tunnel') return;
        if (ch.type === 'created') ctx.stdout.write(`${t()}       1 loadbalancer.go:28] "Ensure LoadBalancer" cluster="kind" service="${ch.lb.serviceKey}" ip="${ch.lb.ip}"\n`);
        if (ch.type === 'deleted') ctx.stdout.write(`${t()}       1 loadbalancer.go:49] "Ensure LoadBalancer deleted" cluster="kind" service="${ch.lb.serviceKey}"\n`);
      });
      if (!ctx.interactive) {
        sub.dispose();
        ctx.stdout.write(`(running in the background; LoadBalancer Services now get addresses)\n`);
        return 0;
      }
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      sub.dispose();
      cp.stopTunnel();
      ctx.stdout.write(`${t()}       1 app.go:92] "Received signal, exiting" signal="interrupt"\n`);
      return 130;
    },
  };
}
