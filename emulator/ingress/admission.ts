/**
 * The DefaultIngressClass admission plugin: an Ingress created without `spec.ingressClassName` (and without the
 * deprecated class annotation) gets the cluster's default IngressClass; with two or more defaults the create is
 * refused, as the API server does. Existing Ingresses are never changed, so marking a class default later does
 * not adopt them — which is why a learner's class-less Ingress created before the controller stays unserved.
 */
import { RESOURCES } from '../api/resources';
import { forbidden } from '../api/errors';
import type { AdmissionPlugin, ApiStore } from '../api/store';
import { defaultIngressClasses } from './controllers';

export function defaultIngressClassAdmission(store: ApiStore): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    admit(resource, obj, old) {
      if (resource !== 'ingresses' || old) return;
      if (obj.spec?.ingressClassName || obj.metadata.annotations?.['kubernetes.io/ingress.class'] !== undefined) return;
      const defaults = defaultIngressClasses(store);
      if (defaults.length === 0) return;
      if (defaults.length > 1)
        throw forbidden(RESOURCES.ingresses, obj.metadata.name ?? '', `${defaults.length} default IngressClasses were found, only 1 allowed`);
      obj.spec = { ...(obj.spec ?? {}), ingressClassName: defaults[0]!.metadata.name };
    },
  };
}
