/**
 * IPv4 helpers for netfilter: the packet network's own (addresses are unsigned 32-bit numbers on the packet path;
 * text only at the edges). `ip` is netfilter's name for `ipv4`.
 */
export { formatIpv4, parseIpv4, prefixMask, ipv4 as ip } from '../net/addr';
