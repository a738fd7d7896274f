/**
 * Ready-to-apply manifests placed in the learner's `~/manifests/`: two Ingress controllers (ingress-nginx and
 * Traefik) shaped like their upstream "deploy" manifests, trimmed to the objects the lab cluster models, and the
 * seed's example apps and Ingress. The controller Service is LoadBalancer in the cloud (as the upstream cloud
 * manifest) and NodePort locally (as the upstream baremetal manifest).
 */
import type { ProfileName } from '../world';

const NGINX_LABELS = `    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
    app.kubernetes.io/part-of: ingress-nginx
    app.kubernetes.io/version: 1.12.0`;

export function ingressNginxManifest(profile: ProfileName): string {
  const svcType = profile === 'cloud' ? 'LoadBalancer' : 'NodePort';
  const policy = profile === 'cloud' ? '\n  externalTrafficPolicy: Local' : '';
  return `# ingress-nginx controller v1.12.0 (trimmed from the upstream ${profile === 'cloud' ? 'cloud' : 'baremetal'} deploy manifest)
# Install:   kubectl apply -f ~/manifests/ingress-nginx.yaml
# Uninstall: kubectl delete -f ~/manifests/ingress-nginx.yaml
apiVersion: v1
kind: Namespace
metadata:
  labels:
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
  name: ingress-nginx
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
${NGINX_LABELS}
  name: ingress-nginx-controller
  namespace: ingress-nginx
data:
  allow-snippet-annotations: "false"
---
apiVersion: v1
kind: Service
metadata:
  labels:
${NGINX_LABELS}
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:${policy}
  ipFamilies:
  - IPv4
  ipFamilyPolicy: SingleStack
  ports:
  - appProtocol: http
    name: http
    port: 80
    protocol: TCP
    targetPort: http
  - appProtocol: https
    name: https
    port: 443
    protocol: TCP
    targetPort: https
  selector:
    app.kubernetes.io/component: controller
    app.kubernetes.io/instance: ingress-nginx
    app.kubernetes.io/name: ingress-nginx
  type: ${svcType}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
${NGINX_LABELS}
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  minReadySeconds: 0
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/component: controller
      app.kubernetes.io/instance: ingress-nginx
      app.kubernetes.io/name: ingress-nginx
  strategy:
    rollingUpdate:
      maxUnavailable: 1
    type: RollingUpdate
  template:
    metadata:
      labels:
${NGINX_LABELS.replace(/^ {4}/gm, '        ')}
    spec:
      containers:
      - args:
        - /nginx-ingress-controller
        - --publish-service=$(POD_NAMESPACE)/ingress-nginx-controller
        - --election-id=ingress-nginx-leader
        - --controller-class=k8s.io/ingress-nginx
        - --ingress-class=nginx
        - --configmap=$(POD_NAMESPACE)/ingress-nginx-controller
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        image: registry.k8s.io/ingress-nginx/controller:v1.12.0
        imagePullPolicy: IfNotPresent
        name: controller
        ports:
        - containerPort: 80
          name: http
          protocol: TCP
        - containerPort: 443
          name: https
          protocol: TCP
        readinessProbe:
          httpGet:
            path: /healthz
            port: 10254
            scheme: HTTP
          initialDelaySeconds: 10
          periodSeconds: 10
      terminationGracePeriodSeconds: 300
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  labels:
${NGINX_LABELS}
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
`;
}

export function traefikManifest(profile: ProfileName): string {
  const svcType = profile === 'cloud' ? 'LoadBalancer' : 'NodePort';
  return `# Traefik v3 as a second Ingress controller (class "traefik")
# Install: kubectl apply -f ~/manifests/traefik.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: traefik
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app.kubernetes.io/instance: traefik-traefik
    app.kubernetes.io/name: traefik
  name: traefik
  namespace: traefik
spec:
  ports:
  - name: web
    port: 80
    protocol: TCP
    targetPort: web
  selector:
    app.kubernetes.io/instance: traefik-traefik
    app.kubernetes.io/name: traefik
  type: ${svcType}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/instance: traefik-traefik
    app.kubernetes.io/name: traefik
  name: traefik
  namespace: traefik
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/instance: traefik-traefik
      app.kubernetes.io/name: traefik
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: traefik-traefik
        app.kubernetes.io/name: traefik
    spec:
      containers:
      - args:
        - --entryPoints.web.address=:8000/tcp
        - --providers.kubernetesingress
        - --providers.kubernetesingress.ingressclass=traefik
        image: docker.io/traefik:v3.3.2
        name: traefik
        ports:
        - containerPort: 8000
          name: web
          protocol: TCP
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: traefik
spec:
  controller: traefik.io/ingress-controller
`;
}

/** The seed's two microservices as ClusterIP Services (port 80 → container port), ready for the Ingress labs. */
export const CURRENCY_APPS_MANIFEST = `# The seed's two microservices, each behind a ClusterIP Service on port 80
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: currency-exchange
  name: currency-exchange
spec:
  replicas: 2
  selector:
    matchLabels:
      app: currency-exchange
  template:
    metadata:
      labels:
        app: currency-exchange
    spec:
      containers:
      - image: in28min/currency-exchange:0.0.1-RELEASE
        name: currency-exchange
        ports:
        - containerPort: 8000
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: currency-exchange
  name: currency-exchange
spec:
  ports:
  - port: 80
    protocol: TCP
    targetPort: 8000
  selector:
    app: currency-exchange
  type: ClusterIP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: currency-conversion
  name: currency-conversion
spec:
  replicas: 2
  selector:
    matchLabels:
      app: currency-conversion
  template:
    metadata:
      labels:
        app: currency-conversion
    spec:
      containers:
      - env:
        - name: CURRENCY_EXCHANGE_URI
          value: http://currency-exchange
        image: in28min/currency-conversion:0.0.1-RELEASE
        name: currency-conversion
        ports:
        - containerPort: 8100
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: currency-conversion
  name: currency-conversion
spec:
  ports:
  - port: 80
    protocol: TCP
    targetPort: 8100
  selector:
    app: currency-conversion
  type: ClusterIP
`;

/** The seed's Ingress, verbatim paths and backends. */
export const SEED_INGRESS_MANIFEST = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: gateway-ingress
spec:
  ingressClassName: nginx
  rules:
  - http:
      paths:
      - path: /currency-exchange
        pathType: Prefix
        backend:
          service:
            name: currency-exchange
            port:
              number: 80
      - path: /currency-conversion
        pathType: Prefix
        backend:
          service:
            name: currency-conversion
            port:
              number: 80
`;

/** Files for `~/manifests/` on the learner's machine. */
export function learnerManifests(profile: ProfileName): Record<string, string> {
  return {
    'ingress-nginx.yaml': ingressNginxManifest(profile),
    'traefik.yaml': traefikManifest(profile),
    'currency-apps.yaml': CURRENCY_APPS_MANIFEST,
    'gateway-ingress.yaml': SEED_INGRESS_MANIFEST,
  };
}
