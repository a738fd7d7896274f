export { main } from './http-bench';
