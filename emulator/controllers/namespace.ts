/**
 * Namespace lifecycle: a deleted namespace shows `Terminating` while this controller deletes everything in it
 * (pods gracefully), then it removes the `kubernetes` finalizer from `spec.finalizers` and the namespace goes.
 */
import { RESOURCES, type Resource } from '../api/resources';
import { isApiError } from '../api/errors';
import type { Disposable } from '../core/events';
import { OWNED, WorkQueue, disposeAll, type Controller, type ControllerContext } from './runtime';

/** A stand-in cluster CA (the emulator has no TLS; the bytes only have to look like a PEM bundle). */
const ROOT_CA = `-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIU2VydmljZUxhYjANBgkqhkiG9w0BAQsFADAVMRMwEQYD
VQQDEwprdWJlcm5ldGVzMB4XDTI1MTIzMTAwMDAwMFoXDTM1MTIyOTAwMDAwMFow
FTETMBEGA1UEAxMKa3ViZXJuZXRlczCCASIwDQYJKoZIhvcNAQEBBQADggEPADCC
-----END CERTIFICATE-----
`;

const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.#queue = new WorkQueue(ctx.scheduler, 'namespace', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('namespaces', {}, (ev) => {
        if (ev.type !== 'DELETED') this.#queue.add(ev.object.metadata.name!);
      }),
    );
  }

  #sync(name: string): void {
    const store = this.ctx.store;
    const ns = store.peek('namespaces', undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      this.#populate(name);
      return;
    }
    let remaining = 0;
    for (const r of Object.values(RESOURCES)) {
      if (!r.namespaced) continue;
      const objs = [...store.peekList(r.resource as Resource, name)];
      remaining += objs.length;
      for (const o of objs) {
        if (o.metadata.deletionTimestamp) continue;
        try {
          store.delete(r.resource, name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isApiError(e, 'NotFound')) throw e;
        }
      }
    }
    if (remaining > 0) {
      this.#queue.addAfter(name, RECHECK_MS);
      return;
    }
    const latest = store.peek('namespaces', undefined, name)!;
    store.update('namespaces', { ...latest, spec: { ...latest.spec, finalizers: [] } }, OWNED);
  }

  /**
   * What the serviceaccount controller and the root CA publisher put in every namespace: the `default`
   * ServiceAccount and the `kube-root-ca.crt` ConfigMap (pods mount both through their token volume).
   */
  #populate(ns: string): void {
    const store = this.ctx.store;
    try {
      if (!store.peek('serviceaccounts', ns, 'default'))
        store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }, OWNED);
      if (!store.peek('configmaps', ns, 'kube-root-ca.crt'))
        store.create(
          'configmaps',
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'kube-root-ca.crt', namespace: ns, annotations: { 'kubernetes.io/description': "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } },
            data: { 'ca.crt': ROOT_CA },
          },
          OWNED,
        );
    } catch (e) {
      if (!isApiError(e, 'Forbidden') && !isApiError(e, 'AlreadyExists')) throw e;
    }
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
