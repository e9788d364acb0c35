import { buildTestApp, type TestApp } from '../support/build-test-app';
import { get } from '../support/http-client';
import { closeAllSockets, connect } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

type Header = 'none' | 'valid' | 'valid after two spaces' | 'invalid' | 'Basic';
type Cookie = 'none' | 'valid' | 'invalid';

const good = signToken({ sub: 'alice' });
const bad = signToken({ sub: 'alice' }, {}, 'another-secret-another-secret-xx');

const headerValue: Record<Header, string | undefined> = {
  none: undefined,
  valid: `Bearer ${good}`,
  'valid after two spaces': `Bearer  ${good}`,
  invalid: `Bearer ${bad}`,
  Basic: 'Basic dXNlcjpwYXNz',
};
const cookieValue: Record<Cookie, string | undefined> = { none: undefined, valid: good, invalid: bad };

/** CONTRACT §1: the Bearer header, then the cookie; the first place that carries a token decides. */
function accepted(header: Header, cookie: Cookie): boolean {
  if (header === 'invalid') return false;
  if (header === 'valid' || header === 'valid after two spaces') return true;
  return cookie === 'valid';
}

const cases = (Object.keys(headerValue) as Header[]).flatMap((header) =>
  (Object.keys(cookieValue) as Cookie[]).map((cookie) => [header, cookie, accepted(header, cookie)] as const),
);

function headersOf(header: Header, cookie: Cookie): Record<string, string> {
  const headers: Record<string, string> = {};
  const authorization = headerValue[header];
  const token = cookieValue[cookie];
  if (authorization !== undefined) headers['Authorization'] = authorization;
  if (token !== undefined) headers['Cookie'] = `theme=dark; access_token=${token}`;
  return headers;
}

describe('where a token is read from, on HTTP and on sockets alike', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET });
  });

  afterEach(() => closeAllSockets());
  afterAll(() => app.stop());

  it.each(cases)('header %s, cookie %s: accepted is %s on both surfaces', async (header, cookie, expected) => {
    const headers = headersOf(header, cookie);
    const http = await get(app.url, '/presence', '/presence', headers);
    const socket = await connect(app.url, { extraHeaders: headers }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect({ http: http.status, socket }).toEqual(expected ? { http: 200, socket: 'connected' } : { http: 401, socket: 'unauthorized' });
  });

  it('lets a socket handshake auth.token win over a header and a cookie', async () => {
    await expect(connect(app.url, { auth: { token: good }, extraHeaders: headersOf('invalid', 'invalid') })).resolves.toBeDefined();
    await expect(connect(app.url, { auth: { token: `Bearer  ${good}` } })).resolves.toBeDefined();
    await expect(connect(app.url, { auth: { token: bad }, extraHeaders: headersOf('valid', 'valid') })).rejects.toThrow('unauthorized');
  });
});
