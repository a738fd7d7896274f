/**
 * The packet views in both profiles, on the paths the seed teaches beyond a NodePort: a cloud LoadBalancer (ELB →
 * NodePort → KUBE-SEP DNAT → pod), an Ingress (the controller's L7 proxy hop: which Host/path rule it chose), and
 * DNS by a short name (the resolver's search-list expansion, query by query).
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../../pages/app-page';
import { viewShot, ViewsPage, webShellPerTest } from '../../pages/views-page';

// Trace DOM snapshots walk the whole page at every action; with a several-hundred-row event list that costs seconds
// per step and would be measured as the app's slowness. Keep actions and screenshots on failure, not DOM snapshots.
test.use({ trace: { mode: 'retain-on-failure', snapshots: false } });

const shell = webShellPerTest();

test('@web cloud: curl a LoadBalancer → ELB hop → NodePort → KUBE-SEP DNAT → pod, the ELB on the topology path', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.profileSelect.selectOption('cloud');
  await expect(app.statusBar).toContainText('Profile: cloud');
  await app.waitReady();
  await app.run('kubectl create deployment web --image=nginx --replicas=2 && kubectl expose deployment web --port=80 --type=LoadBalancer');
  await app.expectTerminal('service/web exposed');
  await app.run("kubectl rollout status deployment web && kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' svc/web --timeout=90s");
  await app.expectTerminal('service/web condition met', { timeoutMs: 60_000 });
  await app.run("curl -s http://$(kubectl get svc web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')/");
  await app.expectTerminal(/Welcome to nginx!/);
  await expect(views.root.getByRole('combobox', { name: 'Request' })).toContainText(/curl -s http:\/\/203\.0\.113\.\d+\//);
  await expect.poll(() => views.rows.count()).toBeGreaterThan(100);

  // The learner picks the packets out of the event list: where the ELB takes the connection, where the node DNATs it
  // (the row's summary shows the rewrite), where the pod gets it; their order is the path.
  await views.filter('ARP').uncheck();
  const elbRow = views.rows.filter({ hasText: /lb\/a[0-9a-f]+.*received/ }).first();
  const dnatRow = views.rows.filter({ hasText: /node\/node-\d.*PREROUTING accept .*:3\d{4} → .* > 10\.244\.\d+\.\d+:80/ }).first();
  const podRow = views.rows.filter({ hasText: /pod\/default\/web-.*delivered/ }).first();
  const index = async (row: typeof elbRow) => Number(await row.getAttribute('data-index'));
  expect(await index(elbRow)).toBeLessThan(await index(dnatRow));
  expect(await index(dnatRow)).toBeLessThan(await index(podRow));

  await elbRow.click();
  await expect(views.inspector.locator('h3')).toContainText(/lb\/a[0-9a-f]+ \(ELB web\)/);
  await expect(views.inspector).toContainText(/IP 198\.51\.100\.7\.\d+ > 10\.0\.1\.\d+\.80: Flags \[S\]/);
  // The ELB is a proxy: a new connection from its own address to a node's NodePort, where kube-proxy DNATs.
  await dnatRow.click();
  const nf = views.inspector.getByRole('region', { name: 'Netfilter path' });
  await expect(nf).toContainText(/PREROUTING → KUBE-SERVICES → KUBE-NODEPORTS → KUBE-EXT-\w+ → .*KUBE-SVC-\w+ → KUBE-SEP-\w+/);
  await expect(nf).toContainText(/-A KUBE-NODEPORTS -p tcp -m comment --comment "default\/web" -m tcp --dport 3\d{4} -j KUBE-EXT-/);
  await expect(nf).toContainText(/-A KUBE-SEP-\w+ .*-j DNAT --to-destination 10\.244\.\d+\.\d+:80/);
  await expect(views.inspector.getByLabel('NAT rewrite')).toContainText(/10\.0\.1\.\d+:\d+ > 10\.0\.1\.1\d:3\d{4}.*→.*> 10\.244\.\d+\.\d+:80/);
  await expect(views.eventList.getByRole('row', { selected: true })).toContainText(/node\/node-\d/);
  // Step forward from there with the keyboard to the pod.
  await views.eventList.focus();
  await views.stepUntilInspector(/deliver\s*pod\/default\/web-/, 80, 'keyboard');

  await views.open('Topology');
  await expect(views.topologyNode(/^loadbalancer ELB web /)).toHaveAttribute('aria-label', /on the packet path/);
  await expect(views.topologyNode(/^pod web-/).and(page.locator('.current'))).toHaveCount(1);
  await expect(views.topology.locator('.envelope')).toHaveAttribute('data-at', /^pod\/default\/web-/);
  await viewShot(page, testInfo, 'topology-cloud');
});

test('@web local: an Ingress request shows the L7 proxy hop (Host/path rule chosen); nslookup by a short name shows the search-list expansion', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.run('kubectl apply -f ~/manifests/ingress-nginx.yaml >/dev/null && kubectl create deployment web --image=nginx --replicas=2 && kubectl expose deployment web --port=80');
  await app.expectTerminal('service/web exposed');
  await app.run("kubectl create ingress web --class=nginx --rule='web.example.com/*=web:80' && kubectl run client --image=busybox --restart=Never -- sleep 3600");
  await app.expectTerminal('pod/client created');
  await app.run('kubectl rollout status -n ingress-nginx deployment ingress-nginx-controller && kubectl rollout status deployment web && kubectl wait --for=condition=Ready pod/client');
  await app.expectTerminal('pod/client condition met', { timeoutMs: 60_000 });

  await test.step('Ingress: the controller pod routes by Host and path', async () => {
    await app.run(
      "curl -s -H 'Host: web.example.com' http://172.18.0.3:$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')/",
    );
    await app.expectTerminal(/Welcome to nginx!/);
    await expect(views.root.getByRole('combobox', { name: 'Request' })).toContainText(/curl -s -H Host: web\.example\.com/);
    // HTTP only: the request line, the proxy's decision, the response.
    for (const p of ['DNS', 'TCP', 'ICMP', 'ARP']) await views.filter(p).uncheck();
    await expect.poll(() => views.rows.count()).toBeGreaterThan(2);
    await views.rows.filter({ hasText: /proxy/ }).first().click();
    const decision = views.inspector.getByRole('region', { name: 'Ingress routing decision' });
    await expect(decision).toContainText('host web.example.com, Prefix path / of Ingress default/web');
    await expect(decision).toContainText(/default-web-80 → pod 10\.244\.\d+\.\d+:80/);
    await expect(decision).toContainText(/proxy to 10\.244\.\d+\.\d+:80/);
    await expect(views.inspector.getByRole('region', { name: 'Headers by layer' })).toContainText(/Hostweb\.example\.com/);
    await expect(views.eventList.getByRole('row', { selected: true })).toContainText(/pod\/ingress-nginx\/ingress-nginx-controller-.*HTTP/);
    await viewShot(page, testInfo, 'inspector-ingress');
    for (const p of ['DNS', 'TCP', 'ICMP', 'ARP']) await views.filter(p).check();
  });

  await test.step('DNS: a short name expands through the pod\'s search list', async () => {
    await app.run('kubectl exec client -- nslookup web');
    await app.expectTerminal(/Name:\s+web\.default\.svc\.cluster\.local/);
    await expect(views.root.getByRole('combobox', { name: 'Request' })).toContainText('nslookup web');
    await views.filter('ARP').uncheck();
    await views.rows.filter({ hasText: 'DNS' }).first().click();
    const dns = views.inspector.getByRole('region', { name: 'DNS search-list expansion' });
    const items = dns.getByRole('listitem');
    await expect(items.first()).toContainText('Query A? web.default.svc.cluster.local.');
    await expect(items.nth(1)).toContainText('Query A? web.svc.cluster.local.');
    await expect(items.nth(2)).toContainText('Query A? web.cluster.local.');
    await expect(items.filter({ hasText: /Answer A\? web\.default\.svc\.cluster\.local\. → 1 answer\(s\): A 10\.\d+\.\d+\.\d+/ })).toHaveCount(1);
    await expect(items.filter({ hasText: /Answer A\? web\.svc\.cluster\.local\. → NXDOMAIN/ })).toHaveCount(1);
    await dns.scrollIntoViewIfNeeded();
    await viewShot(page, testInfo, 'inspector-dns');
  });
});
