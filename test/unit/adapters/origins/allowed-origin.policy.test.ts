import { originAllowed } from '../../../../src/adapters/origins/allowed-origin.policy';

describe('originAllowed', () => {
  const allowed = new Set(['https://app.example.com']);

  it('allows a listed origin and a request that names no origin (not a browser)', () => {
    expect(originAllowed('https://app.example.com', 'presence.example.com', allowed)).toBe(true);
    expect(originAllowed(undefined, 'presence.example.com', allowed)).toBe(true);
  });

  it("allows the service's own pages: an origin whose host is the request's host", () => {
    expect(originAllowed('http://presence.example.com:8080', 'presence.example.com:8080', allowed)).toBe(true);
  });

  it('refuses any other origin, one on another port of the same host, and one that is not a URL', () => {
    expect(originAllowed('https://evil.example.com', 'presence.example.com', allowed)).toBe(false);
    expect(originAllowed('http://presence.example.com:9090', 'presence.example.com:8080', allowed)).toBe(false);
    expect(originAllowed('https://evil.example.com', undefined, allowed)).toBe(false);
    expect(originAllowed('null', 'presence.example.com', allowed)).toBe(false);
  });
});
