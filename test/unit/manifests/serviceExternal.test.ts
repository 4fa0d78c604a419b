/**
 * Static checks of the external parts of a Service: externalTrafficPolicy (KR1017) and
 * loadBalancerSourceRanges (KR1018).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, applyFix, codes, service, spans } from './helpers.ts';

function found(spec: string): { codes: string[]; spans: string[] } {
  const text = service(spec);
  const diagnostics = analyze(text);
  return { codes: codes(diagnostics), spans: spans(text, diagnostics) };
}

describe('KR1017: externalTrafficPolicy', () => {
  test('on a NodePort, a LoadBalancer, and a ClusterIP with externalIPs: fine', () => {
    assert.deepEqual(
      found('  type: NodePort\n  externalTrafficPolicy: Local\n  ports: [{ port: 80 }]\n').codes,
      [],
    );
    assert.deepEqual(
      found('  type: LoadBalancer\n  externalTrafficPolicy: Cluster\n  ports: [{ port: 80 }]\n').codes,
      [],
    );
    assert.deepEqual(
      found('  externalIPs: [203.0.113.7]\n  externalTrafficPolicy: Local\n  ports: [{ port: 80 }]\n').codes,
      [],
    );
  });
  test('on a ClusterIP Service, with a fix making it a NodePort', () => {
    const text = service('  externalTrafficPolicy: Local\n  ports: [{ port: 80 }]\n');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1017']);
    assert.deepEqual(spans(text, diagnostics), ['externalTrafficPolicy']);
    assert.match(diagnostics[0]!.message, /ClusterIP/);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('on an explicit ClusterIP and on an ExternalName', () => {
    assert.deepEqual(
      found('  type: ClusterIP\n  externalTrafficPolicy: Local\n  ports: [{ port: 80 }]\n').codes,
      ['KR1017'],
    );
    assert.deepEqual(
      found('  type: ExternalName\n  externalName: db.example.com\n  externalTrafficPolicy: Cluster\n').codes,
      ['KR1017'],
    );
  });
  test('an unknown value, with a case fix', () => {
    const text = service('  type: NodePort\n  externalTrafficPolicy: local\n  ports: [{ port: 80 }]\n');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1017']);
    assert.deepEqual(spans(text, diagnostics), ['local']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
});

describe('KR1018: loadBalancerSourceRanges', () => {
  test('CIDRs on a LoadBalancer: fine, IPv6 and spaces too', () =>
    assert.deepEqual(
      found(
        '  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8, "2001:db8::/32", " 192.168.0.0/16"]\n  ports: [{ port: 80 }]\n',
      ).codes,
      [],
    ));
  test('an address without a prefix, fixed to /32', () => {
    const text = service(
      '  type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 203.0.113.7\n  ports: [{ port: 80 }]\n',
    );
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1018']);
    assert.deepEqual(spans(text, diagnostics), ['203.0.113.7']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('not a CIDR at all', () =>
    assert.deepEqual(
      found(
        '  type: LoadBalancer\n  loadBalancerSourceRanges: [office, 10.0.0.0/33]\n  ports: [{ port: 80 }]\n',
      ).codes,
      ['KR1018', 'KR1018'],
    ));
  test('not a list', () =>
    assert.deepEqual(
      found('  type: LoadBalancer\n  loadBalancerSourceRanges: 10.0.0.0/8\n  ports: [{ port: 80 }]\n').codes,
      ['KR1018'],
    ));
  test('on a type other than LoadBalancer', () => {
    const result = found(
      '  type: NodePort\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports: [{ port: 80 }]\n',
    );
    assert.deepEqual(result, { codes: ['KR1018'], spans: ['loadBalancerSourceRanges'] });
  });
  test('the annotation form is checked too', () => {
    const text = service(
      '  type: LoadBalancer\n  ports: [{ port: 80 }]\n',
      'name: web\n  annotations:\n    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8,office"',
    );
    assert.deepEqual(codes(analyze(text)), ['KR1018']);
    assert.deepEqual(codes(analyze(text.replace('10.0.0.0/8,office', '10.0.0.0/8, 192.168.1.0/24'))), []);
  });
});
