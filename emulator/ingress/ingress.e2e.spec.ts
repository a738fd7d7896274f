/**
 * The seed's Ingress sections end to end, through the shell as a learner types them: packets cross the node's
 * kube-proxy rules to the controller pod, which opens a new connection to a backend pod.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../shell/script-runner';
import { createWorld, type World } from '../world';

async function sh(world: World, script: string): Promise<string[]> {
  const steps = await runScript(world, script);
  return steps.map((s) => s.output);
}

async function withApps(): Promise<World> {
  const world = createWorld({ profile: 'local', seed: 11 });
  await sh(world, 'kubectl apply -f ~/manifests/currency-apps.yaml\nkubectl apply -f ~/manifests/gateway-ingress.yaml');
  return world;
}

const NODEPORT = "$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')";

describe('Ingress (local profile)', () => {
  it('without a controller an Ingress is only configuration: no ADDRESS, nothing listens', async () => {
    const world = await withApps();
    const [get] = await sh(world, 'sleep 60\nkubectl get ingress gateway-ingress').then((o) => o.slice(1));
    expect(get).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
    expect(get).toMatch(/gateway-ingress\s+nginx\s+\*\s+80\s+/);
    const [svc] = await sh(world, 'kubectl get svc -n ingress-nginx');
    expect(svc).toContain('No resources found in ingress-nginx namespace.');
  });

  it("with ingress-nginx: ADDRESS appears and the seed's two paths reach different Deployments; /other is nginx's 404", async () => {
    const world = await withApps();
    await sh(world, 'kubectl apply -f ~/manifests/ingress-nginx.yaml\nsleep 30');
    const [get] = await sh(world, 'kubectl get ingress gateway-ingress');
    expect(get).toMatch(/gateway-ingress\s+nginx\s+\*\s+172\.18\.0\.\d\s+80\s+/);
    const [exchange, conversion, other] = await sh(
      world,
      [
        `curl -s http://172.18.0.3:${NODEPORT}/currency-exchange/from/USD/to/INR`,
        `curl -s http://172.18.0.4:${NODEPORT}/currency-conversion/from/USD/to/INR/quantity/10`,
        `curl -s -o /dev/null -w '%{http_code}' http://172.18.0.3:${NODEPORT}/other`,
      ].join('\n'),
    );
    expect(exchange).toMatch(/"environment":"currency-exchange-[a-z0-9]+-[a-z0-9]{5} v1 10\.244\./);
    expect(conversion).toMatch(/"totalCalculatedAmount":650\.00,"environment":"currency-exchange-\S+ v1 10\.244\.\S+ \| currency-conversion-\S+ v1 10\.244\./);
    expect(other).toBe('404');
    const [logs] = await sh(world, 'kubectl logs -n ingress-nginx deploy/ingress-nginx-controller');
    expect(logs).toMatch(/"GET \/currency-exchange\/from\/USD\/to\/INR HTTP\/1\.1" 200 \d+ "-" "curl\/[\d.]+" \d+ [\d.]+ \[default-currency-exchange-80\] \[\] 10\.244\.\d+\.\d+:8000 /);
    expect(logs).toMatch(/"GET \/other HTTP\/1\.1" 404 \d+ .* \[upstream-default-backend\] \[\] - - - - [0-9a-f]{32}/);
  });

  it('the controller routes by the longest prefix and opens a new TCP connection from its own pod to a backend pod', async () => {
    const world = await withApps();
    await sh(world, 'kubectl apply -f ~/manifests/ingress-nginx.yaml\nsleep 30');
    const reqId = world.traces.beginRequest('test', 'workstation', world.scheduler.now());
    expect(reqId).toBeGreaterThan(0);
    await sh(world, `curl -s http://172.18.0.3:${NODEPORT}/currency-exchange/from/USD/to/INR`);
    const curlReq = [...world.traces.requests()].reverse().find((r) => r.label.startsWith('curl'));
    expect(curlReq).toBeDefined();
    const hops = world.traces.hops(curlReq!.id);
    const proxy = hops.find((h) => h.kind === 'proxy');
    expect(proxy?.detail).toContain('Prefix path /currency-exchange is the longest match');
    expect(proxy?.verdict).toMatch(/^proxy to 10\.244\.\d+\.\d+:8000$/);
    // Stamped by the network's clock like the hops around it: no earlier than the request segment it read.
    const before = hops[hops.indexOf(proxy!) - 1]!;
    expect(proxy!.time).toBeGreaterThanOrEqual(before.time);
    expect(proxy!.time).toBeGreaterThan(hops[0]!.time);
    // Two TCP connections: client → NodePort, then controller pod → backend pod (SYN leaves the controller's eth0).
    const syns = hops.filter((h) => h.kind === 'xmit' && /Flags \[S\]/.test(h.packet));
    const controllerSyn = syns.find((h) => h.netns.startsWith('pod/ingress-nginx/'));
    expect(controllerSyn).toBeDefined();
  });

  it('Host-based routing with curl -H Host:', async () => {
    const world = await withApps();
    await sh(
      world,
      [
        'kubectl apply -f ~/manifests/ingress-nginx.yaml',
        "kubectl create ingress hosts --class=nginx --rule='api.example.com/*=currency-exchange:80' --rule='web.example.com/*=currency-conversion:80'",
        'sleep 30',
      ].join('\n'),
    );
    const [api, web, none] = await sh(
      world,
      [
        `curl -s -H 'Host: api.example.com' http://172.18.0.3:${NODEPORT}/currency-exchange/from/EUR/to/INR`,
        `curl -s -H 'Host: web.example.com' http://172.18.0.3:${NODEPORT}/currency-conversion/from/EUR/to/INR/quantity/2`,
        `curl -s -o /dev/null -w '%{http_code}' -H 'Host: nope.example.com' http://172.18.0.3:${NODEPORT}/foo`,
      ].join('\n'),
    );
    expect(api).toContain('currency-exchange-');
    expect(web).toContain('currency-conversion');
    expect(none).toBe('404');
  });

  it('backend Service scaled to 0 → 503; controller scaled to 0 → connection refused', async () => {
    const world = await withApps();
    await sh(world, 'kubectl apply -f ~/manifests/ingress-nginx.yaml\nsleep 30\nkubectl scale deployment currency-exchange --replicas=0\nsleep 10');
    const [code503] = await sh(world, `curl -s -o /dev/null -w '%{http_code}' http://172.18.0.3:${NODEPORT}/currency-exchange/x`);
    expect(code503).toBe('503');
    await sh(world, 'kubectl scale deployment ingress-nginx-controller -n ingress-nginx --replicas=0\nsleep 60');
    const [refused] = await sh(world, `curl -sS -m 5 http://172.18.0.3:${NODEPORT}/currency-exchange/x`);
    expect(refused).toMatch(/curl: \(7\) Failed to connect to 172\.18\.0\.3 port \d+/);
    const [get] = await sh(world, 'kubectl get ingress gateway-ingress');
    expect(get).toMatch(/gateway-ingress\s+nginx\s+\*\s+80\s+/);
  });

  it("a backend that refuses the connection → nginx's 502 page, logged with the upstream's address", async () => {
    const world = await withApps();
    // The Service now sends to a port nothing listens on: the controller's upstream connection is refused.
    await sh(
      world,
      `kubectl apply -f ~/manifests/ingress-nginx.yaml\nkubectl patch svc currency-exchange -p '{"spec":{"ports":[{"port":80,"targetPort":9999}]}}'\nsleep 30`,
    );
    const [body, logs] = await sh(
      world,
      `curl -s http://172.18.0.3:${NODEPORT}/currency-exchange/from/USD/to/INR\nkubectl logs -n ingress-nginx deploy/ingress-nginx-controller --tail=1`,
    );
    expect(body).toContain('<head><title>502 Bad Gateway</title></head>');
    expect(logs).toMatch(/" 502 \d+ .*\[default-currency-exchange-80\] \[\] 10\.244\.\d+\.\d+:9999 0 [\d.]+ 502 [0-9a-f]{32}/);
  });

  it('class selection: a traefik-class Ingress is ignored by ingress-nginx and served by Traefik', async () => {
    const world = await withApps();
    await sh(
      world,
      [
        'kubectl apply -f ~/manifests/ingress-nginx.yaml',
        'kubectl apply -f ~/manifests/traefik.yaml',
        "kubectl create ingress via-traefik --class=traefik --rule='/currency-exchange*=currency-exchange:80'",
        'kubectl delete ingress gateway-ingress',
        'sleep 30',
      ].join('\n'),
    );
    const tPort = "$(kubectl get svc -n traefik traefik -o jsonpath='{.spec.ports[0].nodePort}')";
    const [viaNginx, viaTraefik] = await sh(
      world,
      [
        `curl -s -o /dev/null -w '%{http_code}' http://172.18.0.3:${NODEPORT}/currency-exchange/a`,
        `curl -s http://172.18.0.3:${tPort}/currency-exchange/from/USD/to/INR`,
      ].join('\n'),
    );
    expect(viaNginx).toBe('404');
    expect(viaTraefik).toContain('currency-exchange-');
  });
});

describe('Ingress (cloud profile)', () => {
  it('laptop → cloud load balancer → NodePort → controller → pod; one load balancer for two microservices', async () => {
    const world = createWorld({ profile: 'cloud', seed: 3 });
    await sh(world, 'kubectl apply -f ~/manifests/currency-apps.yaml\nkubectl apply -f ~/manifests/gateway-ingress.yaml\nkubectl apply -f ~/manifests/ingress-nginx.yaml\nsleep 60');
    const [get] = await sh(world, 'kubectl get ingress gateway-ingress');
    const address = /gateway-ingress\s+nginx\s+\*\s+(203\.0\.113\.\d+)\s+80\s+/.exec(get!)?.[1];
    expect(address).toBeDefined();
    const [exchange, conversion, other, lbs] = await sh(
      world,
      [
        `curl -s http://${address}/currency-exchange/from/USD/to/INR`,
        `curl -s http://${address}/currency-conversion/from/USD/to/INR/quantity/10`,
        `curl -s -o /dev/null -w '%{http_code}' http://${address}/other`,
        'aws elb describe-load-balancers',
      ].join('\n'),
    );
    expect(exchange).toContain('"environment":"currency-exchange-');
    expect(conversion).toContain('"totalCalculatedAmount":650.00');
    expect(other).toBe('404');
    expect(JSON.parse(lbs!).LoadBalancerDescriptions).toHaveLength(1);
    // The same two microservices each as type LoadBalancer: one cloud load balancer (and public IP) apiece.
    await sh(
      world,
      'kubectl expose deployment currency-exchange --name=exchange-lb --type=LoadBalancer --port=80 --target-port=8000\n' +
        'kubectl expose deployment currency-conversion --name=conversion-lb --type=LoadBalancer --port=80 --target-port=8100\nsleep 10',
    );
    const [svcs, lbs3] = await sh(world, 'kubectl get svc\naws elb describe-load-balancers');
    const externalIps = [...svcs!.matchAll(/LoadBalancer\s+\S+\s+(203\.0\.113\.\d+)/g)].map((m) => m[1]);
    expect(new Set(externalIps).size).toBe(2);
    expect(JSON.parse(lbs3!).LoadBalancerDescriptions).toHaveLength(3);
  });
});
