/**
 * What several labs share: the catalogue images, the request paths the seed's microservices answer, the client pod
 * learners send requests from, and the node addresses of the two cluster profiles.
 */
export const EXCHANGE_IMAGE = 'in28min/currency-exchange:0.0.1-RELEASE';
export const CONVERSION_IMAGE = 'in28min/currency-conversion:0.0.1-RELEASE';
/** The currency-exchange API path (its container port is 8000). */
export const EXCHANGE_PATH = '/currency-exchange/from/USD/to/INR';
export const EXCHANGE_PORT = 8000;
/** The currency-conversion API path (container port 8100); it calls currency-exchange itself. */
export const CONVERSION_PATH = '/currency-conversion/from/USD/to/INR/quantity/10';
export const CONVERSION_PORT = 8100;

/** A long-running pod with curl, to send requests from inside the cluster. */
export const CLIENT_POD = 'kubectl run client --image=curlimages/curl --restart=Never --command -- sleep 86400';
/** A busybox pod for nslookup (busybox's format). */
export const DNS_POD = 'kubectl run dnsutils --image=busybox --restart=Never --command -- sleep 86400';

export const LOCAL_NODES = [
  { name: 'control-plane', ip: '172.18.0.2' },
  { name: 'worker-1', ip: '172.18.0.3' },
  { name: 'worker-2', ip: '172.18.0.4' },
] as const;

export const CLOUD_NODES = [
  { name: 'node-1', privateIp: '10.0.1.10' },
  { name: 'node-2', privateIp: '10.0.1.11' },
  { name: 'node-3', privateIp: '10.0.1.12' },
] as const;

export function deployExchange(name = 'currency-exchange', replicas: number | string = 2): string {
  return `kubectl create deployment ${name} --image=${EXCHANGE_IMAGE} --replicas=${replicas} --port=${EXCHANGE_PORT}`;
}

/** A pod name of a Deployment: `<deploy>-<rs hash>-<5 chars>`. */
export function podNamePattern(deployment: string): string {
  return `${deployment}-[a-z0-9]{6,10}-[a-z0-9]{5}`;
}

/** Escape text for a RegExp. */
export function rx(s: string | number): string {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A curl that failed to reach anything, in curl's own words. */
export const CURL_FAILED = /curl: \((6|7|28)\)|Connection timed out|Failed to connect|Could not resolve host|No route to host|Connection refused/;
