export { main } from './ingress-bench';
