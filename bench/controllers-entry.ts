export { main } from './controllers-bench';
