export { main } from './net-bench';
