import { clientAddressOf } from '../../../../src/adapters/origins/client-address';

describe('clientAddressOf', () => {
  it('is the TCP peer unless the service is told it sits behind a proxy', () => {
    expect(clientAddressOf('10.0.0.9', '203.0.113.7', false)).toBe('10.0.0.9');
    expect(clientAddressOf('10.0.0.9', undefined, true)).toBe('10.0.0.9');
    expect(clientAddressOf('10.0.0.9', ' , ', true)).toBe('10.0.0.9');
  });

  it('behind a proxy, is the last address X-Forwarded-For names: the one the proxy wrote, not those the client did', () => {
    expect(clientAddressOf('10.0.0.9', '203.0.113.7', true)).toBe('203.0.113.7');
    expect(clientAddressOf('10.0.0.9', 'forged-1, forged-2, 203.0.113.7', true)).toBe('203.0.113.7');
    expect(clientAddressOf('10.0.0.9', ['forged', '203.0.113.7 '], true)).toBe('203.0.113.7');
  });
});
