/** The real service a README snippet runs against: with a secret (and real tokens) or without one. */
import type { Env } from '../../../src/config';
import type { WireUserId } from '../../../src/protocol/socket-events';
import { buildTestApp, type TestApp } from '../build-test-app';
import { signToken, TEST_SECRET } from '../tokens';

export interface SnippetService {
  readonly app: TestApp;
  readonly secured: boolean;
  /** A valid token for the user when the service wants one, else undefined. */
  token(userId: WireUserId): string | undefined;
}

/** Long TTL and grace, so that nothing expires while a snippet runs; a short diff window, so that diffs come soon. */
export async function startSnippetService(secured: boolean, env: Env = {}): Promise<SnippetService> {
  const app = await buildTestApp({
    PRESENCE_TTL_MS: '60000',
    PRESENCE_DISCONNECT_GRACE_MS: '60000',
    PRESENCE_DIFF_INTERVAL_MS: '10',
    ...(secured ? { JWT_ACCESS_SECRET: TEST_SECRET } : {}),
    ...env,
  });
  return { app, secured, token: (userId) => (secured ? signToken({ sub: userId }) : undefined) };
}
