import { expect, test } from '@playwright/test';
import { AppPage } from '../../pages/app-page';
import { viewShot as shot, ViewsPage, webShellPerTest } from '../../pages/views-page';

// Trace DOM snapshots walk the whole page at every action; with a several-hundred-row event list that costs seconds
// per step and would be measured as the app's slowness. Keep actions and screenshots on failure, not DOM snapshots.
test.use({ trace: { mode: 'retain-on-failure', snapshots: false } });

const shell = webShellPerTest();

test('@web curl in the terminal → event list fills → stepping reaches the KUBE-SEP DNAT rule → topology lights the path', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.run('kubectl create deployment web --image=nginx --replicas=2');
  await app.expectTerminal('deployment.apps/web created');
  await app.run('kubectl create service nodeport web --tcp=80:80 --node-port=30080');
  await app.expectTerminal('service/web created');
  await app.run('kubectl rollout status deployment web');
  await app.expectTerminal('deployment "web" successfully rolled out', { timeoutMs: 60_000 });
  await app.run('curl -s http://172.18.0.3:30080/');
  await app.expectTerminal(/Welcome to nginx!/);

  // The event list fills with the request's packets, live.
  await expect(views.root.getByRole('combobox', { name: 'Request' })).toContainText('curl -s http://172.18.0.3:30080/');
  await expect.poll(() => views.rows.count()).toBeGreaterThan(10);
  await expect(views.rows.filter({ hasText: 'HTTP' }).first()).toBeVisible();

  // Filters hide a protocol and bring it back.
  const all = await views.rows.count();
  await views.filter('TCP').uncheck();
  await expect.poll(() => views.rows.count()).toBeLessThan(all);
  await views.filter('TCP').check();
  await expect.poll(() => views.rows.count()).toBe(all);

  // Stepping forward reaches the hop where kube-proxy's KUBE-SEP rule DNATs to a pod.
  const steps = await views.stepUntilInspector(/-A KUBE-SEP-\w+ .*-j DNAT --to-destination 10\.244\.\d+\.\d+:80/);
  expect(steps).toBeGreaterThan(0);
  const nf = views.inspector.getByRole('region', { name: 'Netfilter path' });
  await expect(nf).toContainText(/PREROUTING.*KUBE-SERVICES.*KUBE-NODEPORTS|KUBE-SERVICES/);
  await expect(nf).toContainText(/KUBE-SVC-\w+/);
  await expect(nf).toContainText(/KUBE-SEP-\w+/);
  await expect(views.inspector.getByLabel('NAT rewrite')).toContainText('172.18.0.3:30080');
  await expect(views.inspector.locator('tr.changed').first()).toBeVisible();
  await expect(views.eventList.getByRole('row', { selected: true })).toContainText('node/worker-1');
  await shot(page, testInfo, 'simulation');

  // Step back and forth with the keyboard.
  await views.eventList.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await expect(views.inspector).toContainText(/-j DNAT/);

  // The topology shows the path up to this hop, the current hop's node on it.
  await views.open('Topology');
  await expect(views.topologyNode(/^workstation student-?.*|^workstation .*198\.51\.100\.7/)).toHaveAttribute('aria-label', /on the packet path/);
  await expect(views.topologyNode(/^node worker-1 .*172\.18\.0\.3/)).toHaveAttribute('aria-label', /on the packet path/);
  await expect(views.topologyNode(/^pod web-/).first()).toHaveAttribute('aria-label', /ready/);
  await views.topologyNode(/^node worker-1/).press('Enter');
  await expect(page.getByRole('complementary', { name: 'Selected element' })).toContainText('172.18.0.3');
  await shot(page, testInfo, 'topology');
});

test('@web resources: tree, YAML with Endpoints beside the Service, its iptables chains per node; fault buttons run terminal commands', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.run('kubectl create deployment web --image=nginx --replicas=2 && kubectl expose deployment web --port=80');
  await app.expectTerminal('service/web exposed');
  await app.run('kubectl rollout status deployment web');
  await app.expectTerminal('deployment "web" successfully rolled out', { timeoutMs: 60_000 });
  await views.open('Resources');
  const tree = page.getByRole('tree', { name: 'Kubernetes objects' });
  await tree.getByRole('button', { name: 'web', exact: true }).last().click();
  await expect(views.resources.getByLabel('Object YAML')).toContainText('kind: Service');
  await expect(views.resources.getByLabel('Endpoints YAML')).toContainText('kind: Endpoints');
  await views.resources.getByRole('button', { name: 'iptables on worker-1' }).click();
  await expect(views.resources.getByLabel('nat rules')).toContainText(/-A KUBE-SEP-\w+ .*-j DNAT --to-destination 10\.244\./);
  await shot(page, testInfo, 'resources');

  await tree.getByRole('button', { name: 'worker-2', exact: true }).click();
  await views.resources.getByRole('button', { name: 'Cordon node', exact: true }).click();
  await app.expectTerminal('node/worker-2 cordoned');
});

test('@web the manifest editor: problems with line numbers as you type, Ctrl-Enter applies; kubectl edit opens it', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await views.open('Editor');
  const editor = page.getByRole('textbox', { name: 'Manifest editor' });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n   b: 2\n');
  await expect(page.getByRole('list', { name: 'Problems' })).toContainText(/Line 7: /);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n');
  await expect(page.getByRole('list', { name: 'Problems' }).getByRole('listitem')).toHaveCount(0);
  await page.keyboard.press('Control+Enter');
  await app.expectTerminal('configmap/demo created');
  await shot(page, testInfo, 'editor');

  await app.run('kubectl edit configmap demo');
  await expect(views.tab('Editor')).toHaveAttribute('aria-selected', 'true');
  await expect(editor).toContainText('name: demo');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: default\ndata:\n  a: "2"\n');
  await page.keyboard.press('Control+Enter');
  await app.expectTerminal('configmap/demo edited');
  await app.run("kubectl get configmap demo -o jsonpath='{.data.a}'");
  await app.expectTerminal(/^2student@workstation/m);
});
