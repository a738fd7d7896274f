/**
 * Go struct field order for the objects kubectl decodes into typed structs before printing them (`set image
 * --dry-run=client -o json`): encoding/json writes a struct's fields in declaration order and a map's keys sorted.
 * The store keeps objects as JSON in whatever order they were built, so a typed print reorders them here.
 * Fields this table does not know keep their order after the known ones.
 */
import type { KubeObject } from '../../../api/types';

/**
 * A struct: its fields in declaration order, the shapes of its nested fields, and `keep`: the scalar fields that
 * are pointers or lack `omitempty` (every other 0, false or "" is left out, as `omitempty` leaves it out).
 */
type Shape = { readonly fields: readonly string[]; readonly children?: Readonly<Record<string, Shape | 'map' | ListOf>>; readonly keep?: readonly string[] };
interface ListOf { readonly list: Shape }

const MAP = 'map' as const;
const list = (shape: Shape): ListOf => ({ list: shape });

const OWNER_REF: Shape = { fields: ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'], keep: ['controller', 'blockOwnerDeletion'] };
const OBJECT_META: Shape = {
  fields: ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
    'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'],
  children: { labels: MAP, annotations: MAP, ownerReferences: list(OWNER_REF) },
};
const LABEL_SELECTOR: Shape = {
  fields: ['matchLabels', 'matchExpressions'],
  children: { matchLabels: MAP, matchExpressions: list({ fields: ['key', 'operator', 'values'] }) },
};
const HTTP_GET: Shape = { fields: ['path', 'port', 'host', 'scheme', 'httpHeaders'], children: { httpHeaders: list({ fields: ['name', 'value'] }) } };
const PROBE: Shape = {
  fields: ['exec', 'httpGet', 'tcpSocket', 'grpc', 'initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold',
    'terminationGracePeriodSeconds'],
  children: { exec: { fields: ['command'] }, httpGet: HTTP_GET, tcpSocket: { fields: ['port', 'host'] }, grpc: { fields: ['port', 'service'] } },
};
const ENV_VAR: Shape = {
  fields: ['name', 'value', 'valueFrom'],
  children: {
    valueFrom: {
      fields: ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'],
      children: {
        fieldRef: { fields: ['apiVersion', 'fieldPath'] }, configMapKeyRef: { fields: ['name', 'key', 'optional'] },
        secretKeyRef: { fields: ['name', 'key', 'optional'] }, resourceFieldRef: { fields: ['containerName', 'resource', 'divisor'] },
      },
    },
  },
};
const CONTAINER: Shape = {
  fields: ['name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts',
    'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy',
    'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty'],
  children: {
    ports: list({ fields: ['name', 'hostPort', 'containerPort', 'protocol', 'hostIP'], keep: ['containerPort'] }),
    env: list(ENV_VAR),
    resources: { fields: ['limits', 'requests', 'claims'], children: { limits: MAP, requests: MAP } },
    volumeMounts: list({ fields: ['name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'] }),
    livenessProbe: PROBE, readinessProbe: PROBE, startupProbe: PROBE,
  },
};
const POD_SPEC: Shape = {
  fields: ['volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds',
    'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID',
    'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname', 'subdomain', 'affinity', 'schedulerName', 'tolerations',
    'hostAliases', 'priorityClassName', 'priority', 'dnsConfig', 'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy',
    'overhead', 'topologySpreadConstraints', 'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'resources'],
  children: {
    initContainers: list(CONTAINER), containers: list(CONTAINER), nodeSelector: MAP,
    tolerations: list({ fields: ['key', 'operator', 'value', 'effect', 'tolerationSeconds'], keep: ['tolerationSeconds'] }),
  },
  keep: ['terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'shareProcessNamespace', 'priority',
    'enableServiceLinks', 'setHostnameAsFQDN', 'hostUsers'],
};
const POD_TEMPLATE: Shape = { fields: ['metadata', 'spec'], children: { metadata: OBJECT_META, spec: POD_SPEC } };
const CONDITION: Shape = { fields: ['type', 'status', 'lastUpdateTime', 'lastTransitionTime', 'reason', 'message'] };

const KINDS: Readonly<Record<string, Shape>> = {
  Deployment: {
    fields: ['kind', 'apiVersion', 'metadata', 'spec', 'status'],
    children: {
      metadata: OBJECT_META,
      spec: {
        fields: ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'],
        children: {
          selector: LABEL_SELECTOR, template: POD_TEMPLATE,
          strategy: { fields: ['type', 'rollingUpdate'], children: { rollingUpdate: { fields: ['maxUnavailable', 'maxSurge'], keep: ['maxUnavailable', 'maxSurge'] } } },
        },
        keep: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
      },
      status: {
        fields: ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas',
          'terminatingReplicas', 'conditions', 'collisionCount'],
        children: { conditions: list(CONDITION) },
        keep: ['terminatingReplicas', 'collisionCount'],
      },
    },
  },
  ReplicaSet: {
    fields: ['kind', 'apiVersion', 'metadata', 'spec', 'status'],
    children: {
      metadata: OBJECT_META,
      spec: { fields: ['replicas', 'minReadySeconds', 'selector', 'template'], children: { selector: LABEL_SELECTOR, template: POD_TEMPLATE }, keep: ['replicas'] },
      status: {
        fields: ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas', 'observedGeneration', 'conditions'],
        children: { conditions: list(CONDITION) },
        keep: ['replicas', 'terminatingReplicas'],
      },
    },
  },
};

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function sortedKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

function ordered(v: unknown, shape: Shape | 'map' | ListOf | undefined): unknown {
  if (shape === undefined || v === null || typeof v !== 'object') return v;
  if (shape === MAP) return sortedKeys(v);
  if ('list' in shape) return Array.isArray(v) ? v.map((x) => ordered(x, shape.list)) : v;
  if (Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of shape.fields) {
    if (!(k in o)) continue;
    const v = o[k];
    const child = shape.children?.[k];
    // omitempty: zero scalars, and empty maps and slices (a struct, even empty, is always written)
    const empty = v === 0 || v === false || v === '' || ((child === MAP || (child !== undefined && 'list' in child)) && isEmpty(v));
    if (empty && !shape.keep?.includes(k)) continue;
    out[k] = ordered(v, child);
  }
  for (const k of Object.keys(o)) if (!shape.fields.includes(k)) out[k] = o[k];
  return out;
}

/** `obj` with its keys in the Go struct order of its kind (unchanged for kinds this table does not describe). */
export function inTypedOrder(obj: KubeObject): KubeObject {
  const shape = KINDS[obj.kind ?? ''];
  return shape ? (ordered(obj, shape) as KubeObject) : obj;
}
