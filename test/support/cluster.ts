import { ServiceProcess } from './service-process';

export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly process: ServiceProcess;
}

/** Short timings for a cluster under test: a lost node's users go within the lease plus a sweep. */
export const clusterTimings: Record<string, string> = {
  PRESENCE_TTL_MS: '4000',
  PRESENCE_SWEEP_INTERVAL_MS: '50',
  PRESENCE_DISCONNECT_GRACE_MS: '150',
  PRESENCE_NODE_LEASE_MS: '900',
  PERSIST_FLUSH_INTERVAL_MS: '100',
  PRESENCE_DIFF_INTERVAL_MS: '50',
};

/** One node of the service as its own process, on Redis under the given prefix. */
export async function startNode(name: string, redisUrl: string, prefix: string, env: Record<string, string> = {}): Promise<ClusterNode> {
  const process = new ServiceProcess({
    PORT: '0',
    NODE_ID: `${name}-${Date.now()}`,
    PRESENCE_STORE: 'redis',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'info',
    ...clusterTimings,
    ...env,
  });
  const port = await process.listening();
  return { name, url: `http://127.0.0.1:${port}`, process };
}
