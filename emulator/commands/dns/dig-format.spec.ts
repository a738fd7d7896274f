import { describe, expect, it } from 'vitest';
import { questionLine, recordLine } from './dig-format';
import { aRecord, rr } from '../../dns/message';

describe('dig record layout (reference §7.3)', () => {
  it('pads to bind\'s columns with tabs, single spaces once a field overruns', () => {
    expect(recordLine(aRecord('web.default.svc.cluster.local', 30, '10.96.45.12'))).toBe('web.default.svc.cluster.local. 30 IN\tA\t10.96.45.12');
    expect(recordLine(rr('cluster.local', 30, { type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1764300000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 })))
      .toBe('cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1764300000 7200 1800 86400 30');
    expect(recordLine(rr('cluster.local', 30, { type: 'NS', target: 'ns.dns.cluster.local' }))).toBe('cluster.local.\t\t30\tIN\tNS\tns.dns.cluster.local.');
    expect(questionLine('web.default.svc.cluster.local', 'A')).toBe(';web.default.svc.cluster.local.\tIN\tA');
    expect(questionLine('web', 'A')).toBe(';web.\t\t\t\tIN\tA');
    expect(questionLine('nosuch.default.svc.cluster.local', 'A')).toBe(';nosuch.default.svc.cluster.local. IN\tA');
  });
});
